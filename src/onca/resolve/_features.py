"""Party records -> the comparison keys Splink and PPRL work on, with data-quality flags.

Input is an Arrow table with the data contract's party columns (any missing optional column is
read as empty). Output has one row per input row, nothing dropped: a record whose name is empty,
whose birth date is impossible or whose ID number is garbage keeps its row, the bad key is NULL
(so it cannot link on it) and ``quality_flags`` says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from onca.errors import ParameterError
from onca.names import (
    address_clean,
    address_number,
    birth_date_clean,
    id_key,
    name_tokens,
    phone_e164,
    phone_tail,
)

REQUIRED = ("party_id", "name")
OPTIONAL = (
    "kind",
    "birth_date",
    "nationality",
    "country",
    "address",
    "phone",
    "id_number",
)

FEATURE_SCHEMA = pa.schema(
    [
        ("unique_id", pa.string()),
        ("source", pa.string()),
        ("kind", pa.string()),
        ("name", pa.string()),  # as written, for people to read
        ("name_clean", pa.string()),
        ("name_sorted", pa.string()),
        ("name_tokens", pa.list_(pa.string())),
        ("name_first", pa.string()),
        ("name_last", pa.string()),
        ("birth_date", pa.string()),
        ("birth_year", pa.string()),
        ("phone_e164", pa.string()),
        ("phone_tail", pa.string()),
        ("id_key", pa.string()),
        ("address_clean", pa.string()),
        ("address_number", pa.string()),
        ("country", pa.string()),
        ("nationality", pa.string()),
        ("quality_flags", pa.list_(pa.string())),
    ]
)


def check_columns(columns: Iterable[str], where: str) -> None:
    """Raise a ParameterError naming the required party columns that ``where`` lacks."""
    missing = [c for c in REQUIRED if c not in set(columns)]
    if missing:
        raise ParameterError(
            f"{where}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
            f" (a party file needs at least {', '.join(REQUIRED)}; optional:"
            f" {', '.join(OPTIONAL)})"
        )


def _column(table: pa.Table, name: str, *, fold: bool = False) -> list[Any]:
    if name not in table.column_names:
        return [None] * table.num_rows
    column = table.column(name)
    if fold:
        column = _prefold(column)
    values = column.to_pylist()
    return [
        v.strip() if isinstance(v, str) and v.strip() else (None if v == "" else v) for v in values
    ]


def _prefold(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Lower case and accents removed, vectorised: ``fold_text`` then finds ASCII and returns
    at once (it stays the one definition; this only does most of its work in bulk)."""
    text = pc.cast(column, pa.string())
    text = pc.utf8_normalize(pc.utf8_lower(text), form="NFD")
    text = pc.replace_substring_regex(text, pattern=r"\p{M}", replacement="")
    return pc.utf8_normalize(text, form="NFC")


def _kind(value: Any) -> str:
    text = (str(value).strip().lower() if value is not None else "") or "person"
    return text if text in ("person", "company", "organization") else "person"


def _cached(func: Callable[..., Any]) -> Callable[..., Any]:
    memo: dict[Any, Any] = {}

    def call(*args: Any) -> Any:
        try:
            return memo[args]
        except KeyError:
            memo[args] = value = func(*args)
            return value

    return call


def _flagged(raw: Any, clean: Any, flag: str, flags: list[str]) -> Any:
    """``clean``, the cleaned form of ``raw``; ``flag`` is added to the record's ``flags`` when
    there was a value but nothing usable came of it."""
    if raw is not None and clean is None:
        flags.append(flag)
    return clean


def party_features(table: pa.Table, source: str = "", *, today: dt.date | None = None) -> pa.Table:
    """The comparison keys of every party record in ``table`` (see module docs)."""
    check_columns(table.column_names, source or "parties")
    return _features(table, source, today)


def _features(table: pa.Table, source: str, today: dt.date | None) -> pa.Table:
    ids = [None if v is None else str(v) for v in table.column("party_id").to_pylist()]
    names = _column(table, "name")
    folded_names = _column(table, "name", fold=True)
    kinds = [_kind(v) for v in _column(table, "kind")]
    births = _column(table, "birth_date")
    countries = [None if v is None else str(v).upper() for v in _column(table, "country")]
    nationalities = [None if v is None else str(v).upper() for v in _column(table, "nationality")]
    addresses = _column(table, "address", fold=True)
    phones = _column(table, "phone")
    id_numbers = [None if v is None else str(v) for v in _column(table, "id_number")]

    e164 = _cached(phone_e164)
    birth = _cached(lambda v: birth_date_clean(v, today=today))
    out: dict[str, list[Any]] = {f.name: [] for f in FEATURE_SCHEMA}
    for i, party_id in enumerate(ids):
        flags: list[str] = []
        name, kind = names[i], kinds[i]
        folded = folded_names[i]
        tokens = name_tokens(folded, kind) if folded is not None else ()
        if not tokens:
            flags.append("name_empty")
        born = _flagged(births[i], birth(births[i]), "birth_date_invalid", flags)
        phone = phones[i]
        phone_norm = _flagged(
            phone, e164(phone, countries[i] or nationalities[i]), "phone_invalid", flags
        )
        id_norm = _flagged(id_numbers[i], id_key(id_numbers[i]), "id_number_garbage", flags)
        address = addresses[i]
        out["unique_id"].append(party_id)
        out["source"].append(source)
        out["kind"].append(kind)
        out["name"].append(name)
        out["name_clean"].append(" ".join(tokens) if tokens else None)
        out["name_sorted"].append(" ".join(sorted(tokens)) if tokens else None)
        out["name_tokens"].append(list(tokens) if tokens else None)
        out["name_first"].append(tokens[0] if tokens else None)
        out["name_last"].append(tokens[-1] if len(tokens) > 1 else None)
        out["birth_date"].append(born)
        out["birth_year"].append(born[:4] if born else None)
        out["phone_e164"].append(phone_norm)
        out["phone_tail"].append(phone_tail(phone_norm or phone))
        out["id_key"].append(id_norm)
        out["address_clean"].append(address_clean(address))
        out["address_number"].append(address_number(address))
        out["country"].append(countries[i])
        out["nationality"].append(nationalities[i])
        out["quality_flags"].append(flags)
    return pa.table(out, schema=FEATURE_SCHEMA)
