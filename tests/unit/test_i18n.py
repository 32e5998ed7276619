"""The zh_CN catalogue: complete, compiled, faithful to placeholders; language switching."""

from __future__ import annotations

import gettext
import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from caseapp.i18n import _, current_language, extract_catalog, set_language, translations_dir

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

ZH_DIR = Path(str(translations_dir())) / "zh_CN" / "LC_MESSAGES"
PO_PATH = ZH_DIR / "caseapp.po"
MO_PATH = ZH_DIR / "caseapp.mo"

CJK = re.compile(r"[\u4e00-\u9fff]")
PROBE = "No case with number or id {ref}."

HOW_TO_FIX = ("run `python -m caseapp.i18n update`, translate the new entries in "
              f"{PO_PATH}, then `python -m caseapp.i18n compile`")


@pytest.fixture(scope="module")
def po() -> Catalog:
    """The zh_CN .po (reading it, and extracting from the sources, needs Babel)."""
    pytest.importorskip("babel", reason="the catalogue checks need Babel")
    from babel.messages.pofile import read_po

    with PO_PATH.open("rb") as fh:
        return read_po(fh)


@pytest.fixture
def english_afterwards() -> Iterator[None]:
    try:
        yield
    finally:
        set_language("en")


def _entries(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def _strings(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else [s for s in value if s is not None]


def _is_translated(message: Message) -> bool:
    return bool(message.string) and all(_strings(message.string))


def _placeholders(text: str) -> set[str]:
    """``{name!conversion:spec}`` of every replacement field, as written."""
    return {"{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            + "}"
            for _literal, name, spec, conversion in string.Formatter().parse(text)
            if name is not None}


def _label(message: Message) -> str:
    return repr(message.id if isinstance(message.id, str) else message.id[0])


def test_every_source_message_is_translated(po: Catalog) -> None:
    missing = []
    for message in _entries(extract_catalog()):  # type: ignore[attr-defined]
        entry = po.get(message.id)
        if entry is None or entry.fuzzy or not _is_translated(entry):
            missing.append(_label(message))
    assert not missing, (f"{len(missing)} message(s) without a zh_CN translation ({HOW_TO_FIX}):\n"
                         + "\n".join(missing))


def test_no_fuzzy_entries(po: Catalog) -> None:
    fuzzy = [_label(m) for m in _entries(po) if m.fuzzy]
    assert not fuzzy, "fuzzy entries are not compiled; review them and drop the flag:\n" + \
        "\n".join(fuzzy)


def test_compiled_catalogue_is_up_to_date(po: Catalog) -> None:
    assert MO_PATH.is_file(), f"{MO_PATH} is missing: run `python -m caseapp.i18n compile`"
    with MO_PATH.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for message in _entries(po):
        if message.fuzzy or not _is_translated(message):
            continue
        if isinstance(message.id, str):
            ok = compiled.gettext(message.id) == message.string
        else:
            singular, plural = message.id[0], message.id[1]
            ok = all(compiled.ngettext(singular, plural, n) == message.string[0]
                     for n in (1, 2))  # zh_CN has a single plural form
        if not ok:
            stale.append(_label(message))
    assert not stale, ("caseapp.mo differs from caseapp.po; run `python -m caseapp.i18n "
                       "compile`:\n" + "\n".join(stale))


def test_translations_keep_the_placeholders(po: Catalog) -> None:
    wrong = []
    for message in _entries(po):
        if not _is_translated(message):
            continue
        ids = _strings(message.id)
        expected = set().union(*(_placeholders(i) for i in ids))
        for translated in _strings(message.string):
            try:
                got = _placeholders(translated)
            except ValueError as exc:
                wrong.append(f"{_label(message)}: malformed translation {translated!r} ({exc})")
                continue
            if got != expected:
                wrong.append(f"{_label(message)}: {sorted(expected)} in the source, "
                             f"{sorted(got)} in {translated!r}")
    assert not wrong, "translations whose {placeholders} differ:\n" + "\n".join(wrong)


def test_translations_keep_the_keyboard_accelerators(po: Catalog) -> None:
    wrong = []
    for message in _entries(po):
        if not isinstance(message.id, str) or not _is_translated(message):
            continue
        match = re.search(r"&(\w)", message.id)
        if match and f"(&{match.group(1).upper()})" not in message.string:
            wrong.append(f"{_label(message)} -> {message.string!r}")
    assert not wrong, "accelerators should read like 新建案件(&N):\n" + "\n".join(wrong)


def test_zh_cn_translates_and_en_does_not(english_afterwards: None) -> None:
    assert set_language("zh_CN") == "zh_CN"
    assert current_language() == "zh_CN"
    chinese = _(PROBE)
    assert CJK.search(chinese), chinese
    assert "{ref}" in chinese
    assert set_language("en") == "en"
    assert _(PROBE) == PROBE


def test_default_language_is_simplified_chinese(
    english_afterwards: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASEAPP_LANG", raising=False)
    assert set_language(None) == "zh_CN"
    assert CJK.search(_(PROBE))


def test_environment_chooses_the_language(
    english_afterwards: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEAPP_LANG", "en")
    assert set_language(None) == "en"
    assert _(PROBE) == PROBE


@pytest.mark.parametrize(("requested", "chosen"), [
    ("zh_CN", "zh_CN"),
    ("zh-CN", "zh_CN"),
    ("zh-TW", "zh_CN"),
    ("zh", "zh_CN"),
    ("en", "en"),
    ("fr", "en"),
    ("xx_YY", "en"),
])
def test_language_names_are_normalised(
    english_afterwards: None, requested: str, chosen: str
) -> None:
    assert set_language(requested) == chosen
    assert current_language() == chosen
    assert bool(CJK.search(_(PROBE))) is (chosen == "zh_CN")
