"""onca.convert.convert_camt053 on hand-written statements: directions, cash, rejects, hostile XML."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onca.cli import app
from onca.convert import convert_camt053
from onca.errors import InputFileError
from onca.ingest import ingest_files

FIXTURES = Path(__file__).parent / "fixtures" / "camt053"
STATEMENTS = FIXTURES / "statements"
HOSTILE = FIXTURES / "hostile"
BR = "CAMT-BR1800360305000010009795493C1"
CR = "CAMT-100-01-000-123456-7"


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_entries_become_payments_in_the_right_direction(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = convert_camt053(STATEMENTS, out)
    counts = {Path(f.file).name: (f.read, f.written, f.rejected) for f in result.files}
    assert counts == {
        "partial.xml": (10, 1, 9),
        "stmt_v02.xml": (4, 4, 0),
        "stmt_v08.xml": (2, 2, 0),
    }
    assert result.read == result.written + result.rejected == 16

    txns = {r["txn_id"]: r for r in read_csv(out / "transactions.csv")}
    assert txns[f"{BR}-REF-001"] == {
        "txn_id": f"{BR}-REF-001",
        "ts": "2024-06-03T00:00:00Z",
        "amount": "15000.00",
        "currency": "BRL",
        "from_account": "CAMT-BR9700360305000010009795493P1",
        "to_account": BR,
        "channel": "ach",
        "narrative": "Pagamento pele de onça lote 7",
    }
    deposit = txns[f"{BR}-REF-002"]
    assert (deposit["from_account"], deposit["to_account"], deposit["channel"]) == ("", BR, "cash")
    assert deposit["narrative"] == "Depósito em espécie agência 0452"
    wire = txns[f"{BR}-REF-003"]
    assert (wire["ts"], wire["from_account"], wire["channel"]) == (
        "2024-06-03T18:45:00Z",
        BR,
        "wire",
    )
    assert wire["to_account"] == "CAMT-NAME-HYPERLINK-HTTP:-EXAMPLE.INVALID-CURTUME"
    fee = txns[f"{BR}-REF-004"]
    assert (fee["to_account"], fee["channel"]) == (f"{BR}-UNNAMED", "other")
    atm = txns[f"{CR}-N-1"]
    assert (atm["from_account"], atm["to_account"], atm["channel"], atm["ts"]) == (
        CR,
        "",
        "cash",
        "2024-06-11T22:10:00Z",
    )
    incoming = txns[f"{CR}-N-2"]
    assert (incoming["from_account"], incoming["to_account"], incoming["channel"]) == (
        "CAMT-US-99887766",
        CR,
        "wire",
    )

    accounts = {r["account_id"]: r for r in read_csv(out / "accounts.csv")}
    assert accounts[BR] == {
        "account_id": BR,
        "holder_id": "CAMT-P-BR1800360305000010009795493C1",
        "institution": "BRASBRRJ",
        "country": "BR",
        "currency": "BRL",
        "opened_at": "",
        "kind": "",
    }
    assert (accounts[CR]["institution"], accounts[CR]["country"]) == ("BNCRCRSJ", "CR")
    assert (
        accounts["CAMT-US-99887766"]["institution"],
        accounts["CAMT-US-99887766"]["country"],
    ) == (
        "CHASUS33",
        "US",
    )
    assert accounts[wire["to_account"]]["kind"] == "other"  # named after the creditor

    parties = {r["party_id"]: r for r in read_csv(out / "parties.csv")}
    owner = parties["CAMT-P-BR1800360305000010009795493C1"]
    assert (owner["kind"], owner["name"], owner["address"], owner["country"]) == (
        "company",
        "Couros do Norte Ltda",
        "Rua da Praia, 12, Manaus",
        "BR",
    )
    assert parties["CAMT-P-100-01-000-123456-7"]["name"] == "Luis Alberto Jiménez Mora"
    assert parties["CAMT-P-US-99887766"]["name"] == "Pacific Exotic Imports LLC"
    formula = parties["CAMT-P-NAME-HYPERLINK-HTTP:-EXAMPLE.INVALID-CURTUME"]
    assert formula["name"] == '=HYPERLINK("http://example.invalid","Curtume")'


def test_each_bad_entry_is_rejected_with_its_line_and_reason(tmp_path: Path) -> None:
    out = tmp_path / "out"
    convert_camt053(STATEMENTS / "partial.xml", out)
    got = [(int(r["line"]), r["reason"]) for r in read_csv(out / "rejected.csv")]
    assert got == [
        (9, "Stmt[1] (P-1)/Ntry[1]: Amt is missing"),
        (14, "Stmt[1] (P-1)/Ntry[2]: CdtDbtInd 'CREDIT' is not CRDT or DBIT"),
        (20, "Stmt[1] (P-1)/Ntry[3]: BookgDt and ValDt are missing"),
        (25, "Stmt[1] (P-1)/Ntry[4]: status PDNG: not booked"),
        (32, "Stmt[1] (P-1)/Ntry[5]: Amt Ccy 'XYZ' is not an ISO 4217 code"),
        (38, "Stmt[1] (P-1)/Ntry[6]: Amt 1.005 has more than 2 decimals"),
        (44, "Stmt[1] (P-1)/Ntry[7]: booking date '2024-06-31' is not an ISO 8601 date or time"),
        (
            57,
            "Stmt[1] (P-1)/Ntry[9]: entry A-8 repeats an entry already converted"
            " (CAMT-GT82TRAJ01020000001210029690-A-8)",
        ),
        (67, "Stmt[2] (P-2): Acct/Id has no IBAN or Othr/Id"),
    ]


def test_output_ingests_with_nothing_quarantined(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = convert_camt053(STATEMENTS, out)
    ws = tmp_path / "ws.duckdb"
    for kind in ("parties", "accounts", "transactions"):
        res = ingest_files(ws, kind, [out / f"{kind}.csv"])
        assert (res.rows, res.quarantined) == (result.outputs[f"{kind}.csv"], 0), res.to_dict()
        assert res.files[0].ignored_columns == []
    assert result.outputs["transactions.csv"] == 7


def test_country_option_for_accounts_without_iban(tmp_path: Path) -> None:
    path = tmp_path / "s.xml"
    path.write_text(
        """<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04"><BkToCstmrStmt><Stmt>
        <Acct><Id><Othr><Id>55-1</Id></Othr></Id><Ccy>MXN</Ccy></Acct>
        <Ntry><Amt Ccy="MXN">10.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2024-01-02</Dt></BookgDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>CNTR</Cd><SubFmlyCd>CWDL</SubFmlyCd></Fmly></Domn></BkTxCd></Ntry>
        </Stmt></BkToCstmrStmt></Document>""",
        encoding="utf-8",
    )
    result = convert_camt053(path, tmp_path / "a")
    assert result.rejected == 1
    assert "no country for account 55-1" in read_csv(tmp_path / "a" / "rejected.csv")[0]["reason"]
    result = convert_camt053(path, tmp_path / "b", country="MX")
    assert result.written == 1
    (row,) = read_csv(tmp_path / "b" / "transactions.csv")
    assert (row["txn_id"], row["from_account"], row["to_account"], row["channel"]) == (
        "CAMT-55-1-N1-2024-01-02",
        "CAMT-55-1",
        "",
        "cash",
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("unknown_version.xml", r"camt\.053\.001\.13 is not a version this converter reads"),
        ("not_xml.xml", r"not XML \(it starts with 'Date;Amount"),
        ("billion_laughs.xml", r"has a DTD .*billion laughs"),
        ("external_entity.xml", r"has a DTD .*external entities cannot run"),
    ],
)
def test_hostile_or_unknown_files_stop_before_writing(
    tmp_path: Path, name: str, message: str
) -> None:
    folder = tmp_path / "in"
    shutil.copytree(STATEMENTS, folder)
    shutil.copy(HOSTILE / name, folder / name)
    with pytest.raises(InputFileError, match=message):
        convert_camt053(folder, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_goaml_file_is_not_a_statement(tmp_path: Path) -> None:
    goaml = Path(__file__).parent / "fixtures" / "goaml" / "reports" / "str_valid.xml"
    with pytest.raises(InputFileError, match=r"not a camt\.053 statement \(root <report>"):
        convert_camt053(goaml, tmp_path / "out")


def test_cli_counts_json_and_help(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["convert", "camt053", str(STATEMENTS), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "16 rows read = 7 written + 9 rejected" in res.output
    res = runner.invoke(
        app, ["convert", "camt053", str(STATEMENTS), "--out", str(tmp_path / "o2"), "--json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["outputs"]["accounts.csv"] == 9
    res = runner.invoke(
        app, ["convert", "camt053", str(HOSTILE / "not_xml.xml"), "--out", str(tmp_path / "x")]
    )
    assert res.exit_code == 2 and "not XML" in res.output
    res = runner.invoke(app, ["convert", "camt053", "--help"])
    assert res.exit_code == 0
    for words in ("CdtDbtInd", "CAMT-BR18...-REF-001", "midnight UTC", "Example"):
        assert words in res.output
