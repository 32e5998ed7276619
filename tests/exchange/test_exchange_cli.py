"""caseapp-cli exchange …: keys, export, import, matches and refusals end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseapp.cli.main import main


class Cli:
    def __init__(self, workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.base = ["--lang", "en", "--workspace", str(workspace)]
        self.capsys = capsys

    def run(self, *args: str) -> tuple[int, str, str]:
        code = main([*self.base, *args])
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def ok(self, *args: str) -> str:
        code, out, err = self.run(*args)
        assert code == 0, err
        return out

    def json(self, *args: str) -> dict:
        return json.loads(self.ok("--json", *args))


def test_exchange_from_the_command_line(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    a, b = Cli(tmp_path / "A", capsys), Cli(tmp_path / "B", capsys)
    key, a_pub, b_pub = (str(tmp_path / n) for n in ("k.json", "a.pub", "b.pub"))
    out = a.ok("exchange", "identity", "create", "BANKA", "甲银行")
    assert "Public key fingerprint:" in out
    fp_a = a.json("exchange", "identity", "show")["fingerprint"]
    assert fp_a in out
    a.ok("exchange", "key", "new", "alliance-2025", "--out", key)
    code, _out, err = a.run("exchange", "key", "new", "alliance-2025", "--out", key)
    assert code != 0 and "already exists" in err  # never overwrites a secret
    assert a.json("exchange", "key", "add", key)["for_export"] is True
    a.ok("exchange", "identity", "export", "--out", a_pub)
    b.ok("exchange", "identity", "create", "BANKB", "乙银行")
    b.ok("exchange", "key", "add", key)
    b.ok("exchange", "identity", "export", "--out", b_pub)
    assert fp_a in b.ok("exchange", "member", "add", a_pub)
    a.ok("exchange", "member", "add", b_pub)
    assert [m["code"] for m in b.json("exchange", "member", "list")["members"]] == ["BANKA"]
    assert [k["key_id"] for k in b.json("exchange", "key", "list")["keys"]] == ["alliance-2025"]

    case_a = a.json("case", "create", "甲案")["number"]
    a.ok("party", "add", case_a, "杜专员", "--role", "agent", "--id", "mobile:185 0847 7852",
         "--id", "wechat:jude_du888")
    a.ok("party", "add", case_a, "张三", "--role", "complainant", "--id", "mobile:13800001111")
    case_b = b.json("case", "create", "乙案")["number"]
    b.ok("party", "add", case_b, "杜某", "--id", "mobile:+86 18508477852")

    dry = a.json("exchange", "export", case_a, "--out", str(tmp_path / "none.json"),
                 "--dry-run")
    assert dry["entries"] == 2 and not (tmp_path / "none.json").exists()
    exported = a.json("exchange", "export", case_a, "--out", str(tmp_path / "a.json"))
    assert exported["entries"] == 2 and exported["parties"] == 1
    data = (tmp_path / "a.json").read_bytes()
    assert b"13800001111" not in data and b"18508477852" not in data

    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(data.replace(b'"complaints":0', b'"complaints":1', 1))
    code, _out, err = b.run("exchange", "import", str(tampered))
    assert code == 2 and "tampered.json: refused:" in err and "signature does not verify" in err
    assert b.json("exchange", "files")["files"] == []

    imported = b.json("exchange", "import", str(tmp_path / "a.json"))
    assert imported["issuer_code"] == "BANKA" and imported["matched_identifiers"] == 1
    assert imported["file_sha256"] == exported["file_sha256"]
    matches = json.loads(b.ok("exchange", "matches", case_b, "--json"))
    assert [(m["type"], m["value"], m["institutions"]) for m in matches["matches"]] == [
        ("mobile", "+8618508477852", 1)]
    assert matches["parties"][0]["name"] == "杜某"
    assert matches["matches"][0]["reports"][0]["code"] == "BANKA"
    text = b.ok("exchange", "matches", case_b)
    assert "also reported by 1 other institution (first seen" in text and "甲银行" in text
    code, _out, err = b.run("exchange", "import", str(tmp_path / "a.json"))
    assert code == 2 and "already imported" in err
    audit = b.json("audit", "list", case_b)["entries"]
    assert any(e["action"] == "exchange.import" and exported["file_sha256"] in e["summary"]
               for e in audit)
    assert len(b.json("exchange", "files")["files"]) == 1


def test_missing_setup_is_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(tmp_path / "A", capsys)
    number = cli.json("case", "create", "案")["number"]
    cli.ok("party", "add", number, "代理", "--role", "agent", "--id", "mobile:13900001111")
    code, _out, err = cli.run("exchange", "export", number, "--out", str(tmp_path / "x.json"))
    assert code == 3 and "exchange identity create CODE NAME" in err
    cli.ok("exchange", "identity", "create", "BANKA", "甲银行")
    code, _out, err = cli.run("exchange", "export", number, "--out", str(tmp_path / "x.json"))
    assert code == 3 and "exchange key add FILE" in err
    assert not (tmp_path / "x.json").exists()
