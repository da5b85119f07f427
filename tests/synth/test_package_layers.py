"""The synthetic scenario sits above the analyses: synth may use ecology (to simulate a
survey), never the other way round, so there is no import cycle between the two."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import onca.ecology


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_ecology_module_imports_synth() -> None:
    root = Path(onca.ecology.__file__).parent
    offenders = sorted(
        f"{path.relative_to(root)} imports {name}"
        for path in root.rglob("*.py")
        for name in _imports(path)
        if name == "onca.synth" or name.startswith("onca.synth.")
    )
    assert offenders == []


def test_every_ecology_module_imports_on_its_own() -> None:
    for info in pkgutil.walk_packages(onca.ecology.__path__, "onca.ecology."):
        importlib.import_module(info.name)


def test_the_checker_sees_a_lazy_import(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from onca.synth._distribution import x\n", encoding="utf-8")
    assert "onca.synth._distribution" in _imports(sample)
