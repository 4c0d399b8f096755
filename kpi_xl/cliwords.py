"""The command line's words in the reader's language: kpi-xl's help texts and Click's own words.

Click says its words ("Usage:", "Options", "Error: {message}", "Missing argument", "No such
option" ...) through the standard library's gettext (``from gettext import gettext as _`` in
each of its modules), which reads one process-wide domain. kpi-xl does not touch that domain:
while a kpi-xl command runs (:func:`speaking`), the ``_`` and ``ngettext`` names of Click's
own modules say Click's msgids from kpi-xl's catalog, under the context ``"click"``
(:data:`WORDS`, :data:`PLURALS`), and are put back when it ends. Other programs in the same
process, and Click outside a kpi-xl command, are left as they were.

kpi-xl's own help texts (a command's help, an option's help) are English msgids marked with
``N_``; :class:`Command`, :class:`Group` and :class:`Option` show them in the language of the
command being run (:func:`current`), so the same objects speak English in one run and
Chinese in the next. What Click builds once when the commands are defined (the help option's
text, a file type's name) is said again in that language when shown.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext as _stdlib
import importlib
import re
import unicodedata
from typing import Iterator

import click

from . import i18n
from .i18n import NC_, NPC_, N_

#: The msgid context of Click's words in kpi-xl's catalogs.
CONTEXT = "click"
#: Click's modules whose words a kpi-xl user can meet (help, usage errors, a refused value).
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui")

#: Click's words a kpi-xl user can meet, as Click 8.2 to 8.5 spell them (a msgid one version
#: does not use is simply not asked for). Developers' errors (a parameter declared twice),
#: prompts, editors and shell completion, which kpi-xl does not use, are left out.
WORDS = (
    NC_("click", "Usage:"),
    NC_("click", "Options"),
    NC_("click", "Commands"),
    NC_("click", "Positional arguments"),
    NC_("click", "Show this message and exit."),
    NC_("click", "Show the version and exit."),
    NC_("click", "%(prog)s, version %(version)s"),
    NC_("click", "default: {default}"),
    NC_("click", "required"),
    NC_("click", "Aborted!"),
    NC_("click", "Error: {message}"),
    NC_("click", "Try '{command} {option}' for help."),
    NC_("click", "Missing command."),
    NC_("click", "No such command {name!r}."),
    NC_("click", "No such option: {name}"),
    NC_("click", "No such option {name!r}."),
    NC_("click", "Invalid value: {message}"),
    NC_("click", "Invalid value for {param_hint}: {message}"),
    NC_("click", "Missing argument"),
    NC_("click", "Missing option"),
    NC_("click", "Missing parameter"),
    NC_("click", "Missing {param_type}"),
    NC_("click", "Missing parameter: {param_name}"),
    NC_("click", "Option {name!r} does not take a value."),
    NC_("click", "Choose from:\n\t{choices}"),
    NC_("click", "{value!r} is not a valid {number_type}."),
    NC_("click", "{value} is not in the range {range}."),
    NC_("click", "{name} {filename!r} does not exist."),
    NC_("click", "{name} {filename!r} is a file."),
    NC_("click", "{name} {filename!r} is a directory."),
    NC_("click", "{name} {filename!r} is not readable."),
    NC_("click", "{name} {filename!r} is not writable."),
    NC_("click", "file"),
    NC_("click", "directory"),
    NC_("click", "path"),
    # the names of the number types, said in "{value!r} is not a valid {number_type}."
    NC_("click", "integer range"),
    NC_("click", "float range"),
)
#: Click's words with a plural form: (singular, plural); Click asks by the singular.
PLURALS = (
    NPC_("click", "Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    NPC_("click", "Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    NPC_("click", "{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    NPC_("click", "{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."),
    NPC_("click", "Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
)

_LANG: contextvars.ContextVar[str] = contextvars.ContextVar("kpi_xl_cli_language", default=i18n.SOURCE)


def current() -> str:
    """The language of the kpi-xl command being run (English outside one)."""
    return _LANG.get()


def words(text: str) -> str:
    """One of Click's words (an English msgid of :data:`WORDS`) in the current language."""
    return i18n.translations(current()).pgettext(CONTEXT, text)


def said(text: str | None) -> str | None:
    """A help text in the current language: kpi-xl's own (marked with ``N_``), or one of Click's
    words that Click put into a command when it was defined (the version option's help)."""
    if not text or current() == i18n.SOURCE:
        return text
    catalog = i18n.translations(current())
    out = catalog.gettext(text)
    return out if out != text else catalog.pgettext(CONTEXT, text)


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """While the block runs, kpi-xl's commands and Click's words are in ``lang``.

    Only the ``_`` and ``ngettext`` names that Click's modules bound to the standard library's
    gettext functions are replaced, and they are put back afterwards."""
    token = _LANG.set(lang)
    patched = []
    if lang != i18n.SOURCE:
        catalog = i18n.translations(lang)
        replacement = {_stdlib.gettext: lambda text: catalog.pgettext(CONTEXT, text),
                       _stdlib.ngettext: lambda one, many, n: catalog.npgettext(CONTEXT, one, many, n)}
        for name in MODULES:
            module = importlib.import_module(f"click.{name}")
            for attr in ("_", "ngettext"):
                was = getattr(module, attr, None)
                if was in replacement:
                    patched.append((module, attr, was))
                    setattr(module, attr, replacement[was])
    try:
        yield
    finally:
        for module, attr, was in reversed(patched):
            setattr(module, attr, was)
        _LANG.reset(token)


class Formatter(click.HelpFormatter):
    """Click's help layout with its headings and usage prefix in the current language
    ("\u7528\u6cd5\uff1a" and "\u9078\u9805\uff1a" with full-width colons in Chinese)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            usage = words("Usage:")
            prefix = usage if usage.endswith("\uff1a") else f"{usage} "
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        line = i18n.Message(N_("{heading}:"), heading=heading).text(current())
        self.write(f"{'':>{self.current_indent}}{line}\n")

    # Click wraps at spaces and counts characters; Chinese has no spaces and each character takes
    # two columns of a terminal. In another language than English, help text is wrapped by width.
    def write_text(self, text: str) -> None:
        if current() == i18n.SOURCE:
            return super().write_text(text)
        indent = " " * self.current_indent
        for i, paragraph in enumerate(text.split("\n\n")):
            lines = wrap(paragraph, self.width - self.current_indent) or [""]
            self.write(("\n" if i else "") + "".join(f"{indent}{line}\n" for line in lines))

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        if current() == i18n.SOURCE:
            return super().write_dl(rows, col_max, col_spacing)
        rows = [(first, second) for first, second in rows]
        first_col = min(max((columns(first) for first, _ in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if columns(first) <= first_col - col_spacing:
                self.write(" " * (first_col - columns(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(second, max(self.width - first_col - self.current_indent, 10)) or [""]
            self.write("\n".join([lines[0], *(" " * (first_col + self.current_indent) + li for li in lines[1:])]) + "\n")


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes (a Chinese character or full-width sign takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


#: A run of Latin letters, digits and signs (a word, a path, an option), one wide character, or spaces.
_PIECES = re.compile(r"[^\s\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+"
                     r"|\S|\s+")
#: Signs a line does not start with (they stay at the end of the line before).
_CLOSING = "\uff0c\u3002\u3001\uff1b\uff1a\uff09\u300d\u300f\uff1f\uff01)]},.;:"
#: Signs a line does not end with (they go to the start of the next line).
_OPENING = "\uff08\u300c\u300e([{"


def wrap(text: str, width: int) -> list[str]:
    """``text`` (one paragraph) as lines of at most ``width`` terminal columns, broken between
    wide characters or at spaces, never inside a Latin word, a path or an option."""
    lines, line = [], ""
    for piece in _PIECES.findall(" ".join(text.split())):
        if piece.isspace():
            line += " " if line else ""
        elif columns(line) + columns(piece) <= width or not line.strip() or piece in _CLOSING:
            line += piece
        else:
            carried = line[-1] if line[-1] in _OPENING else ""  # a bracket opens on the line it opens
            lines.append(line[:len(line) - len(carried)].rstrip())
            line = carried + piece
    if line.strip():
        lines.append(line.rstrip())
    return lines


class Context(click.Context):
    formatter_class = Formatter


class _SaidHelp:
    """Its ``help`` (an N_-marked English text, as Click was given it) shown in the current language."""

    @property
    def help(self) -> str | None:
        return said(self._help)

    @help.setter
    def help(self, value: str | None) -> None:
        self._help = value


class _Help(_SaidHelp):
    """A command or group whose help texts are shown in the current language."""

    context_class = Context

    def get_short_help_str(self, limit: int = 45) -> str:
        if current() == i18n.SOURCE or self.short_help or not self.help:
            return super().get_short_help_str(limit)
        # Click shortens at spaces and a full stop, which a Chinese sentence has neither of
        first = " ".join(self.help.partition("\n\n")[0].split())
        return re.split(r"(?<=[\u3002.!?])", first, maxsplit=1)[0]

    def get_help_option(self, ctx: click.Context):
        option = super().get_help_option(ctx)
        if option is not None:  # Click made it once, in the language of the first run
            option.help = words("Show this message and exit.")
        return option


class Command(_Help, click.Command):
    """A kpi-xl command (help in the current language)."""


class Group(_Help, click.Group):
    """The kpi-xl group (help in the current language)."""


class Option(_SaidHelp, click.Option):
    """An option whose help is shown in the current language."""


class _Named:
    """A parameter type whose name (said in Click's refusals: "File 'x' does not exist.") is in
    the current language. Give the option an English metavar: Click makes one from the name."""

    @property
    def name(self) -> str:  # Path sets it when made; a number range has it on its class
        return words(self.__dict__.get("_name") or super().name)

    @name.setter
    def name(self, value: str) -> None:
        self._name = value


class Path(_Named, click.Path):
    """click.Path, named ("file", "directory") in the current language."""


class IntRange(_Named, click.IntRange):
    """click.IntRange, named in the current language."""


class FloatRange(_Named, click.FloatRange):
    """click.FloatRange, named in the current language."""
