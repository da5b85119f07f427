"""Registry fixtures: a real throwaway PostgreSQL server (the machine's PostgreSQL 15) and SQLite
files; registries with agencies, users and tokens; a live server process for the tests that
kill it or load it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from onca.registry import create_app, make_engine, throwaway_postgres
from onca.registry._admin import add_agency, add_user
from onca.registry._db import session_factory
from onca.registry._serve import wait_until_up
from onca.registry._throwaway import free_port


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """One PostgreSQL 15 server for the test session (each test gets its own database)."""
    with throwaway_postgres(max_connections=300) as url:
        yield url


def fresh_database(server_url: str) -> str:
    name = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that uses it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.db'}"
    return fresh_database(request.getfixturevalue("postgres"))


@pytest.fixture
def pg_url(postgres: str) -> str:
    return fresh_database(postgres)


@dataclass
class Registry:
    """A registry with agencies and users; ``tokens[(agency, role)]`` holds each user's token."""

    url: str
    client: TestClient
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    def as_(self, agency: str, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[(agency, role)]}"}


AGENCIES = {  # code: (country, kind)
    "PE-SERFOR": ("PE", "wildlife"),
    "BO-POL": ("BO", "police"),
    "BR-IBAMA": ("BR", "wildlife"),
    "CO-DIAN": ("CO", "customs"),
    "EC-UAFE": ("EC", "fiu"),
}
ROLES = ("viewer", "analyst", "editor", "admin")


def build_registry(
    url: str, agencies: dict[str, tuple[str, str]] = AGENCIES, roles: tuple[str, ...] = ROLES
) -> Registry:
    engine = make_engine(url)
    app = create_app(engine)
    reg = Registry(url, TestClient(app, raise_server_exceptions=False))
    with session_factory(engine)() as session:
        for code, (country, kind) in agencies.items():
            add_agency(session, code, code, country, kind)
        for code in agencies:
            for role in roles:
                reg.tokens[(code, role)] = add_user(session, code, f"{role}@{code}", role).token
        session.commit()
    return reg


@pytest.fixture
def registry(db_url: str) -> Iterator[Registry]:
    reg = build_registry(db_url)
    yield reg
    reg.client.app.state.engine.dispose()


def seizure(reference: str, **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "reference": reference,
        "seized_on": "2026-03-14",
        "country": "PE",
        "place": "Callao port",
        "transport_mode": "sea",
        "lat": -12.05,
        "lon": -77.15,
        "chain": [
            {"role": "origin", "country": "BO", "share": 1.0},
            {"role": "transit", "country": "PE", "custody": True},
            {"role": "destination", "country": "CN"},
        ],
        "specimens": [
            {
                "taxon": "Panthera onca",
                "commodity": "teeth",
                "quantity": 24,
                "unit": "number",
                "value_usd": 9600,
            }
        ],
    }
    body.update(extra)
    return body


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    base: str

    def kill9(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Start ``onca registry serve`` as its own process (group) on a database URL."""
    started: list[LiveServer] = []

    def start(url: str, workers: int = 1) -> LiveServer:
        port = free_port()
        log = (tmp_path / f"server-{port}.log").open("wb")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "onca",
                "registry",
                "serve",
                "--db",
                url,
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base)
        except TimeoutError:
            proc.kill()
            raise RuntimeError(
                "the registry server did not start: "
                + (tmp_path / f"server-{port}.log").read_text()[-2000:]
            ) from None
        server = LiveServer(url, proc, base)
        started.append(server)
        return server

    yield start
    for s in started:
        if s.process.poll() is None:
            os.killpg(s.process.pid, signal.SIGTERM)
            s.process.wait(20)


def engine_for(url: str) -> sa.Engine:
    return make_engine(url, pool_size=2)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test item, so fixtures can tell a failed test."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)
