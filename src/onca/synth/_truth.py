"""The ground truth of a scenario, written as small files under ``truth/`` and read back by
:class:`Truth`, the one reader every analysis uses.

- ``identities.csv``: party_id, person_key: which records are the same real person or company.
- ``roles.csv``: person_key, network_id, role.
- ``transactions.csv``: txn_id, network_id, typology, episode_id (one instance of a typology).
- ``shipments.csv``: shipment_id, network_id, actual_goods, actual_taxon, misdeclared.
- ``permits.csv``: permit_id, issue (reused | wrong_species | none).
- ``camtrap_truth.json``, ``cites_truth.json``, ``distribution_truth.json``: what the camera-trap
  survey, the CITES records and the distribution layers planted (written by their writers when
  a scenario includes them).

A missing file: reading it raises :class:`~onca.errors.InputFileError` naming the file and what
it should hold. A caller that can do without a file asks :meth:`Truth.has` first; the one that
legitimately may be missing is ``roles.csv`` (a truth folder that labels transactions only, as
the converters of labelled data sets write, has no network roles).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from onca.errors import InputFileError
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


COLUMNS: dict[str, tuple[str, ...]] = {
    "identities.csv": ("party_id", "person_key"),
    "roles.csv": ("person_key", "network_id", "role"),
    "transactions.csv": ("txn_id",),
    "shipments.csv": ("shipment_id",),
    "permits.csv": ("permit_id", "issue"),
}
"""The columns each CSV of the truth must have (those its readers use)."""


@dataclass(frozen=True)
class Role:
    """One planted network member: the real person, the network and the role in it."""

    person_key: str
    network_id: str
    role: str


class Truth:
    """A scenario's truth folder. Each file is read the first time it is asked for, then kept.

    >>> truth = Truth.load("world/truth")  # doctest: +SKIP
    >>> truth.network_parties()  # doctest: +SKIP
    {'P0000012', ...}
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def load(cls, folder: Path | str) -> Truth:
        """The truth in ``folder`` (``onca synth``'s ``OUT/truth``). Files are read on demand,
        so a missing one is reported when it is needed, by name."""
        return cls(Path(folder))

    def has(self, name: str) -> bool:
        """Whether the file ``name`` (e.g. ``roles.csv``) is in the folder."""
        return (self.folder / name).is_file()

    def rows(self, name: str) -> list[dict[str, str]]:
        """The rows of the CSV ``name`` as dicts; InputFileError when it is missing or lacks
        one of its :data:`COLUMNS`."""
        path = self.folder / name
        wanted = COLUMNS.get(name, ())
        if not path.is_file():
            raise InputFileError(
                f"truth file not found: {path} (expected a CSV with {', '.join(wanted)})"
            )
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            found = reader.fieldnames or []
            for column in wanted:
                if column not in found:
                    raise InputFileError(f"{path}: no column {column!r} (found {found})")
            return list(reader)

    def document(self, name: str) -> dict[str, Any]:
        """The JSON file ``name`` (e.g. ``camtrap_truth.json``); InputFileError when missing."""
        path = self.folder / name
        if not path.is_file():
            raise InputFileError(f"truth file not found: {path} (expected a JSON document)")
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data

    @cached_property
    def identities(self) -> dict[str, str]:
        """party_id -> person_key (``identities.csv``): records of one real party share a key."""
        return {r["party_id"]: r["person_key"] for r in self.rows("identities.csv")}

    @cached_property
    def roles(self) -> list[Role]:
        """Every planted network member (``roles.csv``); a person may hold several roles."""
        return [Role(r["person_key"], r["network_id"], r["role"]) for r in self.rows("roles.csv")]

    @cached_property
    def transactions(self) -> list[dict[str, str]]:
        """The illicit transactions (``transactions.csv``): txn_id, network_id, typology,
        episode_id."""
        return self.rows("transactions.csv")

    @cached_property
    def illicit_transactions(self) -> frozenset[str]:
        """The ids of the illicit transactions."""
        return frozenset(r["txn_id"] for r in self.transactions)

    @cached_property
    def shipments(self) -> frozenset[str]:
        """The ids of the network shipments (``shipments.csv``)."""
        return frozenset(r["shipment_id"] for r in self.rows("shipments.csv"))

    @cached_property
    def permit_issues(self) -> dict[str, set[str]]:
        """issue (reused | wrong_species | none) -> permit ids (``permits.csv``)."""
        out: dict[str, set[str]] = {}
        for r in self.rows("permits.csv"):
            out.setdefault(r["issue"], set()).add(r["permit_id"])
        return out

    def records_of(self) -> dict[str, list[str]]:
        """person_key -> the party_ids of that real party (from ``identities.csv``)."""
        groups: dict[str, list[str]] = {}
        for party, key in self.identities.items():
            groups.setdefault(key, []).append(party)
        return groups

    def network_parties(self) -> set[str]:
        """The party_ids whose real party has a role in a network."""
        members = {r.person_key for r in self.roles}
        return {p for p, k in self.identities.items() if k in members}

    def party_roles(self) -> dict[str, list[Role]]:
        """party_id -> the roles of its real party, for network members only."""
        by_key: dict[str, list[Role]] = {}
        for r in self.roles:
            by_key.setdefault(r.person_key, []).append(r)
        return {p: by_key[k] for p, k in self.identities.items() if k in by_key}

    @property
    def camtrap(self) -> dict[str, Any]:
        """The camera-trap survey's truth (``camtrap_truth.json``)."""
        return self.document("camtrap_truth.json")

    @property
    def cites(self) -> dict[str, Any]:
        """The CITES records' planted laundering (``cites_truth.json``)."""
        return self.document("cites_truth.json")

    @property
    def distribution(self) -> dict[str, Any]:
        """The distribution layers' true suitability (``distribution_truth.json``)."""
        return self.document("distribution_truth.json")
