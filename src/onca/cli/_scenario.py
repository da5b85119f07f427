"""``onca synth`` and ``onca demo``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from onca.cli._common import err, errors_as_exit, out, print_json, progress_bar
from onca.cli._options import json_option, out_option, seed_option
from onca.demo import DEMO_TRANSACTIONS


def synth(
    out_dir: Annotated[Path, out_option("Folder to write the scenario into.")],
    transactions: Annotated[
        int, typer.Option(min=1000, help="Number of transactions to generate.")
    ] = DEMO_TRANSACTIONS,
    seed: Annotated[int, seed_option("Random seed; the same seed gives the same files.")] = 7,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    chunk_size: Annotated[
        int, typer.Option(min=1, help="Transactions generated per chunk (memory use).")
    ] = 500_000,
    camera_traps: Annotated[
        bool,
        typer.Option(
            help="Also write a simulated jaguar camera-trap survey (Camtrap DP, OUT/camtrap/)"
            " with its true density in OUT/truth/camtrap_truth.json, and five seasons of an"
            " ocelot monitoring programme where forest loss drives local extinction"
            " (OUT/seasons/, truth in OUT/truth/seasons_truth.json)."
        ),
    ] = False,
    cites: Annotated[
        bool,
        typer.Option(
            help="Also write CITES trade records with planted laundering (OUT/cites/: shipment"
            " records, breeding facilities, productivity) with the truth in"
            " OUT/truth/cites_truth.json."
        ),
    ] = False,
    examples: Annotated[
        bool,
        typer.Option(
            help="Also write a sample input for each command of the tour (OUT/examples/: party"
            " extracts, secr trap and capture files, a detection history, occurrence records"
            " and rasters, an AMLSim sample), cut from this scenario."
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into OUT even when it holds files: an earlier scenario's tables and"
            " folders there are removed first; other files stay.",
        ),
    ] = False,
    as_json: Annotated[bool, json_option("a summary")] = False,
) -> None:
    """Write the Operation Jaguar world: a synthetic population with trafficking networks.

    Files follow the data contract (parties, accounts, transactions, shipments, permits,
    seizures); the ground truth (who is whom, which transactions are illicit and why) goes to
    OUT/truth/. Seeded and deterministic; streams in chunks, so memory does not grow with
    --transactions.

    A folder that already holds files is refused unless --force: writing again would replace
    the scenario and its truth.

    Example: onca synth --out world/ --transactions 1000000 --seed 42 --cites --examples
    """
    from onca.synth import generate_scenario

    with errors_as_exit():
        _refuse_to_overwrite(out_dir, force)
    if force:
        _clear_scenario(out_dir)
    started = time.perf_counter()
    with errors_as_exit(), progress_bar(enabled=not as_json and err.is_terminal) as bar:
        summary = generate_scenario(
            out_dir,
            transactions=transactions,
            seed=seed,
            chunk_size=chunk_size,
            fmt=fmt,
            progress=lambda done, total: bar("generating transactions", done, total),
        )
    if camera_traps:
        from onca.synth._camtrap import write_camtrap_survey
        from onca.synth._seasons import write_seasons_survey

        with errors_as_exit():
            write_camtrap_survey(out_dir, seed=seed)
            write_seasons_survey(out_dir, seed=seed)
    if cites:
        from onca.synth._cites import write_cites_records

        with errors_as_exit():
            write_cites_records(out_dir, seed=seed)
    written: dict[str, str] = {}
    if examples:
        from onca.synth._examples import write_examples

        with errors_as_exit():
            written = write_examples(out_dir, seed=seed)
    seconds = time.perf_counter() - started
    payload = {
        "out_dir": str(summary.out_dir),
        "truth_dir": str(summary.truth_dir),
        "seed": summary.seed,
        "networks": summary.networks,
        "counts": summary.counts,
        "examples": written,
        "seconds": round(seconds, 2),
    }
    if as_json:
        print_json(payload)
        return
    for table, n in summary.counts.items():
        out.print(f"  {table:<13} {n:>12,}")
    for name, use in written.items():
        out.print(f"  {name}: {use}", highlight=False)
    out.print(
        f"wrote the Operation Jaguar scenario ({summary.networks} trafficking networks) to"
        f" {summary.out_dir} in {seconds:.1f} s; ground truth in {summary.truth_dir}"
    )


def _refuse_to_overwrite(out_dir: Path, force: bool) -> None:
    from onca.errors import ParameterError

    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError(f"--out {out_dir}: is a file, not a folder")
    if not force and out_dir.is_dir() and any(out_dir.iterdir()):
        raise ParameterError(
            f"--out {out_dir}: the folder is not empty; writing a scenario there would replace"
            " its files and truth. Choose an empty folder, or add --force to overwrite. (To add"
            " CITES records or a camera-trap survey, give --cites or --camera-traps with the"
            " first onca synth.)"
        )


SCENARIO_FOLDERS = ("truth", "examples", "cites", "camtrap", "seasons", "distribution")
SCENARIO_TABLES = ("parties", "accounts", "transactions", "shipments", "permits", "seizures")


def _clear_scenario(out_dir: Path) -> None:
    """Remove what an earlier ``onca synth`` wrote in ``out_dir`` (its tables and folders, by
    name), so that a forced run leaves no file of the old world beside the new; anything else
    in the folder stays."""
    import shutil

    if not out_dir.is_dir():
        return
    for name in SCENARIO_FOLDERS:
        shutil.rmtree(out_dir / name, ignore_errors=True)
    for table in SCENARIO_TABLES:
        for suffix in (".csv", ".parquet"):
            (out_dir / f"{table}{suffix}").unlink(missing_ok=True)


DEMO_FOLDER = Path("onca-demo")
"""Where ``onca demo`` writes unless told ``--out``."""


def demo(
    out_dir: Annotated[Path, out_option("Folder for data, workspace and report.")] = DEMO_FOLDER,
    transactions: Annotated[
        int, typer.Option(min=1000, help="Size of the generated scenario.")
    ] = DEMO_TRANSACTIONS,
    seed: Annotated[int, seed_option("Random seed of the scenario.")] = 7,
    as_json: Annotated[bool, json_option("a summary")] = False,
) -> None:
    """Generate a scenario, ingest, screen, resolve and analyse its network, estimate jaguar
    density, occupancy and a distribution from simulated surveys, check CITES trade records
    and permits; write OUT/report.html.

    The network part traces the money behind a seizure, finds communities, key players and
    risk, counts temporal motifs, and trains a scorer on graph features against the rules.

    The quickest way to see Onca work end to end. Safe to run again: ingest skips rows that are
    already loaded. Re-render the report later with: onca report OUT/onca.duckdb --scenario
    OUT/data
    """
    from onca.demo import run

    show = not as_json and err.is_terminal
    with errors_as_exit():
        result = run(
            out_dir,
            transactions=transactions,
            seed=seed,
            bars=lambda bytes_mode: progress_bar(enabled=show, bytes_mode=bytes_mode),
        )
    if as_json:
        print_json({**result.to_dict(), "seconds": round(result.seconds, 2)})
        return
    for line in result.story():
        out.print(line)
    out.print(
        f"done in {result.seconds:.1f} s. Open the report in a browser:"
        f" file://{result.report.resolve()}"
    )
