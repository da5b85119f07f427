"""Generate the Operation Jaguar scenario: the world, its tables and its ground truth."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from onca.contract import Contract, load_contract
from onca.errors import ParameterError
from onca.synth._assemble import (
    Identifiers,
    accounts_table,
    assign_ids,
    parties_table,
    permits_table,
    seizures_table,
    shipments_table,
)
from onca.synth._behaviour import OrdinaryTraffic
from onca.synth._calendar import PERIOD_END, PERIOD_START
from onca.synth._ledger import Ledger
from onca.synth._networks import Network, build_network, consignments_per_network, network_count
from onca.synth._places import BY_CODE, CASH_THRESHOLDS, UNITS_PER_USD
from onca.synth._population import CHECKING, World, build_population
from onca.synth._records import add_duplicate_customers
from onca.synth._rng import stream
from onca.synth._seizures import SEIZURE_SPEC, add_background_seizures, add_network_seizures
from onca.synth._store import Columns
from onca.synth._stream import write_transactions
from onca.synth._trade import Trade, add_network_shipments, add_ordinary_shipments
from onca.synth._truth import write_truth
from onca.synth._typologies import write_network_money
from onca.synth._writer import FORMATS, TableWriter

GENERATOR_VERSION = 1
"""Bumped whenever the same seed would give different files."""
MIN_TRANSACTIONS = 1_000
TABLES = ("parties", "accounts", "transactions", "shipments", "permits", "seizures")
_FREE_TEXT = {
    "parties": frozenset({"name", "address", "phone", "id_number", "industry", "occupation"}),
    "accounts": frozenset({"institution"}),
    "transactions": frozenset({"narrative"}),
    "shipments": frozenset({"goods_description"}),
    "permits": frozenset({"taxon"}),
    "seizures": frozenset({"place", "agency", "taxon", "commodity"}),
}


@dataclass(frozen=True)
class ScenarioSummary:
    """What ``generate_scenario`` wrote: where, with which seed, how many rows per table."""

    out_dir: Path
    seed: int
    counts: dict[str, int]
    truth_dir: Path
    networks: int


def _whole(name: str, value: object, minimum: int, why: str = "") -> int:
    """``value`` as an int of at least ``minimum``, or a ParameterError naming ``name``."""
    as_index = getattr(value, "__index__", None)  # int and NumPy integers, not float or str
    if isinstance(value, bool) or as_index is None:
        raise ParameterError(f"{name} must be an integer, got {value!r}")
    number = int(as_index())
    if number < minimum:
        raise ParameterError(f"{name} must be at least {minimum:,}{why}, got {number:,}")
    return number


def _check(
    transactions: object, seed: object, chunk_size: object, fmt: object
) -> tuple[int, int, int]:
    """The validated (transactions, seed, chunk_size); raises ParameterError naming the culprit."""
    room = " (a world needs room for its trafficking networks)"
    checked = (
        _whole("transactions", transactions, MIN_TRANSACTIONS, room),
        _whole("seed", seed, 0),
        _whole("chunk_size", chunk_size, 1),
    )
    if fmt not in FORMATS:
        raise ParameterError(f"fmt must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return checked


def population_size(transactions: int) -> int:
    """Bank-customer records: 1 per 100 transactions, at least 2,000, at most 200,000."""
    return min(max(2_000, transactions // 100), 200_000)


def _open_duplicate_accounts(world: World, rng: np.random.Generator, rows: list[int]) -> None:
    for row in rows:
        home = BY_CODE[world.parties.value("country", row)]
        bank = home.banks[int(rng.integers(0, len(home.banks)))]
        opened = int(PERIOD_START // 86_400 - rng.integers(100, 4_000))
        world.add_account(
            row,
            home.code,
            home.currency,
            CHECKING,
            bank,
            opened,
            activity=float(rng.pareto(1.2) + 1.0),
        )


def _build_world(transactions: int, seed: int) -> tuple[World, list[Network], Trade, Columns]:
    world = build_population(seed, population_size(transactions))
    noise = stream(seed, "noise")
    duplicates = add_duplicate_customers(world, noise, share=0.025)
    _open_duplicate_accounts(world, noise, duplicates)
    net_rng = stream(seed, "networks")
    k = consignments_per_network(transactions)
    networks = [build_network(world, net_rng, i + 1, k) for i in range(network_count(transactions))]
    trade = Trade()
    trade_rng = stream(seed, "trade")
    add_ordinary_shipments(world, trade, trade_rng, max(400, min(transactions // 400, 50_000)))
    for net in networks:
        add_network_shipments(world, trade, trade_rng, net)
    seizures = Columns(SEIZURE_SPEC)
    seizure_rng = stream(seed, "seizures")
    for net in networks:
        add_network_seizures(world, trade, seizures, seizure_rng, net)
    kind = np.asarray(world.parties["kind"].to_numpy(zero_copy_only=False))
    source = np.asarray(world.parties["source"].to_numpy(zero_copy_only=False))
    persons = np.flatnonzero((kind == "person") & (source == "bank"))
    add_background_seizures(
        world, seizures, seizure_rng, max(20, min(transactions // 5_000, 1_000)), persons
    )
    return world, networks, trade, seizures


def generate_scenario(
    out_dir: Path | str,
    *,
    transactions: int = 100_000,
    seed: int = 7,
    chunk_size: int = 500_000,
    fmt: str = "csv",
    progress: Callable[[int, int], None] | None = None,
) -> ScenarioSummary:
    """Write the Operation Jaguar world into ``out_dir`` and its ground truth into ``truth/``.

    Tables (``fmt`` 'csv' or 'parquet'): parties, accounts, transactions, shipments, permits,
    seizures, following the data contract. ``transactions`` rows stream in chunks of
    ``chunk_size`` (memory does not grow with it); ``progress(done, total)`` is called after
    each chunk. The same ``seed`` and parameters give byte-identical files.
    """
    transactions, seed, chunk_size = _check(transactions, seed, chunk_size, fmt)
    out = Path(out_dir)
    truth_dir = out / "truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    contract = load_contract()
    world, networks, trade, seizures = _build_world(transactions, seed)
    ledger = Ledger(world)
    money_rng = stream(seed, "illicit_money")
    for net in networks:
        write_network_money(ledger, money_rng, net)
    illicit = ledger.rows()
    if len(illicit) * 2 > transactions:
        raise ParameterError(
            f"transactions={transactions:,} leaves too little ordinary traffic around"
            f" {len(illicit):,} illicit payments; use more transactions"
        )
    ids = assign_ids(seed, world, trade, seizures)
    counts = _write_small_tables(out, fmt, contract, world, trade, seizures, ids)
    writer = TableWriter(
        out / f"transactions.{fmt}", contract.table("transactions"), fmt, _FREE_TEXT["transactions"]
    )
    try:
        traffic = OrdinaryTraffic(world, seed, transactions - len(illicit))
        numbers = write_transactions(
            writer,
            traffic,
            illicit,
            ids.account,
            chunk_size=chunk_size,
            total=transactions,
            progress=progress,
        )
    finally:
        writer.close()
    counts["transactions"] = writer.rows
    counts = {name: counts[name] for name in TABLES}
    write_truth(truth_dir, world, networks, trade, illicit, numbers, ids, transactions)
    _write_manifest(truth_dir, seed, counts, transactions, chunk_size, fmt, networks)
    return ScenarioSummary(
        out_dir=out, seed=seed, counts=counts, truth_dir=truth_dir, networks=len(networks)
    )


def _write_small_tables(
    out: Path,
    fmt: str,
    contract: Contract,
    world: World,
    trade: Trade,
    seizures: Columns,
    ids: Identifiers,
) -> dict[str, int]:
    tables = {
        "parties": parties_table(world, ids),
        "accounts": accounts_table(world, ids),
        "shipments": shipments_table(trade, ids),
        "permits": permits_table(trade, ids),
        "seizures": seizures_table(seizures, ids),
    }
    counts = {}
    for name, columns in tables.items():
        writer = TableWriter(out / f"{name}.{fmt}", contract.table(name), fmt, _FREE_TEXT[name])
        try:
            writer.write(columns)
        finally:
            writer.close()
        counts[name] = writer.rows
    return counts


def _write_manifest(
    truth_dir: Path,
    seed: int,
    counts: dict[str, int],
    transactions: int,
    chunk_size: int,
    fmt: str,
    networks: list[Network],
) -> None:
    manifest = {
        "scenario": "Operation Jaguar",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "counts": counts,
        "parameters": {"transactions": transactions, "chunk_size": chunk_size, "fmt": fmt},
        "period": {
            "start": "2023-01-01T00:00:00Z",
            "end": "2025-01-01T00:00:00Z",
            "start_epoch": PERIOD_START,
            "end_epoch": PERIOD_END,
        },
        "networks": [
            {
                "network_id": n.id,
                "product": n.line.key,
                "taxon": n.line.taxon,
                "origin": n.origin,
                "destination": n.destination,
                "members": len(n.members),
                "consignments": len(n.consignments),
            }
            for n in networks
        ],
        "cash_thresholds": CASH_THRESHOLDS,
        "units_per_usd": UNITS_PER_USD,
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (truth_dir / "scenario.json").write_text(text, encoding="utf-8")
