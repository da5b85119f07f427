from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

import onca.workspace
from onca.errors import WorkspaceError
from onca.ingest import ingest_files
from onca.report import Section, TableBlock, write_report
from tests.conftest import HEADER_TX, write

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def images(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', html)]


def test_empty_workspace_reports_without_figures(tmp_path: Path) -> None:
    onca.workspace.open(tmp_path / "ws.duckdb").close()
    html = write_report(tmp_path / "ws.duckdb", tmp_path / "out").read_text(encoding="utf-8")
    assert "Nothing has been ingested yet" in html
    assert "No rows in transactions." in html and "No rows in seizures." in html
    assert images(html) == []


def test_populated_workspace(loaded_ws: Path, tmp_path: Path) -> None:
    path = write_report(loaded_ws, tmp_path / "out", title="Test <report>")
    assert path == tmp_path / "out" / "report.html"
    html = path.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "<title>Test &lt;report&gt;</title>" in html
    assert "Every ingested file adds up" in html
    assert re.search(r"<td>transactions</td><td class=\"num\">3</td>", html)
    pngs = images(html)
    assert len(pngs) == 2 and all(p.startswith(PNG_MAGIC) for p in pngs)
    alts = re.findall(r'<img src="[^"]+" alt="([^"]*)"', html)
    assert len(alts) == 2 and all(len(a) > 20 for a in alts)
    assert "http://" not in html and "https://" not in html  # nothing fetched from outside


def test_user_data_is_escaped(loaded_ws: Path, tmp_path: Path) -> None:
    evil = write(
        tmp_path / "evil.csv",
        HEADER_TX + "<script>alert(1)</script>,2024-01-01,5,USD,A1,A2,wire,x\n",
    )
    ingest_files(loaded_ws, "transactions", [evil])
    bad = write(tmp_path / "bad.csv", HEADER_TX + "E2,2024-01-01,5,<b>XYZ</b>,A1,A2,wire,x\n")
    result = ingest_files(loaded_ws, "transactions", [bad])
    assert result.quarantined == 1
    html = write_report(loaded_ws, tmp_path / "out").read_text(encoding="utf-8")
    assert "<b>XYZ</b>" not in html and "&lt;b&gt;XYZ&lt;/b&gt;" in html
    assert "<script>alert" not in html
    assert "Top quarantine reasons" in html


def test_extra_sections_render_in_order(loaded_ws: Path, tmp_path: Path) -> None:
    extra = [
        Section(
            "Screening alerts", ["3 alerts."], [TableBlock("Alerts", ["id", "score"], [["A", 0.9]])]
        ),
        Section("Screening alerts", ["a second section with the same title"]),
    ]
    html = write_report(loaded_ws, tmp_path / "out", extra_sections=extra).read_text(
        encoding="utf-8"
    )
    assert (  # the summary first, the analyses next, the bookkeeping last
        html.index('id="summary"')
        < html.index('id="screening-alerts"')
        < html.index('id="screening-alerts-2"')
        < html.index('id="transactions"')
        < html.index('id="workspace"')
    )


def test_missing_workspace_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no workspace at"):
        write_report(tmp_path / "absent.duckdb", tmp_path / "out")
