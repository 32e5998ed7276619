"""The Inno Setup script: per-user install, languages, shortcuts, uninstall (checked as text:
the compiler runs only on Windows, in the Windows workflow)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ISS = REPO / "packaging" / "caseapp.iss"


def sections() -> dict[str, list[str]]:
    text = ISS.read_bytes().decode("utf-8-sig")
    result: dict[str, list[str]] = {}
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";") or line.startswith("#"):
            continue
        match = re.fullmatch(r"\[(\w+)\]", line)
        if match:
            current = match.group(1)
            result.setdefault(current, [])
        elif current:
            result[current].append(line)
    return result


def directives() -> dict[str, str]:
    return dict(line.split("=", 1) for line in sections()["Setup"])


def test_utf8_with_byte_order_mark() -> None:
    data = ISS.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "命令行".encode() in data


def test_per_user_install_without_administrator_rights() -> None:
    setup = directives()
    assert setup["PrivilegesRequired"] == "lowest"
    assert "PrivilegesRequiredOverridesAllowed" not in setup
    assert setup["DefaultDirName"] == "{code:DefaultInstallDir}"
    code = "\n".join(sections()["Code"])
    assert "{userpf}" in code and "IsAscii" in code  # an ASCII folder for non-ASCII profiles
    assert "{commonpf}" not in ISS.read_text(encoding="utf-8-sig")
    assert re.fullmatch(r"\{\{[0-9A-F-]{36}\}", setup["AppId"])
    assert setup["ArchitecturesInstallIn64BitMode"] == "x64compatible"


def test_chinese_and_english() -> None:
    languages = sections()["Languages"]
    assert languages[0].startswith('Name: "chinesesimplified"')
    assert 'MessagesFile: "compiler:Default.isl"' in languages[1]
    text = ISS.read_text(encoding="utf-8-sig")
    assert 'FileExists(AddBackslash(CompilerPath) + "Languages\\ChineseSimplified.isl")' in text
    custom = sections()["CustomMessages"]
    for key in ("CommandLine", "DemoCase"):
        assert any(line.startswith(f"english.{key}=") for line in custom)
        assert any(line.startswith(f"chinesesimplified.{key}=") for line in custom)


def test_files_shortcuts_and_uninstaller() -> None:
    setup = directives()
    files = sections()["Files"]
    assert files == ['Source: "{#BundleDir}\\*"; DestDir: "{app}"; '
                     "Flags: ignoreversion recursesubdirs createallsubdirs"]
    icons = sections()["Icons"]
    assert any(i.startswith('Name: "{autoprograms}\\{#AppName}"; Filename: "{app}\\{#AppExe}"')
               for i in icons)
    assert any("{uninstallexe}" in i for i in icons)
    assert any("--demo" in i for i in icons)
    assert setup["UninstallDisplayIcon"] == "{app}\\{#AppExe}"
    assert setup["SetupIconFile"] == "..\\resources\\icons\\caseapp.ico"
    assert (REPO / "resources" / "icons" / "caseapp.ico").is_file()
    # The uninstaller removes program files only: nothing under the user's data folders.
    for line in sections().get("UninstallDelete", []):
        assert "{app}" in line and "{localappdata}" not in line and "{userappdata}" not in line
    run = sections()["Run"]
    assert "skipifsilent" in run[0] and "postinstall" in run[0]


def test_exe_names_match_the_spec() -> None:
    text = ISS.read_text(encoding="utf-8-sig")
    spec = (REPO / "packaging" / "caseapp.spec").read_text(encoding="utf-8")
    assert '#define AppExe "caseapp.exe"' in text and 'name="caseapp"' in spec
    assert '#define CliExe "caseapp-cli.exe"' in text and 'name="caseapp-cli"' in spec
