"""Take the README's screenshots of the console: a throwaway SQLite registry with the scenario's
seizures (``onca synth``'s seizures.csv, imported through the API as one agency's records and a
partner's), its screening alerts when a demo workspace is given, and Debian's Chromium driven
by Playwright.

    .venv/bin/python scripts/console_screenshot.py --demo onca-demo --out docs/
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from onca.registry import make_engine
from onca.registry._admin import add_agency, add_agreement_cli, add_user, agency_by_code
from onca.registry._alerts import import_alerts
from onca.registry._db import migrate, session_factory
from onca.registry._serve import wait_until_up
from onca.registry._throwaway import free_port

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip
COLUMNS = ["reference", "seized_on", "country", "place", "lat", "lon", "transport_mode", "taxon", "commodity",
           "quantity", "unit", "value_usd", "origin_country", "transit_countries", "destination_country"]  # fmt: skip


def registry_rows(seizures_csv: Path) -> tuple[bytes, bytes]:
    """The scenario's seizures as two import files (Peru's agency and Bolivia's police)."""
    files = {"PE": io.StringIO(), "BO": io.StringIO()}
    writers = {k: csv.writer(f) for k, f in files.items()}
    for w in writers.values():
        w.writerow(COLUMNS)
    with seizures_csv.open(encoding="utf-8") as fh:
        for i, r in enumerate(csv.DictReader(fh)):
            who = "BO" if r["country"] == "BO" else "PE"
            unit = r["unit"] if r["unit"] in ("number", "kg", "g") else "number"
            writers[who].writerow([r["seizure_id"], r["ts"][:10], r["country"], r["place"], r["lat"], r["lon"],
                                   r["transport_mode"] or "", r["taxon"], r["commodity"][:100], r["quantity"] or 1, unit,
                                   r["value_usd"], r["origin_country"], r["transit_countries"], r["destination_country"]])  # fmt: skip
            if i > 2000:
                break
    return files["PE"].getvalue().encode(), files["BO"].getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo", type=Path, default=Path("onca-demo"), help="an onca demo folder")
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    db = Path(tempfile.mkdtemp()) / "registry.db"
    engine = make_engine(str(db))
    migrate(engine)
    with session_factory(engine)() as session:
        add_agency(session, "PE-SERFOR", "SERFOR", "PE", "wildlife")
        add_agency(session, "BO-POL", "Policía Boliviana", "BO", "police")
        pe = add_user(session, "PE-SERFOR", "ana.quispe", "editor").token
        bo = add_user(session, "BO-POL", "carlos.mamani", "editor").token
        add_agreement_cli(session, "BO-POL", "PE-SERFOR", "seizure", None, "2020-01-01", None)
        workspace = args.demo / "onca.duckdb"
        if workspace.exists():
            import_alerts(session, agency_by_code(session, "PE-SERFOR"), workspace, limit=40)
        session.commit()
    engine.dispose()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "onca", "registry", "serve", "--db", str(db), "--port", str(port),
                               "--reports", str(args.demo)], start_new_session=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        pe_rows, bo_rows = registry_rows(args.demo / "data" / "seizures.csv")
        for token, content in ((pe, pe_rows), (bo, bo_rows)):
            auth = {"Authorization": f"Bearer {token}"}
            r = httpx.post(base + "/imports/seizures?wait=60", headers=auth, timeout=300,
                           files={"file": ("seizures.csv", content, "text/csv")})  # fmt: skip
            while r.status_code == 202:  # still running: poll the job
                time.sleep(1)
                r = httpx.get(base + r.headers["Location"], headers=auth, timeout=30)
                if r.json()["status"] not in ("queued", "running"):
                    break
            r.raise_for_status()
        args.out.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=ARGS
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="es-PE")
            page.goto(base + "/console/signin")
            page.get_by_label("Token de la API").fill(pe)
            page.get_by_role("button", name="Ingresar").click()
            page.wait_for_selector("h1")
            page.screenshot(path=str(args.out / "console-dashboard.png"), full_page=False)
            page.goto(base + "/console/map")
            page.screenshot(path=str(args.out / "console-map.png"), full_page=False)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    print(f"wrote {args.out / 'console-dashboard.png'} and {args.out / 'console-map.png'}")


if __name__ == "__main__":
    main()
