"""A small demo run (5,000 transactions, seed 7) shared by the report tests, with the text
overlaps of every figure it drew."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from matplotlib.figure import Figure as MplFigure

from onca.report._figures import text_overlaps


@dataclass
class DemoRun:
    """The demo's output folder, its result, and per figure drawn: its texts' overlaps."""

    out: Path
    result: Any
    figures: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    from onca.demo import run

    out = tmp_path_factory.mktemp("demo")
    found: list[tuple[str, list[tuple[str, str]]]] = []
    save = MplFigure.savefig

    def savefig(fig: MplFigure, *args: Any, **kwargs: Any) -> Any:
        names = [ax.get_title() or ax.get_xlabel() or ax.get_ylabel() for ax in fig.axes]
        found.append((" / ".join(n for n in names if n) or "untitled", text_overlaps(fig)))
        return save(fig, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MplFigure, "savefig", savefig)
        result = run(out, transactions=5_000, seed=7)
    yield DemoRun(out, result, found)
