"""Words in the reader's language, through gettext message catalogs.

Code marks a text it shows with :func:`N_` (nothing happens at run time; Babel's
extractor finds it) and translates it where it is shown, with :func:`gettext` or
:func:`pgettext` and the reader's language. A message with values in it is a
:class:`Message`: an id with named parameters (``Message(N_("{owner} owns {n} KPIs"),
owner="Ming", n=7)``), translated as a whole and filled in afterwards, never glued
together from pieces.

The catalogs are ``kpi_xl/locale/<lang>/LC_MESSAGES/kpi_xl.po``, one file per language,
English being the source (msgid). They are read with Babel when first used; a
language is a new ``.po`` file, not a code change. Where one English word means two
things, a context tells them apart: :func:`NC_` marks it, :func:`pgettext` shows it.
``python tools/gendocs.py`` writes the template ``kpi_xl/locale/kpi_xl.pot``, the same as
``pybabel extract -F babel.cfg -k NC_:1c,2 -k NPC_:1c,2,3 -k Message -o kpi_xl/locale/kpi_xl.pot kpi_xl``
(the worksheet functions' texts come from :func:`kpi_xl.functions.catalog.extract`).
"""

from __future__ import annotations

import contextlib
import functools
import gettext as _gettext
import hashlib
import io
import os
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .errors import KpiXlError, N_, SaidError

DOMAIN = "kpi_xl"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The language of the msgids.
SOURCE = "en"


class LanguageError(KpiXlError, ValueError):
    """A language kpi-xl has no catalog for (the message lists the ones it has)."""


def NC_(context: str, text: str) -> str:
    """Mark ``text`` for translation in ``context`` (shown with :func:`pgettext` and the same context)."""
    return text


def NPC_(context: str, singular: str, plural: str) -> tuple[str, str]:
    """Mark a text with a plural form in ``context`` (said by ``npgettext`` with the same context)."""
    return singular, plural


def languages() -> tuple[str, ...]:
    """Every language there is a catalog for, English first (``"en"``, ``"zh-TW"``, ...)."""
    return _languages(LOCALE_DIR)


@functools.lru_cache(maxsize=8)
def _languages(folder: Path) -> tuple[str, ...]:
    # looked up once per catalog folder: input vocabulary asks thousands of times a refresh
    found = sorted(p.parent.parent.name.replace("_", "-") for p in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE, *[lang for lang in found if lang != SOURCE])


def language(lang: str | None = None) -> str:
    """The language to show: ``lang`` if given, else $KPI_XL_LANG, else English.

    Accepts the usual spellings (``zh_TW``, ``zh-tw``, ``zh-Hant``) and a language's own
    name (its catalog's translation of "English" in context "language"); refuses,
    naming the languages there are, one there is no catalog for."""
    value = (lang or os.environ.get("KPI_XL_LANG") or SOURCE).strip()
    known = languages()
    wanted = value.lower().replace("_", "-")
    for k in known:
        if wanted == k.lower():
            return k
    aliases = {"zh": "zh-TW", "zh-hant": "zh-TW", "zh-hant-tw": "zh-TW", "english": SOURCE}
    if aliases.get(wanted) in known:
        return aliases[wanted]
    for k in known[1:]:
        if value.casefold() == translations(k).pgettext("language", "English").casefold():
            return k
    raise LanguageError(f"unknown language {value!r}; use one of {', '.join(known)}")


@functools.lru_cache(maxsize=None)
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalog of ``lang``, one of :func:`languages` (English: no translation)."""
    if lang == SOURCE:
        return _gettext.NullTranslations()
    path = LOCALE_DIR / lang.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"
    po = path.read_bytes()
    cached = cache_dir() / f"{DOMAIN}-{lang}-{hashlib.sha256(po).hexdigest()[:24]}.mo"
    try:
        return _gettext.GNUTranslations(io.BytesIO(cached.read_bytes()))
    except (OSError, ValueError, UnicodeDecodeError, struct.error):  # none yet, or unreadable: compile
        pass
    mo = _compile(po, lang)
    try:  # written whole or not at all; a read-only home only means compiling again next time
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cached.parent, prefix=".tmp-", delete=False) as tmp:
            tmp.write(mo)
        os.replace(tmp.name, cached)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp.name)
    return _gettext.GNUTranslations(io.BytesIO(mo))


def cache_dir() -> Path:
    """Where compiled catalogs are kept between runs: $KPI_XL_CACHE_DIR, else kpi-xl in the
    user's cache folder ($XDG_CACHE_HOME or ~/.cache; %LOCALAPPDATA% on Windows)."""
    if os.environ.get("KPI_XL_CACHE_DIR"):
        return Path(os.environ["KPI_XL_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.environ.get("LOCALAPPDATA") or Path.home() / ".cache"
    return Path(base) / "kpi-xl"


def _compile(po: bytes, lang: str) -> bytes:
    """A .po catalog compiled to .mo bytes by Babel. Parsing the .po takes ~0.1 s (and Babel's
    import 0.05 s), more than the rest of a small refresh, so :func:`translations` keeps the
    result in :func:`cache_dir`, named by a hash of the .po text (an edited .po is compiled anew)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(po), locale=lang.replace("-", "_"), domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def gettext(text: str, lang: str | None = None) -> str:
    """``text`` in ``lang`` (itself when the catalog has no translation)."""
    return translations(language(lang)).gettext(text)


def pgettext(context: str, text: str, lang: str | None = None) -> str:
    """``text`` in ``lang``, where the same English word means different things (``context``)."""
    return translations(language(lang)).pgettext(context, text)


def readings(context: str, texts: Iterable[str]) -> dict[str, str]:
    """What people may type for each of ``texts`` (English, in ``context``): the English text
    and every catalog's translation of it, casefolded, each mapped to the English text.

    Input vocabulary (a drop-down word, a column header) is read in every language
    there is a catalog for, whatever language the workbook is in, and in the words a
    catalog used before (:func:`formerly`), so a workbook made earlier reads the same."""
    langs = languages()
    return dict(_readings(context, tuple(texts), tuple(translations(lang) for lang in langs),
                          tuple(formerly(lang) for lang in langs)))


@functools.lru_cache(maxsize=None)
def _readings(context: str, texts: tuple[str, ...], catalogs: tuple, former: tuple) -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {}
    for catalog in catalogs:
        for text in texts:
            out.setdefault(catalog.pgettext(context, text).strip().casefold(), text)
    for old in former:
        for text in texts:
            for word in dict(old).get((context, text), ()):
                out.setdefault(word.strip().casefold(), text)
    return tuple(out.items())


@functools.lru_cache(maxsize=None)
def formerly(lang: str) -> tuple[tuple[tuple[str, str], tuple[str, ...]], ...]:
    """Words ``lang``'s catalog used before for a text a user types or the engine reads back
    (a status-rule measure, a Goals header): ((context, English), (old word, ...)), from
    ``locale/<lang>/formerly.csv`` (columns context, msgid, formerly). They stay readable."""
    import csv

    path = LOCALE_DIR / lang.replace("-", "_") / "formerly.csv"
    if not path.exists():
        return ()
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            key = (row["context"], row["msgid"])
            found[key] = (*found.get(key, ()), row["formerly"])
    return tuple(found.items())


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    """The singular or plural form of a text for ``n`` in ``lang``."""
    return translations(language(lang)).ngettext(singular, plural, n)


@dataclass(frozen=True)
class Message:
    """A message id and its named parameters: what the engine says, in no language yet.

    ``str(message)`` is the English text; :meth:`text` the text in a language. A
    parameter that is itself a Message is translated too.
    """

    id: str
    params: dict[str, Any] = field(default_factory=dict)
    context: str | None = None

    def __init__(self, id: str, context: str | None = None, **params: Any):
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "context", context)
        object.__setattr__(self, "params", params)

    def text(self, lang: str | None = None) -> str:
        pattern = pgettext(self.context, self.id, lang) if self.context else gettext(self.id, lang)
        values = {k: text(v, lang) for k, v in self.params.items()}
        return pattern.format(**values)

    def __str__(self) -> str:
        return self.text(SOURCE)

    def __hash__(self) -> int:  # the params may hold lists; equal messages share id and context
        return hash((self.id, self.context))


@dataclass(frozen=True)
class Join:
    """Several messages shown as one: each translated, joined by ``sep`` in the reader's
    language (Chinese joins a list with an ideographic comma and clauses with a full-width
    semicolon: the catalogs say so under the context ``"punctuation"``)."""

    items: tuple[Any, ...]
    sep: str = ", "

    def __init__(self, items: Any, sep: str = ", "):
        object.__setattr__(self, "items", tuple(items))
        object.__setattr__(self, "sep", sep)

    def text(self, lang: str | None = None) -> str:
        return pgettext("punctuation", self.sep, lang).join(str(text(i, lang)) for i in self.items)

    def __str__(self) -> str:
        return self.text(SOURCE)

    def __bool__(self) -> bool:
        return bool(self.items)


class MessageError(KpiXlError):
    """An error that says what went wrong as a :class:`Message`: ``str(error)`` is the
    English text, ``error.text(lang)`` the text in a language."""

    def __init__(self, message: Message | Join | str):
        super().__init__(str(message))
        self.message = message

    def text(self, lang: str | None = None) -> str:
        return str(text(self.message, lang))


def text(value: Any, lang: str | None = None) -> Any:
    """A Message (or Join, or error carrying one, or a core :class:`~kpi_xl.errors.SaidError`)
    in ``lang``; any other value unchanged."""
    if isinstance(value, SaidError):
        if not value.params:  # a sentence with nothing to fill in (its braces, if any, are text)
            return gettext(value.msgid, lang)
        params = {k: Join(v) if isinstance(v, tuple) else v for k, v in value.params.items()}
        return Message(value.msgid, **params).text(lang)
    return value.text(lang) if isinstance(value, (Message, Join, MessageError)) else value


def at(where: str, problem: Any, lang: str | None = None) -> str:
    """``problem`` (a Message, an error or text) said at ``where`` (a cell such as Goals!J6, a
    sheet, a file, a goal): "where: problem" in English, "where\uff1aproblem" (a full-width
    colon) in Chinese. Every warning and refusal that names its place is joined here."""
    return Message(N_("{cell}: {problem}"), cell=where, problem=problem).text(lang)
