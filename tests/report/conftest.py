"""A small demo run (5,000 transactions, seed 7) shared by the report tests, with the text
overlaps of every figure it drew."""

from __future__ import annotations

import json
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


def _run_demo(out: Path) -> DemoRun:
    from onca.demo import run

    found: list[tuple[str, list[tuple[str, str]]]] = []
    save = MplFigure.savefig

    def savefig(fig: MplFigure, *args: Any, **kwargs: Any) -> Any:
        names = [ax.get_title() or ax.get_xlabel() or ax.get_ylabel() for ax in fig.axes]
        found.append((" / ".join(n for n in names if n) or "untitled", text_overlaps(fig)))
        return save(fig, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MplFigure, "savefig", savefig)
        result = run(out, transactions=5_000, seed=7)
    return DemoRun(out, result, found)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[DemoRun]:
    """One demo run for the whole session: under xdist the workers share it through a folder
    of this session's temporary tree, the first one to come runs it under a file lock and
    leaves it described in JSON, the others read that (the demo takes about 20 s)."""
    import fcntl

    from onca.demo import DemoResult

    if worker_id == "master":
        yield _run_demo(tmp_path_factory.mktemp("demo"))
        return
    shared = tmp_path_factory.getbasetemp().parent  # this session's, shared by its workers
    described = shared / "demo-run.json"
    with (shared / "demo-run.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not described.is_file():
            done = _run_demo(shared / "demo")
            r = done.result
            described.write_text(
                json.dumps(
                    {
                        "out": str(done.out),
                        "result": [str(r.report), str(r.workspace), str(r.scenario)],
                        "facts": r.facts,
                        "seconds": r.seconds,
                        "figures": done.figures,
                    }
                ),
                encoding="utf-8",
            )
        fcntl.flock(lock, fcntl.LOCK_UN)
    data = json.loads(described.read_text(encoding="utf-8"))
    report, workspace, scenario = map(Path, data["result"])
    result = DemoResult(report, workspace, scenario, data["facts"], data["seconds"])
    figures = [(name, [tuple(o) for o in overlaps]) for name, overlaps in data["figures"]]
    yield DemoRun(Path(data["out"]), result, figures)  # type: ignore[arg-type]
