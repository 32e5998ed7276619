"""One gettext catalogue for core, CLI and GUI. Simplified Chinese by default, English available.

Message ids are English; ``resources/translations/<lang>/LC_MESSAGES/caseapp.mo`` holds the
translations, compiled from the ``.po`` next to it (``python -m caseapp.i18n compile``).
"""

from __future__ import annotations

import gettext
import os
import sys
from importlib import resources

DOMAIN = "caseapp"
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = ("zh_CN", "en")

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def translations_dir() -> resources.abc.Traversable:
    return resources.files("caseapp.resources") / "translations"


def _load(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    mo = translations_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    except FileNotFoundError:
        return gettext.NullTranslations()


def set_language(language: str | None = None) -> str:
    """Switch the language for everything that calls `_` from now on; returns the one chosen."""
    global _current, _language
    language = language or os.environ.get("CASEAPP_LANG") or DEFAULT_LANGUAGE
    language = language.replace("-", "_")
    if language.lower().startswith("zh"):
        language = "zh_CN"
    elif language not in LANGUAGES:
        language = "en"
    _current = _load(language)
    _language = language
    return language


def choose_language(preference: str | None, system_locale: str = "") -> str:
    """The desktop app's language: the one set (``zh_CN`` or ``en``), else Simplified Chinese
    on a Chinese system locale (``zh_CN``, ``zh-Hans-CN``, ``Chinese (Simplified)_China``) and
    English on any other."""
    if preference:
        wanted = preference.replace("-", "_")
        if wanted.lower().startswith("zh"):
            return "zh_CN"
        return wanted if wanted in LANGUAGES else "en"
    name = system_locale.strip().lower()
    return "zh_CN" if name.startswith(("zh", "chinese")) else "en"


def current_language() -> str:
    return _language


def _(message: str) -> str:
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def extract_catalog() -> object:
    """Every translatable message in the caseapp sources (needs Babel; development only)."""
    from pathlib import Path

    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    package = Path(__file__).resolve().parent
    catalog = Catalog(project="caseapp", domain=DOMAIN)
    method_map = [("**.py", "python")]
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    for filename, lineno, message, comments, _context in extract_from_dir(
        package, method_map, keywords=keywords
    ):
        catalog.add(message, locations=[(f"caseapp/{filename}", lineno)],
                    auto_comments=comments)
    return catalog


def _tool(argv: list[str]) -> int:
    """``python -m caseapp.i18n extract|update|compile`` (development; needs Babel)."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    root = Path(str(translations_dir()))
    command = argv[0] if argv else ""
    if command in ("extract", "update"):
        template = extract_catalog()
        with (root / f"{DOMAIN}.pot").open("wb") as fh:
            write_po(fh, template, omit_header=False, width=100)  # type: ignore[arg-type]
        if command == "update":
            for po in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
                with po.open("rb") as fh:
                    catalog = read_po(fh)
                catalog.update(template, no_fuzzy_matching=True)  # type: ignore[arg-type]
                with po.open("wb") as fh:
                    write_po(fh, catalog, width=100, ignore_obsolete=True)
                print(f"updated {po}")
        return 0
    if command == "compile":
        for po in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            with po.open("rb") as fh:
                catalog = read_po(fh)
            with po.with_suffix(".mo").open("wb") as fh:
                write_mo(fh, catalog, use_fuzzy=False)
            print(f"compiled {po.with_suffix('.mo')}")
        return 0
    print("usage: python -m caseapp.i18n extract|update|compile", file=sys.stderr)
    return 2


set_language()

if __name__ == "__main__":
    sys.exit(_tool(sys.argv[1:]))
