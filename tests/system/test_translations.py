"""Every text a user sees is translated into Chinese (the default) and English, and the compiled
catalogs that Flask-Babel loads are up to date with the sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.checkers import python_format
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "_l": None, "lazy_gettext": None, "gettext": None, "ngettext": (1, 2)}
METHODS = [("app/**.py", "python"), ("workers/**.py", "python"), ("templates/**.html", "jinja2")]


def _source_messages() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, options_map={"templates/**.html": {"extensions": "jinja2.ext.do"}}
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(locale: str):
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_message_in_the_sources_is_translated(locale):
    catalog = _catalog(locale)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string and "fuzzy" not in m.flags}
    missing = sorted(_source_messages() - translated)
    assert missing == [], f"run `make translations` and translate: {missing[:10]}"


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_placeholders_survive_translation(locale):
    catalog = _catalog(locale)
    for message in catalog:
        if message.id:
            python_format(catalog, message)  # raises on a missing or changed placeholder


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_compiled_catalog_matches_its_source(locale):
    source = _catalog(locale)
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        compiled = read_mo(f)
    for message in source:
        if message.id and message.string:
            # a plural's forms: a list in the .po file, a tuple in the .mo file
            shown = tuple(message.string) if isinstance(message.string, (list, tuple)) else message.string
            found = compiled.get(message.id)
            in_mo = tuple(found.string) if found is not None and isinstance(found.string, (list, tuple)) else (
                found.string if found is not None else None)
            assert found is not None and in_mo == shown, (
                f"{locale}: messages.mo is stale for {message.id!r}: run `make translations`")


def test_chinese_is_the_default_language(app):
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh"
    assert set(app.config["LANGUAGES"]) == {"zh", "en"}
