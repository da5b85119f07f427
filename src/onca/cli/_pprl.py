"""``onca pprl``: privacy-preserving record linkage between two institutions."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from onca.cli._common import err, errors_as_exit, out, print_json, progress_bar
from onca.cli._options import JsonOption, out_option
from onca.errors import ParameterError

app = typer.Typer(
    help=(
        "Privacy-preserving record linkage (PPRL): find the parties two institutions share"
        " without either showing the other its records.\n\n"
        "1. One side makes a key: **onca pprl keygen --out project.key**, and hands it to the"
        " other side out of band (never together with the encodings).\n\n"
        "2. Each side encodes its own party file: **onca pprl encode parties.csv --key-file"
        " project.key --out bank.pprl.parquet**.\n\n"
        "3. Whoever links (ideally a third party without the key) matches the two encodings:"
        " **onca pprl match bank.pprl.parquet agency.pprl.parquet --out pairs.csv**.\n\n"
        "What is and is not protected: docs/pprl.md."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


@app.command("keygen")
def keygen(
    out_file: Annotated[Path, out_option("Key file to create (never overwritten).")],
    as_json: JsonOption = False,
) -> None:
    """Make a new secret key: 32 random bytes, written as hex, readable by you only.

    Both institutions encode with the same key; share it out of band (in person, an encrypted
    channel), never with the encodings, and never with whoever runs `match` for you. Make a new
    key for every linkage project, and destroy it when the project ends.

    Example: onca pprl keygen --out project.key
    """
    from onca.resolve.pprl import fingerprint, generate_key, write_key

    with errors_as_exit():
        key = generate_key()
        write_key(out_file, key)
    payload = {"key_file": str(out_file), "bytes": len(key), "key_fingerprint": fingerprint(key)}
    if as_json:
        print_json(payload)
        return
    out.print(
        f"wrote a {len(key)}-byte key to {out_file} (fingerprint {payload['key_fingerprint']});"
        " share it out of band, never with the encodings",
        highlight=False,
    )


@app.command("encode")
def encode(
    party_file: Annotated[
        Path, typer.Argument(help="Your party file (CSV or Parquet, data-contract columns).")
    ],
    key_file: Annotated[
        Path, typer.Option("--key-file", help="The shared secret key (from 'onca pprl keygen').")
    ],
    out_file: Annotated[Path, out_option("Encoding to write (Parquet); this is what you share.")],
    as_json: JsonOption = False,
) -> None:
    """Encode your party records under the shared key; only the encoding leaves the house.

    The columns are those of the data contract's parties (**party_id** and **name** required;
    kind, birth_date, address, phone, id_number, country used when present). Names, dates,
    phones and ID numbers are normalised exactly as clear-text linking does, then:

    - ID number, birth date (and its year, month and day), phone (and its last 8 digits) and
      kind become keyed HMAC-SHA256 tokens;

    - name and address become keyed, XOR-folded Bloom filters of their letter pairs, so that
      typos, accents and word order still match;

    - blocking keys (keyed tokens of Soundex codes) let `match` compare few pairs.

    Every record is kept: an empty name, an impossible date or a garbage ID is left out of the
    encoding and flagged, so the counts add up. The party_id stays in clear: it is how you act
    on a match.

    Example: onca pprl encode parties.csv --key-file project.key --out bank.pprl.parquet
    """
    from onca.resolve._io import read_party_file
    from onca.resolve.pprl import encode_parties, read_key, write_encoding

    started = time.perf_counter()
    with (
        errors_as_exit(),
        progress_bar(enabled=not as_json and err.is_terminal) as bar,
    ):
        key = read_key(key_file)
        if out_file.resolve() == party_file.resolve():
            raise ParameterError(f"--out {out_file}: the same file as the party file")
        parties = read_party_file(party_file)
        encoding = encode_parties(parties, key, source=party_file.name, progress=bar)
        write_encoding(encoding, out_file)
    payload: dict[str, Any] = {
        "party_file": str(party_file),
        "out": str(out_file),
        "records": encoding.records,
        "fields_present": encoding.fields_present(),
        "quality_flags": encoding.flag_counts(),
        "key_fingerprint": encoding.key_fingerprint,
        "params": encoding.params.to_dict(),
        "seconds": round(time.perf_counter() - started, 3),
    }
    if as_json:
        print_json(payload)
        return
    table = RichTable(title=f"{encoding.records:,} records encoded", title_justify="left")
    table.add_column("field")
    table.add_column("records with it", justify="right")
    for column, n in payload["fields_present"].items():
        table.add_row(column, f"{n:,}")
    out.print(table)
    flags = payload["quality_flags"]
    if flags:
        out.print(
            "kept and flagged (the bad field is left out): "
            + ", ".join(f"{n:,} {flag}" for flag, n in flags.items()),
            highlight=False,
        )
    out.print(
        f"wrote {out_file} in {payload['seconds']:.1f} s (key fingerprint"
        f" {encoding.key_fingerprint[:12]}...)",
        highlight=False,
    )


@app.command("match")
def match(
    left_file: Annotated[Path, typer.Argument(help="One institution's encoding.")],
    right_file: Annotated[Path, typer.Argument(help="The other institution's encoding.")],
    out_file: Annotated[Path, out_option("CSV of linked pairs to write.")],
    threshold: Annotated[
        float,
        typer.Option(help="Keep pairs whose match probability is at least this (0 to 1)."),
    ] = 0.9,
    max_block_pairs: Annotated[
        int,
        typer.Option(
            help="Skip a blocking token shared by more pairs than this (a call centre's phone)."
        ),
    ] = 100_000,
    all_pairs: Annotated[
        bool,
        typer.Option(
            "--all-pairs",
            help="Keep every pair above the threshold, not only the best one per record.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Link two encodings made under the same key and write the pairs judged the same party.

    Only records sharing a keyed token (ID number, birth date, phone, a name's Soundex code)
    are compared, and never a person with a company. Each pair is scored Fellegi-Sunter style: the Dice coefficient of the name
    and address Bloom filters and agreement of the tokens give weights, m estimated by EM on
    these files, u measured on random pairs. By default each record links to at most one
    record of the other file (the best, greedily).

    The CSV has **left_id, right_id, match_probability**, then match_weight (log2 odds),
    name_dice, address_dice and an explanation (JSON: each comparison's level and weight).

    Encodings made under different keys or parameters are refused.

    Example: onca pprl match bank.pprl.parquet agency.pprl.parquet --out pairs.csv
    """
    import pyarrow.csv as pacsv

    from onca.resolve.pprl import COMPARISONS, link_encodings, read_encoding

    with (
        errors_as_exit(),
        progress_bar(enabled=not as_json and err.is_terminal) as bar,
    ):
        left, right = read_encoding(left_file), read_encoding(right_file)
        links = link_encodings(
            left,
            right,
            threshold=threshold,
            max_block_pairs=max_block_pairs,
            one_to_one_links=not all_pairs,
            progress=bar,
        )
        try:
            pacsv.write_csv(links.pairs, out_file)
        except OSError as e:
            raise ParameterError(f"--out {out_file}: cannot write it ({e})") from None
    model = links.model
    weights = model.level_weights()
    payload: dict[str, Any] = {
        "left": {"file": str(left_file), "records": left.records, "flags": left.flag_counts()},
        "right": {"file": str(right_file), "records": right.records, "flags": right.flag_counts()},
        "out": str(out_file),
        "threshold": threshold,
        "one_to_one": not all_pairs,
        "candidate_pairs": links.candidates.size,
        "candidates_by_token": links.candidates.by_pass,
        "blocking_tokens_skipped": links.candidates.skipped_keys,
        "links": links.pairs.num_rows,
        "estimated_matches": round(model.lambda_ * left.records * right.records, 1),
        "em_iterations": model.n_iter_,
        "weights": {
            comp.name: {
                "pairs_compared": model.pairs_compared_[c],
                "levels": {
                    level: {"m": round(float(m), 6), "u": float(u), "weight": round(float(w), 2)}
                    for level, m, u, w in zip(
                        comp.levels, model.m_[c], model.u_[c], weights[c], strict=True
                    )
                },
            }
            for c, comp in enumerate(COMPARISONS)
        },
        "seconds": {k: round(v, 3) for k, v in links.seconds.items()},
    }
    if as_json:
        print_json(payload)
        return
    table = RichTable(title="weights (log2 m/u) estimated on these files", title_justify="left")
    table.add_column("comparison")
    table.add_column("level")
    table.add_column("weight", justify="right")
    for name, comparison in payload["weights"].items():
        if not comparison["pairs_compared"]:
            table.add_row(name, "not compared: missing on one side", "0")
            continue
        for level, values in comparison["levels"].items():
            table.add_row(name, level, f"{values['weight']:+.1f}")
    out.print(table)
    out.print(
        f"{links.pairs.num_rows:,} links ({'one per record' if not all_pairs else 'all pairs'},"
        f" match probability >= {threshold}) among {links.candidates.size:,} candidate pairs of"
        f" {left.records:,} x {right.records:,} records; EM estimates"
        f" {payload['estimated_matches']:,.0f} shared parties. Wrote {out_file} in"
        f" {links.seconds['total']:.1f} s",
        highlight=False,
    )
