"""onca.convert.convert_goaml on hand-written goAML reports: mapping, rejects, hostile XML, CLI."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onca.cli import app
from onca.convert import convert_goaml
from onca.errors import InputFileError, ParameterError
from onca.ingest import ingest_files

FIXTURES = Path(__file__).parent / "fixtures" / "goaml"
REPORTS = FIXTURES / "reports"
HOSTILE = FIXTURES / "hostile"
FORMULA = '=HYPERLINK("http://example.invalid","Curtiembre")'


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_valid_str_maps_parties_accounts_and_cash(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = convert_goaml(REPORTS / "str_valid.xml", out)
    assert [(f.read, f.written, f.rejected) for f in result.files] == [(4, 4, 0)]

    txns = {
        r["txn_id"].removeprefix("GOAML-STR-2024-0042-T-"): r
        for r in read_csv(out / "transactions.csv")
    }
    a = "GOAML-STR-2024-0042-A-"
    assert txns["TX-0001"] == {
        "txn_id": "GOAML-STR-2024-0042-T-TX-0001",
        "ts": "2024-03-05T14:30:00Z",
        "amount": "35000.00",
        "currency": "BOB",
        "from_account": f"{a}1000123456",
        "to_account": f"{a}2000987654",
        "channel": "wire",
        "narrative": "Pago factura 88 cueros de jaguar",
    }
    deposit, withdrawal = txns["TX-0002"], txns["TX-0003"]
    assert (deposit["from_account"], deposit["to_account"], deposit["channel"]) == (
        "",
        f"{a}1000123456",
        "cash",
    )
    assert (deposit["ts"], deposit["amount"]) == ("2024-03-04T09:15:00Z", "9900.00")
    assert (withdrawal["from_account"], withdrawal["to_account"], withdrawal["channel"]) == (
        f"{a}1000123456",
        "",
        "cash",
    )
    assert withdrawal["ts"] == "2024-03-06T00:00:00Z"  # a date alone is midnight UTC
    other = txns["TX-0004"]
    assert other["ts"] == "2024-03-07T22:00:00Z"  # -04:00 converted to UTC
    assert (other["channel"], other["narrative"]) == (
        "other",
        '=HYPERLINK("http://example.invalid","pago"); transmode_code X9',
    )

    accounts = {r["account_id"]: r for r in read_csv(out / "accounts.csv")}
    maria = accounts[f"{a}1000123456"]
    assert maria == {
        "account_id": f"{a}1000123456",
        "holder_id": "GOAML-STR-2024-0042-P-4589123-LP",
        "institution": "Banco Unión S.A.",
        "country": "BO",
        "currency": "BOB",
        "opened_at": "2019-02-11",
        "kind": "",
    }
    assert accounts[f"{a}2000987654"]["holder_id"] == "GOAML-STR-2024-0042-E-NIT-1023456021"
    unreported = accounts[other["to_account"]]
    assert (unreported["institution"], unreported["country"], unreported["kind"]) == (
        "(account not reported)",
        "PE",
        "other",
    )

    parties = {r["party_id"]: r for r in read_csv(out / "parties.csv")}
    assert parties["GOAML-STR-2024-0042-P-4589123-LP"] == {
        "party_id": "GOAML-STR-2024-0042-P-4589123-LP",
        "kind": "person",
        "name": "María Quispe Mamani",
        "birth_date": "1985-07-21",
        "nationality": "BO",
        "country": "BO",
        "address": "Calle Sagárnaga 345, La Paz, BO",
        "phone": "+591 71234567",
        "id_number": "4589123 LP",
        "industry": "",
        "occupation": "Comerciante",
        "is_pep": "",
    }
    company = parties["GOAML-STR-2024-0042-E-NIT-1023456021"]
    assert (company["kind"], company["name"], company["industry"], company["country"]) == (
        "company",
        "Exportadora Selva Viva S.R.L.",
        "Exportación de artesanías",
        "BO",
    )
    assert parties[unreported["holder_id"]]["name"] == FORMULA  # stays data, not a formula
    assert parties["GOAML-STR-2024-0042-P-6677001-OR"]["name"] == "Jorge Mamani Choque"
    assert len(parties) == 4  # María once, though named by three transactions


def test_folder_rejects_each_bad_transaction_with_line_and_reason(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = convert_goaml(REPORTS, out)
    counts = {Path(f.file).name: (f.read, f.written, f.rejected) for f in result.files}
    assert counts == {
        "malformed.xml": (5, 0, 5),
        "multi_party.xml": (1, 0, 1),
        "partial.xml": (8, 1, 7),
        "str_valid.xml": (4, 4, 0),
    }
    assert result.read == result.written + result.rejected == 18
    got = [
        (Path(r["source_file"]).name, int(r["line"]), r["reason"])
        for r in read_csv(out / "rejected.csv")
    ]
    assert got == [
        (
            "malformed.xml",
            7,
            "report/transaction[1] (M-1): date_transaction '05/03/2024' is not an ISO 8601 date or time",
        ),
        (
            "malformed.xml",
            13,
            "report/transaction[2] (M-2): amount_local '1.234,56' is not a number",
        ),
        ("malformed.xml", 19, "report/transaction[3] (M-3): amount_local -50 is not positive"),
        (
            "malformed.xml",
            25,
            "report/transaction[4] (M-4): t_from/from_account has no account number (account or iban)",
        ),
        (
            "malformed.xml",
            33,
            "report/transaction[5] (M-5): neither side has an account (cash on both sides)",
        ),
        (
            "multi_party.xml",
            11,
            "report/transaction[1] (OP 77120): multi-party transaction (involved_parties): goAML does not say who paid whom; its 2 parties were written, the payment was not",
        ),
        ("partial.xml", 7, "report/transaction[1] (P-1): amount_local is missing"),
        ("partial.xml", 14, "report/transaction[2] (P-2): date_transaction is missing"),
        ("partial.xml", 19, "report/transaction[3] (P-3): no t_to or t_to_my_client"),
        (
            "partial.xml",
            26,
            "report/transaction[4] (P-4): t_to names no to_account, to_person or to_entity",
        ),
        ("partial.xml", 34, "report/transaction[5]: transactionnumber is missing"),
        (
            "partial.xml",
            46,
            "report/transaction[7] (P-6): transactionnumber 'P-6' repeats an earlier transaction",
        ),
        (
            "partial.xml",
            54,
            "report/transaction[8] (P-8): t_from/from_person has no first_name or last_name",
        ),
    ]
    parties = {r["party_id"]: r for r in read_csv(out / "parties.csv")}
    rosa = parties["GOAML-CTR-2024-0107-P-PE1234567"]  # from the multi-party transaction
    assert (rosa["name"], rosa["birth_date"], rosa["id_number"]) == (
        "Rosa Elena Huamán Ríos",
        "1979-11-30",
        "PE1234567",
    )
    assert "GOAML-CTR-2024-0107-A-CMC-5512" in {
        r["account_id"] for r in read_csv(out / "accounts.csv")
    }


def test_output_ingests_with_nothing_quarantined(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = convert_goaml(REPORTS, out)
    ws = tmp_path / "ws.duckdb"
    for kind in ("parties", "accounts", "transactions"):
        res = ingest_files(ws, kind, [out / f"{kind}.csv"])
        assert (res.rows, res.quarantined) == (result.outputs[f"{kind}.csv"], 0), res.to_dict()
        assert res.files[0].ignored_columns == []
    assert result.outputs["transactions.csv"] == 5


def test_activity_report_parties_and_options(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "sar.xml").write_text(
        """<report><currency_code_local>USD</currency_code_local><activity><report_parties>
        <report_party><entity><name>Fauna Trading Ltd</name></entity></report_party>
        <report_party><account><account>77</account><institution_name>B</institution_name></account></report_party>
        <report_party><significance>3</significance></report_party>
        </report_parties></activity></report>""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = convert_goaml(folder, out, country="us")
    assert [(f.read, f.written, f.rejected) for f in result.files] == [(3, 2, 1)]
    assert read_csv(out / "accounts.csv")[0]["country"] == "US"  # no IBAN/SWIFT: --country
    assert (
        read_csv(out / "rejected.csv")[0]["reason"]
        == "report/activity/report_parties/report_party[3]: names no person, account or entity"
    )
    with pytest.raises(ParameterError, match="--country 'XX'"):
        convert_goaml(folder, tmp_path / "o2", country="XX")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("billion_laughs.xml", r"has a DTD .*refused.*billion laughs"),
        ("external_entity.xml", r"has a DTD .*external entities cannot run"),
        ("truncated.xml", "not well-formed XML at line 5, column 24"),
        ("not_xml.xml", "not XML \\(it starts with 'rentity_id,report_co'\\)"),
    ],
)
def test_hostile_or_broken_files_stop_before_writing(
    tmp_path: Path, name: str, message: str
) -> None:
    folder = tmp_path / "in"
    shutil.copytree(REPORTS, folder)
    shutil.copy(HOSTILE / name, folder / name)
    with pytest.raises(InputFileError, match=message):
        convert_goaml(folder, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_size_cap_root_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="over the limit of 100"):
        convert_goaml(REPORTS / "str_valid.xml", tmp_path / "out", max_file_bytes=100)
    other = tmp_path / "camt.xml"
    other.write_text("<Document><BkToCstmrStmt/></Document>")
    with pytest.raises(InputFileError, match=r"not a goAML report.*<Document>"):
        convert_goaml(other, tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputFileError, match=r"no \.xml file"):
        convert_goaml(tmp_path / "empty", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_counts_json_errors_and_help(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["convert", "goaml", str(REPORTS), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "18 rows read = 5 written + 13 rejected" in res.output
    res = runner.invoke(
        app, ["convert", "goaml", str(REPORTS), "--out", str(tmp_path / "o2"), "--json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["outputs"]["transactions.csv"] == 5
    bomb = HOSTILE / "billion_laughs.xml"
    res = runner.invoke(app, ["convert", "goaml", str(bomb), "--out", str(tmp_path / "b")])
    assert res.exit_code == 2 and "has a DTD" in res.output
    res = runner.invoke(
        app,
        [
            "convert",
            "goaml",
            str(REPORTS / "multi_party.xml"),
            "--out",
            str(tmp_path / "c"),
            "--cash-funds",
            "Z",
        ],
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["convert", "goaml", "--help"])
    assert res.exit_code == 0
    for words in ("t_from_my_client", "GOAML-STR-1-T-TX-9", "rejected.csv", "Example"):
        assert words in res.output
