"""`assess` and `rules` through the app's own command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kaatsu_desktop.cli import main
from kaatsu_desktop.clinical import RULES, ClinicSettings, assess_json
from tests.kaatsu_desktop.clinical.builders import screening
from tests.kaatsu_desktop.clinical.test_catalog import book_ids

REPO = Path(__file__).parents[3]


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "screening.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_assess_prints_the_assessment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = screening(systolic_mmhg=170, thrombosis_factors=["varicose_veins"])
    assert main(["assess", write(tmp_path, data)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith('{\n  "format": "kaatsu-assessment/1",')  # indent 2
    assert json.loads(out) == assess_json(data)
    assert json.loads(out)["verdict"] == "clearance"


def test_assess_review_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = write(tmp_path, screening(thrombosis_factors=["varicose_veins"]))  # 3 points
    assert main(["assess", file]) == 0
    assert "S-DVT-2" in capsys.readouterr().out
    assert main(["assess", "--review-threshold", "4", file]) == 0
    out = capsys.readouterr().out
    assert "S-DVT-2" not in out
    expected = assess_json(
        json.loads(Path(file).read_text()), ClinicSettings(thrombosis_review_threshold=4)
    )
    assert json.loads(out) == expected


def test_assess_bad_review_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "--review-threshold", "0", write(tmp_path, screening())]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == "--review-threshold: must be between 1 and 10\n"


def test_assess_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(screening(pregnancy="late"))))
    assert main(["assess", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "contraindicated"


def test_assess_field_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = screening(omit=("sex",), systolic_mmhg=True, symptoms=["headache"])
    assert main(["assess", write(tmp_path, data)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 3
    assert sorted(line.split(":")[0] for line in lines) == ["sex", "symptoms", "systolic_mmhg"]
    assert "systolic_mmhg: must be an integer, got a boolean" in lines


def test_assess_bad_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": "kaatsu-screening/1",', encoding="utf-8")
    assert main(["assess", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("(document): invalid JSON at line 1")


@pytest.mark.parametrize("kind", ["missing", "directory", "not_utf8"])
def test_assess_unreadable_file(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "screening.json"
    if kind == "directory":
        path.mkdir()
    elif kind == "not_utf8":
        path.write_bytes(b'{"sex": "\xff"}')
    assert main(["assess", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"cannot read {path}: ")


def test_rules_table_lists_every_rule_of_the_book(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    first_column = {line.split()[0] for line in out.splitlines() if line and not line[0].isspace()}
    assert first_column - {"id"} == book_ids()
    assert "S-BP-3    contraindicated" in out


def test_rules_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rows} == book_ids()
    by_id = {r["id"]: r for r in rows}
    assert by_id["S-BP-2"]["verdict"] == "clearance" and by_id["S-BP-2"]["source"] == "001 Table 2"
    assert by_id["T-TIME-1"]["verdict"] == "enforced"
    assert by_id["P-HYD-1"]["verdict"] == "required"
    assert all(r["text"] == RULES[r["id"]].text for r in rows)


def test_rules_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    assert {row.split(" | ")[0][2:] for row in rows[1:]} == book_ids()
    assert "- **S-SURG-1**: " in out


def test_module_entry_point_reads_stdin() -> None:
    data = screening(symptoms=["dizziness"])
    proc = subprocess.run(
        [sys.executable, "-m", "kaatsu_desktop", "assess", "-"],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == assess_json(data)
