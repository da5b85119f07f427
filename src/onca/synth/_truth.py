"""The ground truth of a scenario, written as small CSV files under ``truth/``.

- ``identities.csv``: party_id, person_key: which records are the same real person or company.
- ``roles.csv``: person_key, network_id, role.
- ``transactions.csv``: txn_id, network_id, typology, episode_id (one instance of a typology).
- ``shipments.csv``: shipment_id, network_id, actual_goods, actual_taxon, misdeclared.
- ``permits.csv``: permit_id, issue (reused | wrong_species | none).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from onca.synth._assemble import Identifiers
from onca.synth._ledger import IllicitRows
from onca.synth._networks import Network
from onca.synth._population import World
from onca.synth._stream import id_width
from onca.synth._text import prefixed_ids
from onca.synth._trade import Trade, permit_issues


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


def person_key_text(key: int) -> str:
    return f"E{key:07d}"


def write_truth(
    truth_dir: Path,
    world: World,
    networks: list[Network],
    trade: Trade,
    illicit: IllicitRows,
    numbers: np.ndarray,
    ids: Identifiers,
    total: int,
) -> None:
    party_ids = ids.party.to_pylist()
    keys = world.parties["person_key"]
    _write(
        truth_dir / "identities.csv",
        ("party_id", "person_key"),
        ((party_ids[r], person_key_text(int(keys[r]))) for r in ids.party_order),
    )
    roles = []
    for net in networks:
        for member in net.members:
            roles.append((person_key_text(member.key), net.id, member.role))
    _write(truth_dir / "roles.csv", ("person_key", "network_id", "role"), roles)
    txn_ids = prefixed_ids("TX", numbers + 1, id_width(total)).to_pylist()
    order = np.argsort(numbers, kind="stable")
    _write(
        truth_dir / "transactions.csv",
        ("txn_id", "network_id", "typology", "episode_id"),
        ((txn_ids[i], illicit.network[i], illicit.typology[i], illicit.episode[i]) for i in order),
    )
    shipment_ids = ids.shipment.to_pylist()
    ship_rows = sorted(trade.truth, key=lambda t: shipment_ids[t[0]])
    _write(
        truth_dir / "shipments.csv",
        ("shipment_id", "network_id", "actual_goods", "actual_taxon", "misdeclared"),
        (
            (shipment_ids[row], net, goods, taxon, "true" if mis else "false")
            for row, net, goods, taxon, mis in ship_rows
        ),
    )
    permit_ids = ids.permit.to_pylist()
    issues = permit_issues(world, trade)
    _write(
        truth_dir / "permits.csv",
        ("permit_id", "issue"),
        ((permit_ids[p], issues[p]) for p in ids.permit_order),
    )
