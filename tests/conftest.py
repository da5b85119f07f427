"""Shared fixtures: small contract-valid files to ingest."""

from __future__ import annotations

from pathlib import Path

import pytest

PARTIES_CSV = """party_id,kind,name,birth_date,nationality,country,address,phone,id_number,industry,occupation,is_pep
P1,person,José Pérez Quispe,1980-02-01,BO,BO,Av. Busch 12,+59171234567,4455667,,comerciante,false
P2,company,Mascotas Exóticas SRL,,,PE,Jr. Lima 5,,20123456789,pet shop,,false
P3,person,Zhang Wei,1975-07-15,CN,BO,Calle 3,,E1234567,,importer,no
"""

ACCOUNTS_CSV = """account_id,holder_id,institution,country,currency,opened_at,kind
A1,P1,Banco Uno,BO,BOB,2020-01-01,checking
A2,P2,Banco Dos,PE,PEN,2019-05-01,business
A3,P3,Banco Uno,BO,USD,2021-03-03,savings
"""

HEADER_TX = "txn_id,ts,amount,currency,from_account,to_account,channel,narrative\n"

TRANSACTIONS_CSV = (
    HEADER_TX
    + """T1,2024-01-01T10:00:00Z,100.50,BOB,A1,A2,wire,pago factura 12
T2,2024-01-02T11:00:00-04:00,9500.00,USD,,A3,cash,deposito
T3,2024-01-02T18:30:00Z,9400.00,USD,A3,A2,wire,artesanias
"""
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "parties": write(tmp_path / "parties.csv", PARTIES_CSV),
        "accounts": write(tmp_path / "accounts.csv", ACCOUNTS_CSV),
        "transactions": write(tmp_path / "transactions.csv", TRANSACTIONS_CSV),
    }


@pytest.fixture
def loaded_ws(tmp_path: Path, files: dict[str, Path]) -> Path:
    """A workspace with the three small files loaded."""
    from onca.ingest import ingest_files

    ws = tmp_path / "ws.duckdb"
    for kind in ("parties", "accounts", "transactions"):
        result = ingest_files(ws, kind, [files[kind]])
        assert result.quarantined == 0, result.to_dict()
    return ws
