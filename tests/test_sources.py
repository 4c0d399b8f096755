"""Sources (issue 10): goals reading a CSV, a Parquet file or a PostgreSQL table where it
lives, named in the workbook's Sources table exactly as a data table is named.

Done when the same goals refreshed from a sheet table, a CSV, a Parquet file and a PostgreSQL
table give identical Scorecards, with one grouped query per source and grain (not one per goal);
a source that cannot answer is that goal's problem, in words, and the rest refreshes.

PostgreSQL: `.ci/run` starts a server (`.ci/postgres start`) and exports KPI_XL_TEST_PG_URL and
KPI_XL_TEST_PG_PASSWORD; without them the PostgreSQL tests skip (in CI, where
KPI_XL_TEST_PG_REQUIRED=1, they fail instead).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

import kpi_xl.workbook.connect as connect
from kpi_xl.cli import main
from kpi_xl.goals.pushdown import SourceTable
from shop_orders import shop_orders  # tools/
from test_own_data import H1, MID, AFTER, _cli, _sheet, goal_specs, goals_csv

PG_URL = os.environ.get("KPI_XL_TEST_PG_URL", "")
PG_PASSWORD = os.environ.get("KPI_XL_TEST_PG_PASSWORD", "")


def _need_pg() -> None:
    if PG_URL:
        return
    why = "no PostgreSQL server: run `eval \"$(bash .ci/postgres start)\"` to start one (KPI_XL_TEST_PG_URL)"
    if os.environ.get("KPI_XL_TEST_PG_REQUIRED"):
        pytest.fail(why)
    pytest.skip(why)


class Counted(SourceTable):
    """Every source a refresh makes, kept to count its queries."""

    made: list[SourceTable] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        Counted.made.append(self)


@pytest.fixture(autouse=True)
def counted(monkeypatch):
    Counted.made = []
    monkeypatch.setattr(connect, "SourceTable", Counted)
    return Counted.made


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """The tutorial's order log as a CSV and a Parquet file; the goals of every measure kind."""
    tmp = tmp_path_factory.mktemp("sources")
    orders = shop_orders()
    orders.to_csv(tmp / "orders.csv", index=False)
    con = duckdb.connect()
    con.register("orders", orders)
    con.execute(f"COPY orders TO '{tmp / 'orders.parquet'}' (FORMAT parquet)")
    con.close()
    con = duckdb.connect(str(tmp / "shop.duckdb"))
    con.register("orders_frame", orders)
    con.execute("CREATE TABLE orders AS SELECT * FROM orders_frame")
    con.close()
    orders.to_excel(tmp / "orders.xlsx", index=False)
    specs = goal_specs(orders)
    # a per-record KPI (the rows it needs are read, in one query)
    specs["SHARE-H1"] = dict(kpi="SOURCE_SHARE", columns='Channel, "Shop", Amount', filter="", span=H1,
                             direction="higher", target=0.4)
    return tmp, orders, specs


def _book(tmp: Path, name: str, table: str, specs: dict, sources: list[dict] | None = None,
          sheet: Path | None = None) -> Path:
    """A workbook whose goals read ``table``: a sheet table imported from ``sheet``, or a source."""
    book = tmp / f"{name}.xlsx"
    book.unlink(missing_ok=True)
    _cli("new", "--empty", str(book))
    if sheet is not None:
        _cli("import", str(book), table, str(sheet))
    if sources:
        pd.DataFrame(sources).to_csv(tmp / f"{name}-sources.csv", index=False)
        _cli("import", str(book), "Sources", str(tmp / f"{name}-sources.csv"))
    goals = pd.read_csv(goals_csv(specs, tmp / f"{name}-goals.csv"))
    goals["Table"] = table
    goals.to_csv(tmp / f"{name}-goals.csv", index=False)
    _cli("import", str(book), "Goals", str(tmp / f"{name}-goals.csv"), "--replace")
    return book


def scorecard(book: Path) -> dict[str, dict]:
    """The Scorecard table's rows by goal ID, its columns up to the first blank header (the
    Changes region to its right has an ID, a Goal and a Why column too)."""
    rows = _sheet(book, "Scorecard")
    head = [str(h) for h in rows[0]]
    head = head[:head.index("")] if "" in head else head
    return {str(r[0]): dict(zip(head, r)) for r in rows[1:] if r and r[0] != ""}


def _same(x, y) -> bool:
    """One Scorecard cell as a reader sees it: text and statuses exactly; numbers to 12 significant
    digits (a sum's last bits depend on the order it adds in, which a database does not promise;
    Excel shows 15 digits and a scorecard 2 to 4)."""
    if isinstance(x, float) and isinstance(y, float):
        return math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12)
    return x == y and type(x) is type(y)


def _differences(a: dict[str, dict], b: dict[str, dict]) -> list:
    """Every Scorecard cell that differs: (goal, column, one, other)."""
    out = [(g, None, g in a, g in b) for g in set(a) ^ set(b)]
    return out + [(g, c, a[g].get(c), b[g].get(c)) for g in set(a) & set(b) for c in set(a[g]) | set(b[g])
                  if not _same(a[g].get(c), b[g].get(c))]


def _refresh(book: Path, when) -> dict[str, dict]:
    """Refresh as of ``when``: exit 0, or 3 when a goal got worse than in the previous review
    period (the documented alert code: these books are refreshed at mid-year, then after it)."""
    result = CliRunner().invoke(main, ["refresh", str(book), "--as-of", when.isoformat(), "--no-backup"],
                                catch_exceptions=False)
    assert result.exit_code in (0, 3), result.output
    assert "Traceback" not in result.output
    return scorecard(book)


@pytest.fixture(scope="module")
def sheet_cards(shop):
    tmp, _, specs = shop
    book = _book(tmp, "sheet", "Shop", specs, sheet=tmp / "orders.csv")
    return {when: _refresh(book, when) for when in (MID, AFTER)}


FILES = {"csv": ("csv", "orders.csv", ""), "parquet": ("parquet", "orders.parquet", ""),
         "excel": ("excel", "orders.xlsx", ""), "duckdb": ("sql", "duckdb:///shop.duckdb", "orders")}


@pytest.mark.parametrize("what", list(FILES))
def test_a_file_source_gives_the_sheet_tables_scorecard(shop, sheet_cards, counted, what):
    """CSV, Parquet and Excel files and a DuckDB database, each relative to the workbook's folder."""
    tmp, _, specs = shop
    kind, location, query = FILES[what]
    book = _book(tmp, what, "Orders file", specs,
                 [{"Name": "Orders file", "Kind": kind, "Location": location, "Query": query}])
    for when in (MID, AFTER):
        counted.clear()
        card = _refresh(book, when)
        assert _differences(card, sheet_cards[when]) == []
        assert {r["Status"] for r in card.values()} - {"No data"}  # computed, not all blank
        (source,) = counted
        # every goal's totals, averages, smallest and largest from one grouped query; the distinct
        # customers from one more (day × customer); the per-record KPI's rows from one read
        assert source.queries == {"schema": 1, "grouped": 1, "distinct": 1, "select": 1}


def _load_pg(orders: pd.DataFrame, table: str) -> None:
    import psycopg

    url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, password=PG_PASSWORD) as con:
        con.execute(f'DROP TABLE IF EXISTS {table}')
        con.execute(f'CREATE TABLE {table} ("Customer ID" text, "Order date" date, "Channel" text, '
                    '"Items" double precision, "Amount" numeric(12, 2), "Cost" numeric(12, 2))')
        days = pd.to_datetime(orders["Order date"].astype(str), format="%Y%m%d").dt.date
        rows = zip(orders["Customer ID"], days, orders["Channel"], orders["Items"].astype(object)
                   .where(orders["Items"].notna(), None), orders["Amount"], orders["Cost"])
        with con.cursor().copy(f"COPY {table} FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)


def test_a_postgresql_table_gives_the_sheet_tables_scorecard(shop, sheet_cards, counted, monkeypatch):
    _need_pg()
    tmp, orders, specs = shop
    _load_pg(orders, "shop_orders")
    monkeypatch.setenv(connect.password_variable("Orders db"), PG_PASSWORD)  # never in the workbook
    book = _book(tmp, "pg", "Orders db", specs,
                 [{"Name": "Orders db", "Kind": "sql", "Location": PG_URL, "Query": "shop_orders"}])
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    sent: list[str] = []
    listener = lambda conn, cursor, statement, *rest: sent.append(statement)  # noqa: E731
    event.listen(Engine, "before_cursor_execute", listener)
    try:
        for when in (MID, AFTER):
            counted.clear()
            sent.clear()
            assert _differences(_refresh(book, when), sheet_cards[when]) == []
            (source,) = counted
            assert source.queries == {"schema": 1, "grouped": 1, "distinct": 1, "select": 1}
            # what the server got: 4 statements for the 12 goals, the totals in one GROUP BY
            assert len(sent) == 4, sent
            assert sum("GROUP BY" in q for q in sent) == 2 and len(specs) == 12
    finally:
        event.remove(Engine, "before_cursor_execute", listener)


def test_a_postgresql_query_source_counts_one_grouped_query_for_all_goals(shop, counted, monkeypatch):
    """A SELECT as the source; goals filtering by different columns still share one grouped query."""
    _need_pg()
    tmp, orders, specs = shop
    _load_pg(orders, "shop_orders_q")
    monkeypatch.setenv(connect.password_variable("Big orders"), PG_PASSWORD)
    additive = {k: v for k, v in specs.items() if v["kpi"] in ("SUM", "COUNT", "GROSS_MARGIN")}
    book = _book(tmp, "pgq", "Big orders", additive,
                 [{"Name": "Big orders", "Kind": "sql", "Location": PG_URL,
                   "Query": 'SELECT * FROM shop_orders_q WHERE "Amount" > 500'}])
    card = _refresh(book, AFTER)
    big = orders[orders["Amount"] > 500]
    d = pd.to_datetime(big["Order date"].astype(str), format="%Y%m%d").dt.date
    h1 = big[(d >= dt_(2026, 1, 1)) & (d <= dt_(2026, 6, 30))]
    assert card["REV-H1"]["Actual"] == pytest.approx(h1["Amount"].sum(), rel=1e-12)
    assert card["ONE-H1"]["Actual"] == (h1["Items"] == 1).sum()
    (source,) = counted
    assert len(additive) >= 5 and source.queries == {"schema": 1, "grouped": 1}


def dt_(y: int, m: int, d: int):
    import datetime as dt

    return dt.date(y, m, d)


def _why(card: dict, gid: str) -> str:
    return str(card[gid]["Why"])


def test_a_source_that_cannot_answer_is_its_goals_problem_and_the_rest_refreshes(shop, tmp_path):
    """A missing file, a password in a URL, an unreachable server and a missing column: each goal
    on such a source says why (naming the Sources cell); the goals on the sheet table compute."""
    root, orders, specs = shop
    rows = [{"Name": "Gone", "Kind": "csv", "Location": "no-such.csv", "Query": ""},
            {"Name": "Secret", "Kind": "sql", "Location": "postgresql+psycopg://kpi:hunter2@127.0.0.1:9/x",
             "Query": "orders"},
            {"Name": "Down", "Kind": "sql", "Location": "postgresql+psycopg://kpi@127.0.0.1:9/x", "Query": "orders"},
            {"Name": "Good", "Kind": "parquet", "Location": str(root / "orders.parquet"), "Query": ""}]
    pick = {k: specs[k] for k in ("REV-M", "REV-H1", "ORD-H1", "GM-H1", "AOV-H1")}
    book = _book(tmp_path, "bad", "Shop", pick, rows, sheet=root / "orders.csv")
    goals = pd.read_csv(tmp_path / "bad-goals.csv")
    goals["Table"] = ["Shop", "Gone", "Secret", "Down", "Good"]
    goals.loc[4, "Columns"] = "Revenue"  # no such column in the file
    goals.to_csv(tmp_path / "bad-goals.csv", index=False)
    _cli("import", str(book), "Goals", str(tmp_path / "bad-goals.csv"), "--replace")
    before = book.read_bytes()
    out = _cli("refresh", str(book), "--as-of", AFTER.isoformat(), "--no-backup", code=(0, 3))
    assert book.read_bytes() != before
    card = scorecard(book)
    assert card["REV-M"]["Status"] != "No data" and card["REV-M"]["Actual"] not in ("", None)
    for gid in ("REV-H1", "ORD-H1", "GM-H1", "AOV-H1"):
        assert card[gid]["Status"] == "No data" and card[gid]["Actual"] in ("", None), card[gid]
    assert "source 'Gone' (Sources!C2)" in _why(card, "REV-H1") and "no such file" in _why(card, "REV-H1")
    secret = _why(card, "ORD-H1")
    assert "Sources!C3" in secret and "password" in secret and "KPI_XL_PASSWORD_SECRET" in secret
    assert "hunter2" not in secret and "hunter2" not in out
    assert "source 'Down' (Sources!C4)" in _why(card, "GM-H1")
    assert "no column 'Revenue'" in _why(card, "AOV-H1") and "Amount" in _why(card, "AOV-H1")
    said = " ".join(out.split())
    for line in (_why(card, g) for g in ("REV-H1", "ORD-H1", "GM-H1", "AOV-H1")):
        assert " ".join(line.split()) in said  # and each is a warning of the refresh


def test_a_text_column_summed_says_so(shop, tmp_path):
    root, _, specs = shop
    book = _book(tmp_path, "text", "Orders file", {"REV-H1": dict(specs["REV-H1"], columns="Channel")},
                 [{"Name": "Orders file", "Kind": "parquet", "Location": str(root / "orders.parquet"), "Query": ""}])
    card = _refresh(book, AFTER)
    assert card["REV-H1"]["Status"] == "No data"
    assert "column 'Channel' holds text, not numbers" in _why(card, "REV-H1")


def test_passwords_come_from_the_environment_or_the_keyring(monkeypatch):
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1

        def get_password(self, service, username):
            return {("kpi-xl", "Sales db"): "from-keyring"}.get((service, username))

        def set_password(self, service, username, password):
            raise NotImplementedError

        def delete_password(self, service, username):
            raise NotImplementedError

    previous = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        monkeypatch.delenv("KPI_XL_PASSWORD_SALES_DB", raising=False)
        url = connect._url("Sales db", "postgresql+psycopg://kpi@db.example.com/shop")
        assert url.password == "from-keyring"
        monkeypatch.setenv("KPI_XL_PASSWORD_SALES_DB", "from-env")
        assert connect._url("Sales db", "postgresql+psycopg://kpi@db.example.com/shop").password == "from-env"
        monkeypatch.setenv("SALES_URL", "postgresql+psycopg://kpi:in-env@db.example.com/shop")
        assert connect._url("Sales db", "env:SALES_URL").password == "in-env"  # a URL kept in the environment
    finally:
        keyring.set_keyring(previous)


def test_a_source_named_like_a_sheet_table_is_refused_at_its_cell(shop, tmp_path):
    root, _, specs = shop
    book = _book(tmp_path, "clash", "Shop", {"REV-H1": specs["REV-H1"]},
                 [{"Name": "shop", "Kind": "parquet", "Location": str(root / "orders.parquet"), "Query": ""}],
                 sheet=root / "orders.csv")
    from click.testing import CliRunner
    from kpi_xl.cli import main

    before = book.read_bytes()
    result = CliRunner().invoke(main, ["refresh", str(book), "--no-backup"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "Sources!A2: 'shop' is already the name of a table or sheet" in " ".join(result.output.split())
    assert book.read_bytes() == before  # nothing written


def test_a_zh_tw_sources_table_reads_with_its_own_words(shop):
    """A Traditional Chinese workbook's 資料來源 table, headed 名稱/類型/位置/查詢, and its messages."""
    from types import SimpleNamespace

    from kpi_xl import i18n

    root, _, _ = shop
    info = SimpleNamespace(display_name="資料來源", sheet="資料來源", ref="A1:D3", header_row_count=1)
    rows = pd.DataFrame({"名稱": ["訂單", "密碼"], "類型": ["parquet", "sql"],
                         "位置": [str(root / "orders.parquet"), "postgresql+psycopg://kpi:pw@127.0.0.1/x"],
                         "查詢": ["", "orders"]})
    book = SimpleNamespace(tables={"資料來源": info}, table=lambda name: (info, rows), lang="zh-TW",
                           path=root / "book.xlsx")
    found = connect.read_sources(book, {"訂單", "密碼"})
    assert set(found) == {"訂單", "密碼"}
    assert "Amount" in found["訂單"].columns
    with pytest.raises(Exception) as refused:
        found["密碼"].columns
    said = i18n.text(refused.value, "zh-TW")
    assert said.startswith("資料來源「密碼」（資料來源!C3）：URL 裡含有密碼")
    assert "環境變數 KPI_XL_PASSWORD_密碼 或系統金鑰圈" in said and "pw@" not in said
