"""A throwaway PostgreSQL server from the machine's binaries, for tests, benchmarks and trying
the registry on PostgreSQL without installing a service.

``initdb`` refuses to run as root, so as root the cluster is made and run by the ``postgres``
user (``runuser``); otherwise by the current user. The server listens on 127.0.0.1 on a free
port, trusts local connections, and is stopped and deleted when the context ends.

    with throwaway_postgres() as url:
        engine = make_engine(url)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from onca.errors import OncaError


class PostgresUnavailable(OncaError, RuntimeError):
    """PostgreSQL's server binaries are not on this machine, or the server would not start."""


def _bindir() -> Path:
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(Path(out.stdout.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for c in candidates:
        if (c / "initdb").is_file() and (c / "pg_ctl").is_file():
            return c
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL 15"
        " (Debian: apt-get install postgresql-15) or put pg_config on the PATH"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def throwaway_postgres(*, fsync: bool = False, max_connections: int = 200) -> Iterator[str]:
    """Start a PostgreSQL server in a temporary folder; yield its URL (database ``onca``)."""
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="onca-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    log = root / "server.log"

    def run(cmd: list[str]) -> None:
        done = subprocess.run(_as_owner(cmd), capture_output=True, text=True, check=False)
        if done.returncode:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise PostgresUnavailable(f"{' '.join(cmd)} failed: {done.stderr or done.stdout}{tail}")

    try:
        run(
            [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
        )
        options = (
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1"
            f" -c max_connections={max_connections} -c fsync={'on' if fsync else 'off'}"
        )
        run([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"])
        run(
            [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "onca"]
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/onca"
    finally:
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)
