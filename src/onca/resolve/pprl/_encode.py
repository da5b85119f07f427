"""Party records -> their PPRL encoding: keyed tokens, Bloom filters and blocking keys.

Encoding starts from the same normalised keys as clear-text linking
(``onca.resolve._features.party_features``), so both see one name, one date, one ID the same
way. Every record is kept: a field that is missing or unusable (an empty name, an impossible
date, a garbage ID) is NULL in the encoding and the record's ``quality_flags`` say why.

An encoding is an Arrow table, written as Parquet, one row per record:

* ``record_id``: the party_id of the record, in clear (it is how the institution acts on a
  match; see docs/pprl.md for what that reveals);
* ``*_token``: HMAC-SHA256 under the field's sub-key of the normalised value, truncated to
  16 bytes, hex: kind, ID number, birth date, its year, month and day, phone (E.164) and the
  phone's last 8 digits;
* ``name_bloom``, ``address_bloom``: keyed, XOR-folded Bloom filters of the q-grams of the
  name's words (sorted, so their order does not matter) and of the address (see ``_bloom``);
* ``block_keys``: keyed tokens (8 bytes) of a name word's Soundex code with the birth year, and
  of two name words' codes together; ``match`` compares only records that share a block key or
  an ID, birth-date or phone-tail token;
* ``quality_flags``: as party_features gives them, plus 'party_id_missing' and
  'party_id_duplicate'.

The file's metadata holds the key's fingerprint and the encoding parameters; ``match`` refuses
two files whose fingerprints or parameters differ.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from onca.errors import ParameterError
from onca.resolve._features import party_features
from onca.resolve.pprl._bloom import BloomEncoder, Progress
from onca.resolve.pprl._keys import TOKEN_BYTES, fingerprint, subkey, token, tokens

FORMAT = "onca-pprl/1"
METADATA_KEY = b"onca.pprl"
BLOCK_KEY_BYTES = 8

# The exact identifiers: (token column, value, sub-key). Month and day of birth share a sub-key
# so that a date with day and month swapped is recognised; no other two fields share one.
TOKEN_FIELDS = (
    ("kind_token", "kind", "token/kind"),
    ("id_token", "id_key", "token/id_key"),
    ("birth_date_token", "birth_date", "token/birth_date"),
    ("birth_year_token", "birth_year", "token/birth_year"),
    ("birth_month_token", "birth_month", "token/birth_day_month"),
    ("birth_day_token", "birth_day", "token/birth_day_month"),
    ("phone_token", "phone_e164", "token/phone_e164"),
    ("phone_tail_token", "phone_tail", "token/phone_tail"),
)


@dataclass(frozen=True)
class EncodingParams:
    """How records are encoded; both parties must use the same (``match`` checks).

    Bloom filter lengths are before XOR-folding: a 1024-bit filter is stored in 512 bits."""

    q: int = 2
    name_bits: int = 1024
    name_hashes: int = 15
    address_bits: int = 1024
    address_hashes: int = 8
    hardening: str = "random-hashing+xor-fold"
    token_bytes: int = TOKEN_BYTES

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> EncodingParams:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})


def encoding_schema(params: EncodingParams) -> pa.Schema:
    name_bytes, address_bytes = params.name_bits // 16, params.address_bits // 16
    return pa.schema(
        [
            ("record_id", pa.string()),
            *[(column, pa.string()) for column, _, _ in TOKEN_FIELDS],
            ("name_bloom", pa.binary(name_bytes)),
            ("address_bloom", pa.binary(address_bytes)),
            ("block_keys", pa.list_(pa.string())),
            ("quality_flags", pa.list_(pa.string())),
        ]
    )


@dataclass
class Encoding:
    """An encoded party file: the table and what its metadata says."""

    table: pa.Table
    key_fingerprint: str
    params: EncodingParams
    created: str = ""
    path: str = ""

    @property
    def records(self) -> int:
        return self.table.num_rows

    def flag_counts(self) -> dict[str, int]:
        """How many records carry each data-quality flag."""
        counts: dict[str, int] = {}
        for flags in self.table.column("quality_flags").to_pylist():
            for flag in flags or ():
                counts[flag] = counts.get(flag, 0) + 1
        return dict(sorted(counts.items()))

    def fields_present(self) -> dict[str, int]:
        """How many records have each encoded field."""
        columns = [c for c, _, _ in TOKEN_FIELDS] + ["name_bloom", "address_bloom"]
        return {c: self.table.num_rows - self.table.column(c).null_count for c in columns}


_SOUNDEX_CODES = {
    letter: digit
    for letters, digit in (
        ("bfpv", "1"),
        ("cgjkqsxz", "2"),
        ("dt", "3"),
        ("l", "4"),
        ("mn", "5"),
        ("r", "6"),
    )
    for letter in letters
}


@functools.lru_cache(maxsize=200_000)
def soundex(word: str) -> str:
    """American Soundex of a folded word ('robert', 'rupert' -> 'r163'); a word in another
    script keeps its first four characters."""
    letters = [c for c in word if "a" <= c <= "z"]
    if not letters:
        return word[:4]
    code, previous = letters[0], _SOUNDEX_CODES.get(letters[0], "")
    for c in letters[1:]:
        if c in "hw":
            continue
        digit = _SOUNDEX_CODES.get(c, "")
        if digit and digit != previous:
            code += digit
        previous = digit
    return (code + "000")[:4]


def blocking_values(words: Sequence[str] | None, birth_year: str | None) -> list[str]:
    """The clear-text blocking values of one record (hashed before they are stored): each
    name word's Soundex code with the birth year, and each two words' codes together."""
    if not words:
        return []
    codes = sorted({soundex(w) for w in words if len(w) > 1})
    values = [f"word|{c}|{birth_year}" for c in codes] if birth_year else []
    values += [f"pair|{a}|{b}" for a, b in itertools.combinations(codes, 2)]
    return values


def _record_ids(ids: list[str | None]) -> tuple[list[str], list[list[str]]]:
    seen: set[str] = set()
    out, flags = [], []
    for row, party_id in enumerate(ids, start=1):
        if party_id is None:
            out.append(f"#row{row}")
            flags.append(["party_id_missing"])
            continue
        flags.append(["party_id_duplicate"] if party_id in seen else [])
        seen.add(party_id)
        out.append(party_id)
    return out, flags


def encode_parties(
    parties: pa.Table,
    key: bytes,
    *,
    params: EncodingParams | None = None,
    source: str = "",
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> Encoding:
    """Encode a party table (data-contract columns) under ``key``; one row per record.

    ``source`` names the table in error messages; it is not stored in the encoding."""
    params = params or EncodingParams()
    features = party_features(parties, source, today=today)
    n = features.num_rows
    columns: dict[str, Any] = {}
    record_ids, id_flags = _record_ids(features.column("unique_id").to_pylist())
    columns["record_id"] = record_ids
    values = {name: features.column(name).to_pylist() for name in features.column_names}
    values["birth_month"] = [d[5:7] if d else None for d in values["birth_date"]]
    values["birth_day"] = [d[8:10] if d else None for d in values["birth_date"]]
    for column, feature, purpose in TOKEN_FIELDS:
        columns[column] = tokens(subkey(key, purpose), values[feature], params.token_bytes)
    if progress:
        progress("tokens", n, n)

    name_words = features.column("name_tokens").to_pylist()
    names = BloomEncoder(
        subkey(key, "bloom/name"), bits=params.name_bits, hashes=params.name_hashes, q=params.q
    )
    name_filters, has_name = names.encode(
        [sorted(w) if w else None for w in name_words], progress=progress, label="names"
    )
    addresses = features.column("address_clean").to_pylist()
    address_encoder = BloomEncoder(
        subkey(key, "bloom/address"),
        bits=params.address_bits,
        hashes=params.address_hashes,
        q=params.q,
    )
    address_filters, has_address = address_encoder.encode(
        [a.split() if a else None for a in addresses], progress=progress, label="addresses"
    )
    columns["name_bloom"] = [
        f.tobytes() if ok else None for f, ok in zip(name_filters, has_name, strict=True)
    ]
    columns["address_bloom"] = [
        f.tobytes() if ok else None for f, ok in zip(address_filters, has_address, strict=True)
    ]

    block_key = subkey(key, "block")
    years = features.column("birth_year").to_pylist()
    hashed: dict[str, str] = {}
    columns["block_keys"] = []
    for words, year in zip(name_words, years, strict=True):
        record_keys = set()
        for value in blocking_values(words, year):
            found = hashed.get(value)
            if found is None:
                found = hashed[value] = token(block_key, value, BLOCK_KEY_BYTES)
            record_keys.add(found)
        columns["block_keys"].append(sorted(record_keys))
    flags = features.column("quality_flags").to_pylist()
    columns["quality_flags"] = [
        list(f or ()) + extra for f, extra in zip(flags, id_flags, strict=True)
    ]
    table = pa.table(columns, schema=encoding_schema(params))
    return Encoding(
        table=table,
        key_fingerprint=fingerprint(key),
        params=params,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def write_encoding(encoding: Encoding, path: str | Path) -> Path:
    """Write an encoding as Parquet, its fingerprint and parameters in the file's metadata."""
    meta = {
        "format": FORMAT,
        "key_fingerprint": encoding.key_fingerprint,
        "params": encoding.params.to_dict(),
        "records": encoding.records,
        "created": encoding.created,
    }
    table = encoding.table.replace_schema_metadata({METADATA_KEY: json.dumps(meta).encode()})
    p = Path(path)
    pq.write_table(table, p, compression="zstd")
    return p


def read_encoding(path: str | Path) -> Encoding:
    """Read an encoding written by ``write_encoding``; a clear error for any other file."""
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"{p}: no such file (make it with 'onca pprl encode')")
    try:
        table = pq.read_table(p)
    except (pa.ArrowInvalid, OSError) as e:
        raise ParameterError(
            f"{p}: not a Parquet file written by 'onca pprl encode' ({e})"
        ) from None
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    if raw is None:
        raise ParameterError(
            f"{p}: not an Onca PPRL encoding (no '{METADATA_KEY.decode()}' metadata);"
            " make it with 'onca pprl encode'"
        )
    meta = json.loads(raw)
    if meta.get("format") != FORMAT:
        raise ParameterError(
            f"{p}: encoding format {meta.get('format')!r}, this Onca reads {FORMAT!r};"
            " encode the party file again"
        )
    params = EncodingParams.from_dict(meta.get("params", {}))
    expected = encoding_schema(params)
    missing = [name for name in expected.names if name not in table.column_names]
    if missing:
        raise ParameterError(f"{p}: the encoding lacks column(s) {', '.join(missing)}")
    return Encoding(
        table=table.select(expected.names).replace_schema_metadata(None).cast(expected),
        key_fingerprint=str(meta.get("key_fingerprint", "")),
        params=params,
        created=str(meta.get("created", "")),
        path=str(p),
    )
