"""The registry as a real server process on a real PostgreSQL: 100 concurrent writers lose and
duplicate nothing; a server killed with SIGKILL in the middle of a bulk import leaves the import
whole or absent, and the audit chain verifies after the restart."""

from __future__ import annotations

import contextlib
import csv
import io
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import sqlalchemy as sa

from onca.registry import verify
from onca.registry._db import session_factory
from tests.registry.conftest import LiveServer, build_registry, engine_for, seizure

pytestmark = pytest.mark.slow


def test_100_concurrent_writers_lose_and_duplicate_nothing(
    pg_url: str, live_server: Callable[..., LiveServer]
) -> None:
    reg = build_registry(pg_url, {"PE-SERFOR": ("PE", "wildlife")}, ("editor",))
    headers = reg.as_("PE-SERFOR", "editor")
    server = live_server(pg_url, workers=2)

    def write(i: int) -> list[int]:
        # each writer sends its seizure twice, as a client retrying after a timeout would
        with httpx.Client(base_url=server.base, headers=headers, timeout=60) as c:
            return [c.post("/seizures", json=seizure(f"W-{i:03d}")).status_code for _ in range(2)]

    with ThreadPoolExecutor(100) as pool:
        codes = Counter(code for pair in pool.map(write, range(100)) for code in pair)
    assert codes == {201: 100, 409: 100}
    engine = engine_for(pg_url)
    with engine.connect() as conn:
        refs = conn.execute(sa.text("SELECT reference FROM seizures")).scalars().all()
        links = conn.execute(
            sa.text("SELECT count(*) FROM audit_log WHERE action = 'create'")
        ).scalar_one()
    assert sorted(refs) == [f"W-{i:03d}" for i in range(100)]
    assert links == 100  # one link per seizure, none for the refused duplicates
    with session_factory(engine)() as session:
        assert verify(session).ok
    engine.dispose()


def _import_file(rows: int) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "reference",
            "seized_on",
            "country",
            "taxon",
            "commodity",
            "quantity",
            "unit",
            "origin_country",
            "destination_country",
            "person_name",
            "person_birth_date",
        ]
    )
    for i in range(rows):
        w.writerow(
            [
                f"BULK-{i:05d}",
                "2026-02-01",
                "PE",
                "Panthera onca",
                "skins",
                1,
                "number",
                "BO",
                "CN",
                f"Persona {i} Mamani",
                "1979-06-30",
            ]
        )
    return out.getvalue().encode()


def test_kill_9_during_a_bulk_import_leaves_it_whole_or_absent(
    pg_url: str, live_server: Callable[..., LiveServer]
) -> None:
    reg = build_registry(pg_url, {"PE-SERFOR": ("PE", "wildlife")}, ("editor",))
    headers = reg.as_("PE-SERFOR", "editor")
    server = live_server(pg_url)
    with httpx.Client(base_url=server.base, headers=headers, timeout=30) as c:
        assert c.post("/seizures", json=seizure("BEFORE-1")).status_code == 201
    content = _import_file(3000)
    engine = engine_for(pg_url)

    def upload() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server dies under it
            httpx.post(
                server.base + "/imports/seizures?wait=60",
                headers=headers,
                timeout=120,
                files={"file": ("bulk.csv", content, "text/csv")},
            )

    thread = threading.Thread(target=upload)
    thread.start()
    deadline, inserting = time.monotonic() + 60, 0
    with engine.connect() as conn:  # wait until the import's transaction has written rows
        while time.monotonic() < deadline and inserting == 0:
            inserting = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
                    " AND xact_start < clock_timestamp() - interval '1 second'"
                )
            ).scalar_one()
            conn.rollback()  # the statistics view is a snapshot per transaction
            time.sleep(0.05)
    assert inserting, "the import never started"
    server.kill9()
    thread.join(30)
    restarted = live_server(pg_url)
    with engine.connect() as conn:
        bulk = conn.execute(
            sa.text("SELECT count(*) FROM seizures WHERE reference LIKE 'BULK-%'")
        ).scalar_one()
    assert bulk in (0, 3000)
    assert bulk == 0  # killed before it committed: nothing of it is there
    with session_factory(engine)() as session:
        check = verify(session)
    assert check.ok, check.reason
    with httpx.Client(base_url=restarted.base, headers=headers, timeout=120) as c:
        again = c.post(
            "/imports/seizures?wait=60", files={"file": ("bulk.csv", content, "text/csv")}
        )
        assert again.status_code == 201 and again.json()["imported"] == 3000
        assert (
            c.get("/seizures", params={"date_from": "2026-02-01", "date_to": "2026-02-01"}).json()[
                "total"
            ]
            == 3000
        )
    with session_factory(engine)() as session:
        assert verify(session).ok
    engine.dispose()


def test_forwarded_headers_count_only_from_trusted_proxies(
    tmp_path: object, live_server: Callable[..., LiveServer]
) -> None:
    """Rotating X-Forwarded-For from loopback once bypassed the sign-in throttle (and could
    lock out a victim's address); without --trusted-proxies the header is ignored, and a valid
    token still works from a throttled address."""
    from onca.registry._auth import MAX_FAILURES

    url = f"sqlite:///{tmp_path}/r.db"
    reg = build_registry(url, {"PE-SERFOR": ("PE", "wildlife")}, ("viewer",))
    server = live_server(url)
    with httpx.Client(base_url=server.base, timeout=30) as c:
        codes = [
            c.get(
                "/me",
                headers={"Authorization": "Bearer onca_00_bad", "X-Forwarded-For": f"10.9.8.{i}"},
            ).status_code
            for i in range(MAX_FAILURES + 2)
        ]
        assert codes[:MAX_FAILURES] == [401] * MAX_FAILURES and codes[-1] == 429, codes
        assert c.get("/me", headers=reg.as_("PE-SERFOR", "viewer")).status_code == 200
