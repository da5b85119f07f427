"""Section.data carries a section's findings for programs; the page never shows it."""

from __future__ import annotations

from pathlib import Path

import onca.workspace
from onca.report import Section, write_report


def test_data_is_kept_but_not_rendered(tmp_path: Path) -> None:
    assert Section("Empty").data == {}
    section = Section("Found", ["visible text"], data={"secret_number": 424242})
    onca.workspace.open(tmp_path / "ws.duckdb").close()
    path = write_report(
        tmp_path / "ws.duckdb", tmp_path / "out", extra_sections=[section], file_name="x.html"
    )
    assert path == tmp_path / "out" / "x.html" and not (tmp_path / "out" / "report.html").exists()
    html = path.read_text(encoding="utf-8")
    assert "visible text" in html and "424242" not in html
