"""The example files behave as examples/README.md says."""

from __future__ import annotations

from pathlib import Path

import onca.workspace
from onca.ingest import ingest_files

MESSY = Path(__file__).resolve().parents[1] / "examples" / "messy"


def test_messy_example_counts_and_reasons(tmp_path: Path) -> None:
    ws = tmp_path / "messy.duckdb"
    counts = {
        kind: (r.rows, r.loaded, r.quarantined)
        for kind in ("parties", "accounts", "transactions")
        for r in [ingest_files(ws, kind, [MESSY / f"{kind}.csv"])]
    }
    assert counts == {"parties": (4, 3, 1), "accounts": (3, 3, 0), "transactions": (10, 4, 6)}
    with onca.workspace.open(ws) as w:
        rows = w.con.execute(
            "SELECT line, reason FROM quarantine WHERE kind = 'transactions' ORDER BY line"
        ).fetchall()
        normalised = w.con.execute(
            "SELECT currency, channel FROM transactions WHERE txn_id = 'T0009'"
        ).fetchall()
    readme = (MESSY.parent / "README.md").read_text(encoding="utf-8")
    assert [line for line, _ in rows] == [5, 6, 7, 8, 9, 10]
    for line, reason in rows:
        assert f"| {line} | `{reason}` |" in readme
    assert normalised == [("BOB", "mobile")]
