"""Numbers that agree: every measured figure in README.md is one that the document it cites
(a doc it links in the same paragraph or bullet, or benchmarks/RESULTS.md) reports, with the
command and machine there. A figure changed in one place and not the other fails here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"

FIGURE = re.compile(r"(?<![\w.,-])(\d+\.\d+|\d+e-\d+|\d{1,3}(?:,\d{3})+)(?![\w]|\.\d)")
"""A measured-looking figure: a decimal (0.996, 1.1), a power (4e-4) or a grouped count."""

LINK = re.compile(r"\]\(((?:docs|benchmarks)/[\w./-]+\.md)\)")

NOT_MEASURED = {"3.11"}
"""Figures that are facts, not measurements (the Python version)."""


def blocks(markdown: str) -> list[str]:
    """Paragraphs and bullets of the prose (code blocks left out)."""
    prose = re.sub(r"```.*?```", "", markdown, flags=re.S)
    return [b for b in re.split(r"\n\s*\n|\n(?=- )", prose) if b.strip()]


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("\u2212", "-")


def test_readme_figures_are_the_cited_documents_figures() -> None:
    results = _normal(RESULTS.read_text(encoding="utf-8"))
    problems = []
    for block in blocks(README.read_text(encoding="utf-8")):
        figures = [f for f in FIGURE.findall(block) if f not in NOT_MEASURED]
        if not figures:
            continue
        cited = results + "".join(
            _normal((ROOT / link).read_text(encoding="utf-8")) for link in LINK.findall(block)
        )
        problems += [
            f"{figure!r} in: {_normal(block)[:100]}..."
            for figure in figures
            if not re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d])", cited)
        ]
    assert not problems, "README figures that no cited document reports:\n" + "\n".join(problems)


def test_the_check_catches_a_changed_figure() -> None:
    block = "F1 0.12345 on FEBRL4, see [docs/resolve.md](docs/resolve.md)"
    (figure,) = FIGURE.findall(block)
    cited = _normal((ROOT / "docs" / "resolve.md").read_text(encoding="utf-8"))
    assert figure == "0.12345" and figure not in cited
