"""HTML reports: one self-contained page per workspace, with figures, that analyses extend.

>>> from onca.report import write_report
>>> write_report("work.duckdb", "out/")  # doctest: +SKIP
PosixPath('out/report.html')
"""

from onca.report._render import REPORT_FILE, write_report
from onca.report._sections import Figure, Section, TableBlock
from onca.report._summary import Lead, Summary, party_anchor, summarize

__all__ = [
    "REPORT_FILE",
    "Figure",
    "Lead",
    "Section",
    "Summary",
    "TableBlock",
    "party_anchor",
    "summarize",
    "write_report",
]
