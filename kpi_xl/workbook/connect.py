"""The workbook's Sources table: data a goal reads where it lives, not copied into a sheet.

A row of the ``Sources`` table names a source and says where it is:

=========  =========================================  ==============================================
Kind       Location                                   Query (optional)
=========  =========================================  ==============================================
csv        a file or a glob (``orders/*.csv``)        --
parquet    a file or a glob                           --
excel      a workbook file (its first sheet)          --
sql        a SQLAlchemy URL (``postgresql+psycopg://  a table (``sales.orders``) or a ``SELECT``
           kpi@db.example.com/shop``, ``duckdb:///
           shop.duckdb``, Trino, Snowflake...), or
           ``env:VARIABLE`` for a URL kept in the
           environment
=========  =========================================  ==============================================

Files are relative to the workbook's folder and read by DuckDB, embedded; SQL sources run on
their own server through SQLAlchemy. A goal names the source in its Table cell, exactly as it
names a data table; its measure is pushed down (:mod:`kpi_xl.goals.pushdown`).

Passwords are never read from the workbook (it is shared): a URL holding one is refused, and
the password is looked up in the environment variable ``KPI_XL_PASSWORD_<NAME>`` (the source's
name in capitals, other characters as ``_``) or the OS keyring (service ``kpi-xl``, user the
source's name); PostgreSQL's own ``PGPASSWORD`` and ``~/.pgpass`` work too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from .. import i18n
from ..excel import column_letter
from ..goals.pushdown import BOOLEAN, DATE, NUMBER, OTHER, TEXT, TIMESTAMP, SourceError, SourceTable
from ..i18n import NC_, Message, N_, readings
from .package import WorkbookError

KINDS = ("csv", "parquet", "excel", "sql")
KEYRING_SERVICE = "kpi-xl"
#: The table's name, in any language there is a catalog for.
SOURCES = NC_("sheet", "Sources")
#: The Sources table's columns (headers matched without regard to case, in any catalog's language),
#: with the English words also accepted.
HEADERS = {"name": (NC_("column", "Name"), ()), "kind": (NC_("column", "Kind"), ("type",)),
           "location": (NC_("column", "Location"), ("url", "path", "file")),
           "query": (NC_("column", "Query"), ("table",))}


def _sources_table(workbook: Any):
    names = readings("sheet", (SOURCES,))
    return next((t for key, t in workbook.tables.items() if key.casefold() in names), None)


def password_variable(name: str) -> str:
    """The environment variable holding source ``name``'s password: KPI_XL_PASSWORD_ORDERS_DB (letters
    of any script kept, everything else ``_``)."""
    return "KPI_XL_PASSWORD_" + re.sub(r"\W", "_", name.strip()).upper()


def read_sources(workbook: Any, wanted: set[str]) -> dict[str, SourceTable]:
    """The sources of ``workbook``'s Sources table that goals name (``wanted``: lower-case names;
    a source named like one of the workbook's tables or sheets is refused at its cell),
    each ready to answer (nothing is contacted until a goal asks). A row that cannot be used
    (unknown kind, a password in its URL, a blank location) becomes a source that says so for
    every goal naming it."""
    info = _sources_table(workbook)
    if info is None:
        return {}
    _, df = workbook.table(info.display_name)
    found = {}
    for key, (header, more) in HEADERS.items():
        words = set(readings("column", (header,))) | set(more)
        found[key] = next((c for c in df.columns if str(c).strip().casefold() in words), None)
    if found["name"] is None or found["location"] is None:
        return {}
    from .package.tables import table_bounds  # the table's cell range

    r1, c1, _, _ = table_bounds(info.ref)
    cols = list(df.columns)
    folder = Path(getattr(workbook, "path", ".") or ".").parent
    taken = {k for k, t in workbook.tables.items() if t is not info} | \
        {t.sheet.lower() for t in workbook.tables.values() if t is not info}
    out: dict[str, SourceTable] = {}
    for i, row in enumerate(df.to_dict("records")):
        name = str(row[found["name"]] or "").strip()
        line = r1 + info.header_row_count + i
        if name.lower() in taken:  # a goal naming it would read the sheet, not the source
            cell = f"{info.sheet}!{column_letter(c1 + cols.index(found['name']))}{line}"
            raise WorkbookError(i18n.at(cell, Message(N_(
                "'{name}' is already the name of a table or sheet in this workbook; give the source another "
                "name"), name=name), workbook.lang))
        if not name or name.lower() not in wanted:
            continue
        where = f"{info.sheet}!{column_letter(c1 + cols.index(found['location']))}{line}"
        kind = str(row.get(found["kind"]) or "").strip().lower() if found["kind"] else ""
        location = str(row[found["location"]] or "").strip()
        query = str(row.get(found["query"]) or "").strip() if found["query"] else ""
        out[name] = source(name, kind, location, query, folder=folder, where=where)
    return out


def source(name: str, kind: str, location: str, query: str = "", *, folder: Path = Path("."),
           where: str = "") -> SourceTable:
    """A source by its Sources row; one that cannot be used says why when a goal asks."""
    try:
        backend = _backend(name, kind or _guess_kind(location), location, query, folder)
    except SourceError as exc:
        backend = _Refused(exc)
    return SourceTable(name, backend, where)


def _guess_kind(location: str) -> str:
    low = location.lower()
    if "://" in low or low.startswith("env:"):
        return "sql"
    for kind, suffixes in (("csv", (".csv", ".txt", ".tsv", ".csv.gz")), ("parquet", (".parquet",)),
                           ("excel", (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"))):
        if low.endswith(suffixes):
            return kind
    return ""


def _backend(name: str, kind: str, location: str, query: str, folder: Path):
    if not location:
        raise SourceError(Message(N_("no location: write a file's path or a database URL")))
    if kind not in KINDS:
        raise SourceError(Message(N_("kind '{kind}' is not one of {kinds}"), kind=kind,
                                  kinds=i18n.Join(KINDS, sep=", ")))
    if kind == "sql":
        url = _url(name, location)
        if url.get_backend_name() == "duckdb":
            path = Path(url.database or ":memory:")
            return DuckDB(lambda con: _duckdb_relation(con, query, path if path.is_absolute() else folder / path),
                          query or "")
        return Sql(url, query)
    path = Path(os.path.expanduser(location))
    path = path if path.is_absolute() else folder / path
    return DuckDB(lambda con: _file_relation(con, kind, path), str(path))


def _url(name: str, location: str):
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if location.lower().startswith("env:"):
        var = location[4:].strip()
        value = os.environ.get(var)
        if not value:
            raise SourceError(Message(N_("the environment variable {variable} holding its URL is not set"),
                                      variable=var))
        try:
            return make_url(value)
        except ArgumentError:
            raise SourceError(Message(N_("the environment variable {variable} is not a database URL"),
                                      variable=var)) from None
    try:
        url = make_url(location)
    except ArgumentError:
        raise SourceError(Message(N_("'{location}' is not a database URL (e.g. postgresql+psycopg://user@host/db)"),
                                  location=location)) from None
    if url.password:
        raise SourceError(Message(N_(
            "the URL holds a password, and a workbook is shared: remove it from the URL and put it in the "
            "environment variable {variable} or the keyring (service '{service}', user '{name}')"),
            variable=password_variable(name), service=KEYRING_SERVICE, name=name))
    if url.username:
        password = os.environ.get(password_variable(name)) or _keyring(name)
        if password:
            url = url.set(password=password)
    return url


def _keyring(name: str) -> str | None:
    """Source ``name``'s password in the OS keyring, if there is a keyring and it holds one."""
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, name)
    except Exception:  # noqa: BLE001 - no keyring backend on a server: the environment is the way
        return None


class _Refused:
    """A source row that cannot be used: every question gets its reason."""

    def __init__(self, error: SourceError):
        self.error = error

    def schema(self) -> dict[str, str]:
        raise self.error

    grouped = distinct = select = schema


# ------------------------------------------------------------------ DuckDB
def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _file_relation(con, kind: str, path: Path) -> str:
    if not any(ch in str(path) for ch in "*?[") and not path.exists():
        raise SourceError(Message(N_("no such file: {file}"), file=str(path)))
    if kind == "csv":
        return f"read_csv({_literal(str(path))}, header = true)"
    if kind == "parquet":
        return f"read_parquet({_literal(str(path))})"
    from .sources import ImportError_, read_source  # Excel through python-calamine, as `kpi-xl import` reads it

    try:
        read = read_source(path)
    except ImportError_ as exc:
        raise SourceError(exc.message) from None
    frame = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in zip(read.columns, read.values)})
    frame = frame.infer_objects()
    con.register("kpi_xl_excel", frame)
    return "kpi_xl_excel"


def _duckdb_relation(con, query: str, path: Path) -> str:
    if not path.exists():
        raise SourceError(Message(N_("no such file: {file}"), file=str(path)))
    con.execute(f"ATTACH {_literal(str(path))} AS kpi_xl_db (READ_ONLY)")
    con.execute("USE kpi_xl_db")
    if not query:
        raise SourceError(Message(N_("name a table or write a SELECT query in the Query column")))
    return f"({query}) AS kpi_xl_source" if _is_query(query) else ".".join(_quote(p) for p in query.split("."))


def _is_query(text: str) -> bool:
    return bool(re.match(r"^\s*(select|with)\b", text, re.IGNORECASE))


def _duckdb_kind(t: str) -> str:
    t = t.upper()
    if t == "DATE":
        return DATE
    if t.startswith("TIMESTAMP"):
        return TIMESTAMP
    if t == "BOOLEAN":
        return BOOLEAN
    if t.startswith(("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                     "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL")):
        return NUMBER
    if t.startswith("VARCHAR"):
        return TEXT
    return OTHER


class DuckDB:
    """A file (CSV, Parquet, Excel) or DuckDB database, queried by embedded DuckDB."""

    def __init__(self, relation, label: str):
        self._relation, self.label = relation, label
        self._con = None
        self._from = ""

    def _connect(self) -> tuple[Any, str]:
        if self._con is None:
            import duckdb

            con = duckdb.connect()
            try:
                self._from = self._relation(con)
            except duckdb.Error as exc:
                con.close()
                raise SourceError(Message(N_("cannot be read: {error}"), error=_first(exc))) from None
            self._con = con
        return self._con, self._from

    def schema(self) -> dict[str, str]:
        con, rel = self._connect()
        r = con.sql(f"SELECT * FROM {rel} LIMIT 0")
        return {c: _duckdb_kind(str(t)) for c, t in zip(r.columns, r.types)}

    def grouped(self, date: str, date_kind: str, filters: list[str], aggregates: list[tuple[str, str]]) -> pd.DataFrame:
        con, rel = self._connect()
        d = _quote(date)
        day = f"CAST({d} AS DATE)" if date_kind == TIMESTAMP else d
        keys = [day, *(_quote(f) for f in filters)]
        aggs = ["COUNT(*)"] + [f"{fn.upper()}(CAST({_quote(v)} AS DOUBLE))" for fn, v in aggregates]
        sql = f"SELECT {', '.join(keys + aggs)} FROM {rel} WHERE {d} IS NOT NULL GROUP BY {', '.join(keys)}"
        return con.sql(sql).df()

    def distinct(self, date: str, date_kind: str, filters: list[str], value: str) -> pd.DataFrame:
        con, rel = self._connect()
        d = _quote(date)
        keys = [f"CAST({d} AS DATE)" if date_kind == TIMESTAMP else d, *(_quote(f) for f in filters), _quote(value)]
        sql = (f"SELECT {', '.join(keys)} FROM {rel} WHERE {d} IS NOT NULL AND {_quote(value)} IS NOT NULL "
               f"GROUP BY {', '.join(keys)}")
        return con.sql(sql).df()

    def select(self, columns: list[str]) -> pd.DataFrame:
        con, rel = self._connect()
        return con.sql(f"SELECT {', '.join(_quote(c) for c in columns)} FROM {rel}").df()


def _first(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# -------------------------------------------------------------- SQLAlchemy
class Sql:
    """A table or query on a database server, through SQLAlchemy (PostgreSQL by psycopg 3, or
    any engine with a SQLAlchemy dialect: Trino, Snowflake, Spark SQL, MySQL...)."""

    SAMPLE = 200  # rows read to learn the columns' kinds

    def __init__(self, url, query: str):
        self.url, self.query = url, query
        self._engine = None

    def _parts(self):
        import sqlalchemy as sa

        if self._engine is None:
            if not self.query:
                raise SourceError(Message(N_("name a table or write a SELECT query in the Query column")))
            args = {"connect_timeout": 10} if self.url.get_backend_name() == "postgresql" else {}
            try:
                self._engine = sa.create_engine(self.url, connect_args=args, poolclass=sa.pool.NullPool)
            except Exception as exc:  # noqa: BLE001 - e.g. no driver installed for the dialect
                raise SourceError(Message(N_("cannot use the URL: {error}"), error=_first(exc))) from None
        if _is_query(self.query):
            rel = sa.text(f"({self.query}) AS kpi_xl_source")
        else:
            *schema, table = self.query.split(".")
            rel = sa.table(table, schema=".".join(schema) or None)
        return sa, self._engine, rel

    def _run(self, statement) -> pd.DataFrame:
        _, engine, _ = self._parts()
        import decimal

        with engine.connect() as con:
            result = con.execute(statement)
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        for c in frame.columns:  # NUMERIC columns come as Decimal: numbers, as a file's are
            if frame[c].dtype == object and any(isinstance(v, decimal.Decimal) for v in frame[c].head(100)):
                frame[c] = pd.to_numeric(frame[c].map(lambda v: None if v is None else float(v)))
        return frame

    def schema(self) -> dict[str, str]:
        import datetime as dt
        import decimal

        sa, _, rel = self._parts()
        rows = self._run(sa.select(sa.text("*")).select_from(rel).limit(self.SAMPLE))
        out = {}
        for c in rows.columns:
            seen = next((v for v in rows[c].tolist() if v is not None and v == v), None)
            out[c] = (BOOLEAN if isinstance(seen, bool) else TIMESTAMP if isinstance(seen, dt.datetime)
                      else DATE if isinstance(seen, dt.date) else
                      NUMBER if isinstance(seen, (int, float, decimal.Decimal)) else
                      TEXT if isinstance(seen, str) else OTHER)
        return out

    def grouped(self, date: str, date_kind: str, filters: list[str], aggregates: list[tuple[str, str]]) -> pd.DataFrame:
        sa, _, rel = self._parts()
        d = sa.column(date)
        day = sa.cast(d, sa.Date) if date_kind == TIMESTAMP else d
        keys = [day, *(sa.column(f) for f in filters)]
        aggs = [sa.func.count()] + [getattr(sa.func, fn)(sa.cast(sa.column(v), sa.Float)) for fn, v in aggregates]
        stmt = sa.select(*[k.label(f"k{i}") for i, k in enumerate(keys)],
                         *[a.label(f"a{i}") for i, a in enumerate(aggs)]).select_from(rel).where(d.is_not(None)) \
            .group_by(*keys)
        return self._run(stmt)

    def distinct(self, date: str, date_kind: str, filters: list[str], value: str) -> pd.DataFrame:
        sa, _, rel = self._parts()
        d, v = sa.column(date), sa.column(value)
        keys = [sa.cast(d, sa.Date) if date_kind == TIMESTAMP else d, *(sa.column(f) for f in filters), v]
        stmt = sa.select(*[k.label(f"k{i}") for i, k in enumerate(keys)]).select_from(rel) \
            .where(d.is_not(None), v.is_not(None)).group_by(*keys)
        return self._run(stmt)

    def select(self, columns: list[str]) -> pd.DataFrame:
        sa, _, rel = self._parts()
        return self._run(sa.select(*[sa.column(c) for c in columns]).select_from(rel))
