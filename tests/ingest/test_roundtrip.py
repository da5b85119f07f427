"""Property: any row that satisfies the contract comes back out of the workspace unchanged."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import onca.workspace
from onca.contract import load_contract
from onca.ingest import ingest_files

CONTRACT = load_contract()
COUNTRIES = sorted(CONTRACT.codes["countries"].values)
CURRENCIES = sorted(CONTRACT.codes["currencies"].values)
CHANNELS = sorted(CONTRACT.codes["channels"].values)

# Text a person could type into a name or narrative: any script, no control characters, no
# leading/trailing spaces (ingest trims them, by design).
_name = (
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)

PARTY_FIELDS = ("kind", "name", "birth_date", "country", "is_pep")
_party = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["person", "company", "organization"]),
        "name": _name,
        "birth_date": st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
        "country": st.none() | st.sampled_from(COUNTRIES),
        "is_pep": st.none() | st.booleans(),
    }
)
TXN_FIELDS = ("ts", "amount", "currency", "channel", "narrative")
_txn = st.fixed_dictionaries(
    {
        "ts": st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2035, 1, 1)).map(
            lambda d: d.replace(microsecond=0)
        ),
        "amount": st.decimals(Decimal("0.01"), Decimal("999999999.99"), places=2),
        "currency": st.sampled_from(CURRENCIES),
        "channel": st.sampled_from(CHANNELS),
        "narrative": st.none() | _name,
    }
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat() + "Z"
    return str(value)


@settings(max_examples=20, deadline=None)
@given(parties=st.lists(_party, min_size=1, max_size=8), txns=st.lists(_txn, max_size=8))
def test_valid_rows_round_trip(tmp_path_factory, parties, txns) -> None:  # type: ignore[no-untyped-def]
    base: Path = tmp_path_factory.mktemp("rt")
    ws = base / "ws.duckdb"
    with (base / "p.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["party_id", *PARTY_FIELDS])
        for i, p in enumerate(parties):
            w.writerow([f"P{i}", *(_cell(p[k]) for k in PARTY_FIELDS)])
    with (base / "a.csv").open("w", encoding="utf-8", newline="") as f:
        f.write("account_id,holder_id,institution,country,currency\nA0,P0,Banco,BO,BOB\n")
    with (base / "t.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["txn_id", "from_account", *TXN_FIELDS])
        for i, t in enumerate(txns):
            w.writerow([f"T{i}", "A0", *(_cell(t[k]) for k in TXN_FIELDS)])

    for kind, name in (("parties", "p.csv"), ("accounts", "a.csv"), ("transactions", "t.csv")):
        result = ingest_files(ws, kind, [base / name])
        assert result.quarantined == 0, result.to_dict()

    with onca.workspace.open(ws) as w_:
        got_p = w_.con.execute(
            "SELECT kind, name, birth_date, country, is_pep FROM parties ORDER BY CAST(substr(party_id, 2) AS INT)"
        ).fetchall()
        got_t = w_.con.execute(
            "SELECT ts, amount, currency, channel, narrative FROM transactions ORDER BY CAST(substr(txn_id, 2) AS INT)"
        ).fetchall()
    assert got_p == [tuple(p[k] for k in PARTY_FIELDS) for p in parties]
    assert got_t == [tuple(t[k] for k in TXN_FIELDS) for t in txns]
