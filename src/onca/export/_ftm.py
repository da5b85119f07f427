"""Export a workspace as FollowTheMoney entities (JSON lines) for Aleph, OpenSanctions and `ftm`.

Parties become Person, Company or Organization; accounts become BankAccount with an Ownership
linking the holder; transactions become Payment between the account holders. Values go through
the followthemoney library's own cleaning, and every entity is checked against its schema
(required properties present) before it is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

from followthemoney import model
from followthemoney.proxy import EntityProxy

from onca._ftm import PARTY_PROPS, SCHEMA_OF_KIND
from onca.errors import OncaError
from onca.workspace import Workspace, open_workspace

BATCH_ROWS = 50_000
# FtM entity ids: letters, digits, dots and hyphens, starting and ending with a letter or digit.
_READABLE_ID = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,198}[A-Za-z0-9])?$")


class ExportError(OncaError, ValueError):
    """A row could not be turned into a valid FollowTheMoney entity."""


def entity_id(dataset: str, kind: str, key: str) -> str:
    """A stable entity id: ``dataset-kind-key`` when the key is plain, else a hash of it."""
    if _READABLE_ID.match(key):
        return f"{dataset}-{kind}-{key}"
    return f"{dataset}-{kind}-" + str(model.make_entity("Thing").make_id(dataset, kind, key))


def _entity(schema: str, eid: str, props: dict[str, Any], where: str) -> EntityProxy:
    entity = model.make_entity(schema)
    entity.id = eid
    for prop, value in props.items():
        if value is None or value == "":
            continue
        entity.add(prop, str(value), quiet=False)
    missing = [p for p in entity.schema.required if not entity.get(p)]
    if missing:
        raise ExportError(f"{where}: {schema} entity lacks required {', '.join(missing)}")
    return entity


def _batches(ws: Workspace, sql: str) -> Iterator[list[dict[str, Any]]]:
    reader = ws.db.batches(sql, BATCH_ROWS)
    for batch in reader:
        yield batch.to_pylist()


def _parties(ws: Workspace, dataset: str) -> Iterator[EntityProxy]:
    for rows in _batches(ws, "SELECT * EXCLUDE (_ingest_id) FROM parties ORDER BY party_id"):
        for row in rows:
            props = {ftm: row[col] for col, ftm in PARTY_PROPS.items()}
            if row["is_pep"]:
                props["topics"] = "role.pep"
            schema = SCHEMA_OF_KIND[row["kind"]]
            where = f"parties row {row['party_id']!r}"
            if not model.get(schema).get("name").type.clean(row["name"]):  # type: ignore[union-attr]
                # FtM drops invisible characters; a name made only of them would leave the
                # entity without its required name, and the payments pointing at it dangling.
                props["name"] = f"(unnamed party {row['party_id']})"
            yield _entity(schema, entity_id(dataset, "party", row["party_id"]), props, where)


def _accounts(ws: Workspace, dataset: str) -> Iterator[EntityProxy]:
    sql = "SELECT * EXCLUDE (_ingest_id) FROM accounts ORDER BY account_id"
    for rows in _batches(ws, sql):
        for row in rows:
            where = f"accounts row {row['account_id']!r}"
            account_id = entity_id(dataset, "account", row["account_id"])
            yield _entity(
                "BankAccount",
                account_id,
                {
                    "accountNumber": row["account_id"],
                    "bankName": row["institution"],
                    "country": row["country"],
                    "currency": row["currency"],
                    "openingDate": row["opened_at"],
                    "accountType": row["kind"],
                },
                where,
            )
            yield _entity(
                "Ownership",
                entity_id(dataset, "holds", row["account_id"]),
                {
                    "owner": entity_id(dataset, "party", row["holder_id"]),
                    "asset": account_id,
                    "role": "account holder",
                },
                where,
            )


def _payments(ws: Workspace, dataset: str) -> Iterator[EntityProxy]:
    sql = """
        SELECT t.txn_id, t.ts, t.amount, t.currency, t.channel, t.narrative,
               t.from_account, t.to_account, fa.holder_id AS payer, ta.holder_id AS beneficiary
        FROM transactions t
        LEFT JOIN accounts fa ON t.from_account = fa.account_id
        LEFT JOIN accounts ta ON t.to_account = ta.account_id
        ORDER BY t.txn_id
    """
    for rows in _batches(ws, sql):
        for row in rows:
            # A cash deposit or withdrawal has one account: its holder is on both sides.
            payer = row["payer"] or row["beneficiary"]
            beneficiary = row["beneficiary"] or row["payer"]
            kind = (
                "cash deposit"
                if row["from_account"] is None
                else ("cash withdrawal" if row["to_account"] is None else "transfer")
            )
            props = {
                "payer": entity_id(dataset, "party", payer),
                "beneficiary": entity_id(dataset, "party", beneficiary),
                "payerAccount": row["from_account"]
                and entity_id(dataset, "account", row["from_account"]),
                "beneficiaryAccount": row["to_account"]
                and entity_id(dataset, "account", row["to_account"]),
                "amount": row["amount"],
                "currency": row["currency"],
                "date": row["ts"].strftime("%Y-%m-%dT%H:%M:%S"),
                "purpose": row["narrative"],
                "transactionNumber": row["txn_id"],
                "description": f"{kind} by {row['channel']}",
            }
            where = f"transactions row {row['txn_id']!r}"
            yield _entity("Payment", entity_id(dataset, "txn", row["txn_id"]), props, where)


def export_ftm(
    workspace: Workspace | Path | str,
    out: Path | str | TextIO,
    *,
    dataset: str = "onca",
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Write the workspace's parties, accounts and transactions as FtM JSON lines to ``out``.

    ``out`` is a path or an open text stream. Returns the number of entities per FtM schema.
    ``progress(done, total)`` counts source rows.
    """
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?", dataset):
        raise ExportError(
            f"dataset {dataset!r} must be 1-40 lower-case letters, digits or inner hyphens"
            " (FollowTheMoney ids allow no other characters)"
        )
    own = not isinstance(workspace, Workspace)
    ws = (
        open_workspace(workspace, create=False)
        if not isinstance(workspace, Workspace)
        else workspace
    )
    counts: dict[str, int] = {}
    try:
        total = ws.count("parties") + ws.count("accounts") + ws.count("transactions")
        with ExitStack() as stack:
            if isinstance(out, str | Path):
                Path(out).parent.mkdir(parents=True, exist_ok=True)
                stream: TextIO = stack.enter_context(Path(out).open("w", encoding="utf-8"))
            else:
                stream = out
            done = 0
            for entities in (_parties(ws, dataset), _accounts(ws, dataset), _payments(ws, dataset)):
                for entity in entities:
                    stream.write(json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True))
                    stream.write("\n")
                    counts[entity.schema.name] = counts.get(entity.schema.name, 0) + 1
                    if entity.schema.name != "Ownership":
                        done += 1
                        if progress and done % BATCH_ROWS == 0:
                            progress(done, total)
            if progress:
                progress(total, total)
    finally:
        if own:
            ws.close()
    return counts
