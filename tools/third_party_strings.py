#!/usr/bin/env python3
"""Regenerate ``config/third_party_strings.py`` from the installed third-party packages.

    python tools/third_party_strings.py          # rewrite the module
    python tools/third_party_strings.py --check  # exit 1 if it is out of date

viewflow, django-filter and django-axes ship no Traditional Chinese and no (or an empty)
Simplified Chinese catalogue. Django's ``makemessages`` reads only this project's files, so the
strings those packages show are listed in ``config/third_party_strings.py`` to land in
``locale/*/LC_MESSAGES/django.po``, whose translations take precedence over the packages'.

The strings are read from each package's source, the way ``makemessages`` reads it: Python
files for the gettext keywords Django passes to ``xgettext``, templates through Django's own
``templatize``. The shipped ``.po`` files are not used: they lag behind the code. Pure Python
(only Django is imported), so the test that keeps the module current needs no gettext tools.
``make messages`` runs this, then ``makemessages`` and ``compilemessages``.
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import importlib.util
import io
import re
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "config" / "third_party_strings.py"
LINE_LENGTH = 100  # ruff's, from pyproject.toml: the output is already formatted


@dataclass(frozen=True)
class Package:
    module: str
    distribution: str


# Whole packages, not only the modules the product uses today: a string that moves between
# modules in an upgrade stays listed, and an unused one costs only a line in the catalogue.
PACKAGES = (
    Package("viewflow", "django-viewflow"),
    Package("django_filters", "django-filter"),
    Package("axes", "django-axes"),
)
# static/ holds JavaScript bundles (and .txt licence notes), not Django templates.
SKIP_DIRECTORIES = {"migrations", "tests", "static", "locale", "__pycache__"}
TEMPLATE_SUFFIXES = {".html", ".txt"}  # makemessages' defaults besides .py

# Argument positions, as ``makemessages`` passes them to xgettext (``pgettext:1c,2`` and so on)
# on top of xgettext's own Python keywords.
KEYWORDS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
CALL = re.compile(rf"\b(?:{'|'.join(KEYWORDS)})\s*\(")


@dataclass(frozen=True)
class Message:
    msgid: str
    context: str | None = None
    plural: str | None = None


# --- Extraction ------------------------------------------------------------------------------


def _message(function: str, arguments: list[str | None]) -> Message | None:
    """The message of a gettext call, if the arguments it reads are literal strings."""
    context_at, msgid_at, plural_at = KEYWORDS[function]
    read = [at for at in (context_at, msgid_at, plural_at) if at is not None]
    if len(arguments) <= max(read) or any(arguments[at] is None for at in read):
        return None
    if not arguments[msgid_at]:
        return None
    return Message(
        msgid=arguments[msgid_at],
        context=None if context_at is None else arguments[context_at],
        plural=None if plural_at is None else arguments[plural_at],
    )


def python_messages(source: str) -> Iterator[Message]:
    """Messages of the gettext calls of a Python module, as xgettext finds them.

    One difference: an f-string is skipped, where xgettext takes its text as the msgid. The
    text is formatted before the lookup, so such a msgid never matches (axes' admin has one).
    """
    if not CALL.search(source):  # most modules translate nothing; parsing them is the slow part
        return
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        function = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if function not in KEYWORDS:
            continue
        arguments = [
            a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
            for a in node.args
        ]
        if message := _message(function, arguments):
            yield message


def _tokens(line: str) -> list[tokenize.TokenInfo]:
    """Tokens of one line; a bracket left open at its end only ends the list."""
    tokens = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(line).readline):
            tokens.append(token)
    except (tokenize.TokenError, SyntaxError):
        pass
    return tokens


def _literal_argument(tokens: list[tokenize.TokenInfo]) -> str | None:
    if not tokens or any(t.type != tokenize.STRING for t in tokens):
        return None
    try:
        return "".join(ast.literal_eval(t.string) for t in tokens)
    except ValueError:
        return None


def _call_arguments(tokens: list[tokenize.TokenInfo]) -> list[str | None]:
    """Arguments of the call whose ``(`` opens ``tokens``: literal strings, None otherwise."""
    arguments: list[str | None] = []
    current: list[tokenize.TokenInfo] = []
    depth = 0
    for token in tokens[1:]:
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif token.type == tokenize.OP and token.string == "," and depth == 0:
            arguments.append(_literal_argument(current))
            current = []
            continue
        current.append(token)
    if current:
        arguments.append(_literal_argument(current))
    return arguments


def template_messages(source: str) -> Iterator[Message]:
    """Messages of a Django template, through the ``templatize`` that ``makemessages`` uses.

    templatize blanks the template out and writes each translatable tag as a gettext call on
    one line; only those lines are read (the rest is no Python).
    """
    from django.utils.translation.template import templatize

    for line in templatize(source).splitlines():
        if not CALL.search(line):
            continue
        tokens = [t for t in _tokens(line.strip()) if t.type != tokenize.COMMENT]
        for i, token in enumerate(tokens[:-1]):
            if token.string not in KEYWORDS or tokens[i + 1].string != "(":
                continue
            if message := _message(token.string, _call_arguments(tokens[i + 1 :])):
                yield message


def package_path(module: str) -> Path:
    """Where an installed package lives, found without importing it (viewflow needs settings)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{module} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def source_files(package: Package) -> list[Path]:
    root = package_path(package.module)
    files = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or SKIP_DIRECTORIES.intersection(relative.parts[:-1]):
            continue
        if path.suffix == ".py" or path.suffix in TEMPLATE_SUFFIXES:
            files.append(path)
    return files


def package_messages(package: Package) -> list[Message]:
    """The package's messages, one per (context, msgid) as in a .po file, sorted."""
    found: dict[tuple[str | None, str], Message] = {}
    for path in source_files(package):
        source = path.read_text(encoding="utf-8")
        messages = python_messages(source) if path.suffix == ".py" else template_messages(source)
        for message in messages:
            key = (message.context, message.msgid)
            # Like xgettext: a msgid seen first without a plural takes the plural seen later.
            if key not in found or (found[key].plural is None and message.plural is not None):
                found[key] = message
    return sorted(found.values(), key=_reading_order)


def _reading_order(message: Message) -> tuple[str, ...]:
    """Alphabetical as a reader sees it (case and a template's indentation aside), then exact."""
    text = message.msgid.strip()
    return (text.casefold(), text, message.msgid, message.context or "", message.plural or "")


def catalogue() -> dict[Package, list[Message]]:
    """Messages per package; one listed by an earlier package is not repeated by a later one."""
    seen: set[tuple[str | None, str]] = set()
    result = {}
    for package in PACKAGES:
        messages = [m for m in package_messages(package) if (m.context, m.msgid) not in seen]
        seen.update((m.context, m.msgid) for m in messages)
        result[package] = messages
    return result


# --- Output ----------------------------------------------------------------------------------


def _literal(text: str) -> str:
    """A Python string literal as ruff formats it: double quotes unless single ones need fewer
    escapes; printable characters (’ and the like) as they are."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    escaped = []
    for char in text:
        if char in (quote, "\\"):
            escaped.append("\\" + char)
        elif char == "\n":
            escaped.append("\\n")
        elif not char.isprintable():
            escaped.append(char.encode("unicode_escape").decode("ascii"))
        else:
            escaped.append(char)
    return quote + "".join(escaped) + quote


def _call(function: str, arguments: list[str]) -> list[str]:
    """Lines of one list item, wrapped the way ruff wraps a call that does not fit."""
    one_line = f"    {function}({', '.join(arguments)}),"
    if len(one_line) <= LINE_LENGTH:
        return [one_line]
    if len(arguments) == 1:
        return [f"    {function}(", f"        {arguments[0]}", "    ),"]
    return [f"    {function}(", *(f"        {a}," for a in arguments), "    ),"]


def _entry(message: Message) -> list[str]:
    if message.plural is not None:
        # The count is required by the signature; the module is never imported.
        if message.context is not None:
            arguments = [message.context, message.msgid, message.plural]
            return _call("npgettext_lazy", [*map(_literal, arguments), "1"])
        return _call("ngettext_lazy", [_literal(message.msgid), _literal(message.plural), "1"])
    if message.context is not None:
        return _call("pgettext_lazy", [_literal(message.context), _literal(message.msgid)])
    return _call("gettext_noop", [_literal(message.msgid)])


def versions() -> str:
    return ", ".join(
        f"{p.distribution} {importlib.metadata.version(p.distribution)}" for p in PACKAGES
    )


def render(messages: dict[Package, list[Message]]) -> str:
    functions = {"gettext_noop", "ngettext_lazy", "pgettext_lazy"}
    if any(m.plural is not None and m.context is not None for ms in messages.values() for m in ms):
        functions.add("npgettext_lazy")
    lines = [
        '"""Strings of viewflow, django-filter and django-axes that the product shows.',
        "",
        "Generated by ``make messages`` (``python tools/third_party_strings.py``) from",
        f"{versions()}: do not edit by hand.",
        "Run ``make messages`` again after upgrading one of these packages.",
        "",
        "Never imported: it exists so that ``makemessages`` puts these strings into",
        "``locale/*/LC_MESSAGES/django.po``, whose translations take precedence over the packages'.",
        '"""',
        "",
        f"from django.utils.translation import {', '.join(sorted(functions))}",
        "",
        "STRINGS = [",
    ]
    for package, entries in messages.items():
        lines.append(f"    # {package.distribution} ({package.module})")
        for message in entries:
            lines.extend(_entry(message))
    lines.append("]")
    return "\n".join(lines) + "\n"


def generate() -> str:
    return render(catalogue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the module is stale")
    arguments = parser.parse_args(argv)
    text = generate()
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
    if arguments.check:
        if text != current:
            print(
                f"{OUTPUT.relative_to(ROOT)} is out of date: run `make messages`", file=sys.stderr
            )
            return 1
        return 0
    if text != current:
        OUTPUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
