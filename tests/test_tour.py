"""docs/tour.md runs as written: every command of its bash blocks, in order, in an empty folder,
each reading only files that the commands before it wrote; README's tour is a part of it."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onca.cli import app

ROOT = Path(__file__).resolve().parents[1]
TOUR = ROOT / "docs" / "tour.md"
README = ROOT / "README.md"
runner = CliRunner()


def commands(markdown: Path) -> list[str]:
    """The command lines of a page's ```bash blocks."""
    lines, inside = [], False
    for line in markdown.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = line.strip() == "```bash"
            continue
        if inside and line.strip():
            lines.append(line.strip())
    return lines


def bare(command: str) -> str:
    """A command without its comment and spacing, to compare README with the tour."""
    return " ".join(command.split(" #", 1)[0].split())


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCA_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "100"
    return env


def _wait_for(url: str, server: subprocess.Popen[str], seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return str(answer.read().decode("utf-8"))
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    out, _ = server.communicate(timeout=10) if server.poll() is not None else ("", "")
    raise AssertionError(f"{url} did not answer; the server said: {out}")


def _serve(command: str, folder: Path, env: dict[str, str]) -> None:
    """Start a command that serves until stopped, check it answers, stop it."""
    port = re.search(r"--port (\d+)", command)
    assert port, f"{command}: a serving command in the tour names its --port"
    server = subprocess.Popen(
        ["bash", "-c", command],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port.group(1)}"
        assert json.loads(_wait_for(f"{base}/health", server))["status"] == "ok"
        assert "<form" in _wait_for(f"{base}/console/", server)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)


def _run_here(command: str) -> None:
    """Run one ``onca`` command line in this process, split as bash splits it."""
    words = shlex.split(command, comments=True)
    assert words[0] == "onca", f"{command}: the tour runs onca commands"
    started = time.monotonic()
    result = runner.invoke(app, words[1:], catch_exceptions=True)
    said = f"{command}\n{result.output[-3000:]}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(said) from result.exception
    assert result.exit_code == 0, said
    if "--json" in words:
        json.loads(result.stdout)
    print(f"{time.monotonic() - started:6.1f} s  {bare(command)}")


@pytest.mark.xdist_group("tour")
def test_the_tour_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run in this process (as bash would split them) to spare fifty interpreter
    starts; the one that serves runs as its own process, as written, and is stopped."""
    for name in [k for k in os.environ if k.startswith("ONCA_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(tmp_path)
    env = _environment()
    for command in commands(TOUR):
        if command.startswith("export "):  # as bash: for every command after it
            name, value = shlex.split(command, comments=True)[1].split("=", 1)
            monkeypatch.setenv(name, value)
            env[name] = value
        elif "registry serve" in command:
            _serve(command, tmp_path, env)
        else:
            _run_here(command)


def test_readme_tour_is_part_of_the_tested_tour() -> None:
    tour = {bare(c) for c in commands(TOUR)}
    readme = [bare(c) for c in commands(README)]
    assert readme, "README.md has a bash block with the short tour"
    missing = [c for c in readme if c.startswith(("onca ", "ONCA_")) and c not in tour]
    assert not missing, f"README commands that docs/tour.md does not run: {missing}"
