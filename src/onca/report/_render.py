"""Render the report: standard sections, then the caller's, into one self-contained HTML file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from onca import __version__
from onca.report._sections import Section, appendix_sections, data_sections
from onca.report._summary import summarize, summary_section
from onca.workspace import Workspace, open_workspace

REPORT_FILE = "report.html"


def _anchor(title: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "section"
    anchor, i = base, 2
    while anchor in used:
        anchor, i = f"{base}-{i}", i + 1
    used.add(anchor)
    return anchor


def write_report(
    workspace: Workspace | Path | str,
    out_dir: Path | str,
    *,
    title: str = "Onca workspace report",
    extra_sections: Sequence[Section] = (),
    file_name: str = REPORT_FILE,
) -> Path:
    """Write ``out_dir/report.html`` (or ``out_dir/file_name``) summarising ``workspace``;
    return its path.

    The page opens with the summary (:func:`onca.report.summarize`: what was found and the
    five things to look at first), then ``extra_sections`` (the analyses), then the data
    (transactions, seizures, shipments), and ends with the bookkeeping (tables, ingest log,
    quarantine). One file with figures embedded as PNG, no external assets, all data escaped.
    Aggregation runs in DuckDB, so the report stays quick on workspaces with millions of rows.
    """
    own = not isinstance(workspace, Workspace)
    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace, create=False)
    try:
        body = [*extra_sections, *data_sections(ws), *appendix_sections(ws)]
        used: set[str] = {"summary", "leads"}
        body = [dataclasses.replace(s, anchor=_anchor(s.anchor or s.title, used)) for s in body]
        rows = {i for s in body for t in s.tables for i in t.row_ids}
        sections = [summary_section(summarize(ws), anchors=used | rows), *body]
        env = Environment(
            loader=PackageLoader("onca.report", "templates"),
            autoescape=select_autoescape(["html"]),
        )
        html = env.get_template("report.html").render(
            title=title,
            sections=sections,
            workspace=str(ws.path),
            version=__version__,
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    finally:
        if own:
            ws.close()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / file_name
    path.write_text(html, encoding="utf-8")
    return path
