"""Commands start quickly (issue 20): importing ``onca.registry`` loads no web application, the
``onca`` command's module loads no analysis library, and a registry admin command loads neither
the service nor Alembic. Times are measured here, in the same run, against a baseline, so that a
slow or busy machine slows both alike."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from onca.registry import make_engine, migrate

ROUNDS = 5
LIMIT = 3.0

SERVICE = ("fastapi", "starlette", "uvicorn", "jinja2", "onca.registry.app")
ANALYSIS = ("lightgbm", "sklearn", "scipy", "igraph", "numpy", "onca.network", "splink")
DATA = ("duckdb", "pyarrow", "sqlalchemy", "pandas", "alembic", "pydantic")
"""Typer itself loads Pydantic when a command runs (it checks option values with it); importing
``onca.cli`` does not."""


def _cpu_seconds(code: str) -> float:
    """The processor time (user and system) a fresh interpreter takes to run ``code``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHONPROFILE")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _best_seconds(codes: Sequence[str]) -> dict[str, float]:
    """The least processor time each piece of code takes in a fresh interpreter, over
    ``ROUNDS`` rounds that run them in turn. Processor time, not wall time: a machine busy with
    other work delays a process far more than it adds to the time it computes; and in turn, so
    that a busy moment weighs on each of them, not on one."""
    for code in codes:  # once first, for the bytecode caches
        _cpu_seconds(code)
    best = dict.fromkeys(codes, float("inf"))
    for _ in range(ROUNDS):
        for code in codes:
            best[code] = min(best[code], _cpu_seconds(code))
    return best


def _loaded(code: str, names: Sequence[str], env: dict[str, str] | None = None) -> list[str]:
    """Which of ``names`` (packages or modules) are imported once ``code`` has run."""
    probe = (
        "import atexit, json, sys\n"
        f"names = {list(names)!r}\n"
        "atexit.register(lambda: print('\\nLOADED=' + json.dumps(sorted(n for n in names"
        " if n in sys.modules))))\n" + code
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], env=os.environ | (env or {}), capture_output=True, text=True
    )
    line = [x for x in result.stdout.splitlines() if x.startswith("LOADED=")]
    assert line, result.stdout + result.stderr
    return list(json.loads(line[-1].removeprefix("LOADED=")))


def test_importing_the_registry_costs_under_three_bare_interpreters() -> None:
    best = _best_seconds(["pass", "import onca.registry"])
    ratio = best["import onca.registry"] / best["pass"]
    assert ratio <= LIMIT, f"import onca.registry takes {ratio:.1f}x a bare interpreter: {best}"


def test_the_command_line_module_costs_under_three_typer_imports() -> None:
    # Typer and Rich alone cost several bare interpreters; what Onca adds is measured against them.
    best = _best_seconds(["import typer", "import onca.cli"])
    ratio = best["import onca.cli"] / best["import typer"]
    assert ratio <= LIMIT, f"import onca.cli takes {ratio:.1f}x import typer: {best}"


def test_importing_the_registry_and_the_cli_loads_no_heavy_library() -> None:
    assert _loaded("import onca.registry", (*SERVICE, *ANALYSIS, *DATA)) == []
    assert _loaded("import onca.cli", (*SERVICE, *ANALYSIS, *DATA)) == []


def test_public_names_still_load_when_asked_for() -> None:
    import onca.registry

    for name in onca.registry.__all__:
        assert callable(getattr(onca.registry, name)), name


def test_a_registry_admin_command_loads_no_service_and_no_alembic(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    engine = make_engine(db)
    migrate(engine)  # as onca registry init leaves it
    engine.dispose()
    command = (
        "import sys\n"
        "from onca.cli import main\n"
        "sys.argv = ['onca', 'registry', 'agency', 'add', 'PE-SERFOR', '--name', 'SERFOR',"
        f" '--country', 'PE', '--kind', 'wildlife', '--db', {db!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
    )
    api = ("onca.registry._schemas", "onca.registry._cases")  # an agreement's, not an agency's
    assert _loaded(command, (*SERVICE, *ANALYSIS, *api, "alembic")) == []
    engine = make_engine(db)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT code FROM agencies").scalars().all() == ["PE-SERFOR"]
    engine.dispose()


def test_drawing_a_network_loads_no_learning_and_no_exporters() -> None:
    # The console's case page draws its network with onca.network's view, and no more.
    heavy = ("lightgbm", "sklearn", "followthemoney", "onca.network._learn", "onca.network._export")
    assert _loaded("import onca.network._view", heavy) == []
    assert _loaded("from onca.network import network_html", heavy) == []


def test_the_web_application_loads_no_learning_and_no_graph_library() -> None:
    # The console draws a case's network with igraph only when a case page is asked for.
    heavy = ("lightgbm", "sklearn", "igraph", "onca.network", "onca.network._view")
    assert _loaded("import onca.registry as r; r.create_app('sqlite://')", heavy) == []
