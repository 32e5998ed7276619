"""caseapp-cli end to end: in-process for most commands, the installed script once."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from caseapp.cli.main import main

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
       b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


class Cli:
    def __init__(self, workspace: Path, db_url: str, capsys: pytest.CaptureFixture[str]):
        self.base = ["--workspace", str(workspace), "--db", db_url]
        self.capsys = capsys

    def run(self, *args: str) -> tuple[int, str, str]:
        code = main([*self.base, *args])
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def json(self, *args: str) -> dict:
        code, out, err = self.run("--json", *args)
        assert code == 0, err
        return json.loads(out)


@pytest.fixture
def cli(workspace: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(workspace, db_url, capsys)


def test_full_flow(cli: Cli, tmp_path: Path) -> None:
    case = cli.json("case", "create", "测试案件")
    assert isinstance(case["id"], int) and case["title"] == "测试案件"
    cid = str(case["id"])
    party = cli.json("party", "add", cid, "杜专员", "--role", "agent",
                     "--id", "mobile:185 0847 7852", "--id", "wechat:jude_du888")
    assert {i["type"]: i["value"] for i in party["identifiers"]} == {
        "mobile": "+8618508477852", "wechat": "jude_du888"}
    shot = tmp_path / "截图.png"
    shot.write_bytes(PNG)
    ev = cli.json("evidence", "add", case["number"], str(shot), "--title", "收款截图",
                  "--purpose", "证明收取定金", "--source", "暗访")
    assert ev["media_type"] == "image/png" and ev["proof_purpose"] == "证明收取定金"
    transcript = tmp_path / "t.txt"
    transcript.write_text("对话内容", encoding="utf-8")
    contact = cli.json("contact", "add", cid, "--channel", "wechat", "--at",
                       "2025-03-04T14:30+08:00", "--summary", "承诺停息挂账", "--party",
                       str(party["id"]), "--fee", "8,000", "--deposit", "500", "--claim",
                       "是律师", "--attach", str(shot), "--attach", str(transcript))
    assert contact["started_at"] == "2025-03-04T06:30:00+00:00"
    assert contact["fee_amount"] == "8000" and contact["claims"] == ["是律师"]
    assert contact["attachments"][0]["id"] == ev["id"]  # same content, same evidence row
    link = cli.json("link", "add", cid, f"party:{party['id']}", f"evidence:{ev['id']}",
                    "--relation", "收款")
    assert link["relation"] == "收款"
    audit = cli.json("audit", "verify", cid)
    assert audit["ok"] and audit["entries"] >= 7
    verify = cli.json("evidence", "verify", cid)
    assert verify == {"ok": True, "checked": 2, "problems": []}
    listed = cli.json("case", "list")
    assert [c["number"] for c in listed["cases"]] == [case["number"]]


def test_tampered_evidence_is_named(cli: Cli, tmp_path: Path, workspace: Path) -> None:
    cid = str(cli.json("case", "create", "t")["id"])
    f = tmp_path / "contract.pdf"
    f.write_bytes(b"%PDF-1.4\n" + b"x" * 1000)
    ev = cli.json("evidence", "add", cid, str(f))
    stored = workspace / "evidence" / ev["sha256"][:2] / ev["sha256"][2:4] / ev["sha256"]
    os.chmod(stored, stat.S_IRUSR | stat.S_IWUSR)
    data = bytearray(stored.read_bytes())
    data[500] ^= 0xFF
    stored.write_bytes(bytes(data))
    code, out, _err = cli.run("evidence", "verify", cid)
    assert code != 0
    assert "contract.pdf" in out and "altered" in out


def test_errors_are_readable_without_traceback(cli: Cli, tmp_path: Path) -> None:
    code, _out, err = cli.run("party", "add", "NO-SUCH", "x")
    assert code == 3 and "NO-SUCH" in err and "Traceback" not in err
    cid = str(cli.json("case", "create", "t")["id"])
    code, _out, err = cli.run("party", "add", cid, "x", "--id", "nonsense")
    assert code == 2 and "TYPE:VALUE" in err
    code, _out, err = cli.run("evidence", "add", cid, str(tmp_path / "missing.png"))
    assert code == 2 and "missing.png" in err
    code, _out, err = cli.run("contact", "add", cid, "--channel", "phone", "--at", "yesterday",
                              "--summary", "x")
    assert code == 2 and "yesterday" in err
    code, _out, err = cli.run("link", "add", cid, "party:1", "evidence:1", "--relation", "r")
    assert code == 3 and "party 1" in err and "(party:1)" in err


def test_audit_verify_fails_on_tampering(cli: Cli, db_url: str) -> None:
    cid = cli.json("case", "create", "t")["id"]
    cli.json("party", "add", str(cid), "A")
    from sqlalchemy import text

    from caseapp.db.session import make_engine

    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor = 'someone else' WHERE seq = 2"))
    engine.dispose()
    code, out, _err = cli.run("audit", "verify", str(cid))
    assert code == 5 and "#2" in out


def test_db_upgrade_and_info(cli: Cli, workspace: Path) -> None:
    first = cli.json("db", "upgrade")
    assert first["from"] is None and first["to"] and first["backup"] is None
    again = cli.json("db", "upgrade")
    assert again["from"] == again["to"] == first["to"]
    info = cli.json("db", "info")
    assert info["workspace"] == str(workspace.resolve())


def test_chinese_messages_by_default(workspace: Path, db_url: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--lang", "zh_CN", "--workspace", str(workspace), "--db", db_url, "party",
                 "add", "NO-SUCH", "x"])
    err = capsys.readouterr().err
    from caseapp.i18n import set_language

    set_language("en")
    assert code == 3 and "NO-SUCH" in err and "案件" in err


def test_installed_console_script(tmp_path: Path) -> None:
    """The real entry point, in a separate process, on a fresh workspace."""
    exe = shutil.which("caseapp-cli", path=str(Path(sys.executable).parent))
    assert exe, "caseapp-cli is not installed next to this Python"
    env = {**os.environ, "CASEAPP_WORKSPACE": str(tmp_path / "ws"), "CASEAPP_LANG": "en"}
    env.pop("CASEAPP_DATABASE_URL", None)
    out = subprocess.run([exe, "--json", "case", "create", "测试案件"], env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    case = json.loads(out.stdout)
    assert case["title"] == "测试案件"
    assert (tmp_path / "ws" / "caseapp.db").exists() and (tmp_path / "ws" / "evidence").is_dir()
    demo = subprocess.run([sys.executable, "-m", "caseapp.cli", "--json", "demo"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert demo.returncode == 0, demo.stderr
    verify = subprocess.run([exe, "audit", "verify", json.loads(demo.stdout)["number"]],
                            env=env, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_complaints_import_and_list(cli: Cli, samples: Path, tmp_path: Path) -> None:
    cid = str(cli.json("case", "create", "投诉")["id"])
    summary = cli.json("complaints", "import", cid, str(samples / "complaints_excel.csv"))
    truth = json.loads((samples / "complaints_excel.truth.json").read_text(encoding="utf-8"))
    assert summary["ok"] and summary["encoding"] == "gb18030"
    assert summary["rows_imported"] == truth["unique_complaints"]
    listed = cli.json("complaints", "list", cid)
    assert listed["total"] == truth["unique_complaints"]
    first = listed["complaints"][0]
    for key in ("external_number", "received_at", "channel", "customer_name",
                "customer_id_number", "customer_phone", "agent_name", "agent_phone", "product",
                "category", "text", "amount"):
        assert key in first
    found = cli.json("complaints", "list", cid, "--search", "停息挂账")
    assert 0 < found["total"] < listed["total"]
    assert all("停息挂账" in c["text"] for c in found["complaints"])
    # a second import adds nothing
    again = cli.json("complaints", "import", cid, str(samples / "complaints_excel.csv"))
    assert again["rows_imported"] == 0
    assert again["rows_duplicate"] == again["rows_read"]


def test_complaints_import_refuses_broken_file(cli: Cli, samples: Path) -> None:
    cid = str(cli.json("case", "create", "t")["id"])
    code, out, err = cli.run("complaints", "import", cid, str(samples / "broken_ragged.csv"))
    truth = json.loads((samples / "broken_ragged.truth.json").read_text(encoding="utf-8"))
    assert code == 2 and out == ""
    assert "broken_ragged.csv" in err and "nothing was imported" in err
    for line in truth["lines"]:
        assert f"line {line}" in err
    code, out, _err = cli.run("--json", "complaints", "import", cid,
                              str(samples / "broken_ragged.csv"))
    data = json.loads(out)
    assert code == 2 and data["ok"] is False and data["problem_count"] == len(truth["lines"])
    assert cli.json("complaints", "list", cid)["total"] == 0


def test_analyze_json_and_accept(cli: Cli, samples: Path) -> None:
    cid = str(cli.json("case", "create", "分析")["id"])
    cli.json("complaints", "import", cid, str(samples / "complaints_small.csv"))
    data = cli.json("analyze", cid)
    assert set(data) >= {"clusters", "repeat_complainants", "shared_identifiers",
                         "suspicious_claims"}
    assert data["clusters"] and all(len(c) >= 2 for c in data["clusters"])
    numbers = [n for c in data["clusters"] for n in c]
    assert len(numbers) == len(set(numbers))
    top = data["shared_identifiers"][0]
    party = cli.json("analyze", cid, "--accept", f"{top['type']}:{top['value']}",
                     "--name", "团伙A")
    assert party["name"] == "团伙A"
    again = cli.json("analyze", cid, "--no-run")
    assert again["shared_identifiers"][0]["party_id"] == party["id"]
    code, _out, err = cli.run("analyze", cid, "--threshold", "1.5")
    assert code == 2 and "between 0 and 1" in err


def test_compare_two_complaints_of_a_group(cli: Cli, samples: Path) -> None:
    cid = str(cli.json("case", "create", "比对")["id"])
    cli.json("complaints", "import", cid, str(samples / "complaints_small.csv"))
    group = cli.json("analyze", cid)["clusters"][0]
    data = cli.json("complaints", "compare", cid, group[0], group[1])
    assert data["a"]["number"] == group[0] and data["b"]["number"] == group[1]
    for side in ("a", "b"):
        spans = data[side]["spans"]
        # the spans tile the text from start to end
        assert spans[0]["start"] == 0 and spans[-1]["end"] == len(data[side]["text"])
        assert all(x["end"] == y["start"] for x, y in itertools.pairwise(spans))
    same = [p for p in data["passages"] if p["kind"] == "same"]
    assert same and data["shared_a"] > 0.5
    for p in same:  # a shared passage has the same wording on both sides
        a = data["a"]["text"][p["a"][0]:p["a"][1]]
        b = data["b"]["text"][p["b"][0]:p["b"][1]]
        strip = str.maketrans("", "", "，。、；：！？,.;:!? \n")
        assert a.translate(strip) == b.translate(strip), (a, b)
    code, out, _err = cli.run("complaints", "compare", cid, group[0], group[1])
    assert code == 0 and out.splitlines()[1].startswith("  ")
    code, _out, err = cli.run("complaints", "compare", cid, group[0], "NO-SUCH")
    assert code != 0 and "NO-SUCH" in err


def test_a_reader_that_goes_away_is_not_an_error(tmp_path: Path) -> None:
    """`caseapp-cli … | head`: the pipe closes before the output is written."""
    ws = str(tmp_path / "ws")
    assert main(["--workspace", ws, "case", "create", "管道", "--number", "P-1"]) == 0
    proc = subprocess.Popen([sys.executable, "-m", "caseapp.cli", "--workspace", ws,
                             "case", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # long before the child has imported caseapp
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_json_may_follow_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(tmp_path / "ws")
    assert main(["--workspace", ws, "case", "create", "位置", "--number", "J-1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["number"] == "J-1"
    assert main(["--workspace", ws, "analyze", "J-1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["clusters"] == []
