"""Public bodies and officials' employers are recognised from the contract's party columns
(industry, kind, occupation, is_pep) and the public_bodies list, not from names alone."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import onca.workspace
from onca.contract import load_reference
from onca.finance import load_lists, public_bodies, public_entities
from tests.finance.conftest import BuildWorkspace

PARTIES = [
    "G1,organization,Kowloon Wildlife Department,,,HK,,,,government,,false",
    "G2,organization,Prefeitura de Belém,,,BR,,,,government,,false",  # an alert points at it
    "G3,organization,Oficina Regional,,,BO,,,,Administración Pública,,false",
    "M1,organization,Ministerio de Ambiente y Agua,,,BO,,,,,,false",  # no sector: its name
    "B1,company,Despachante de Aduana Del Valle S.R.L.,,,BO,,,,customs broker,,false",
    "N1,organization,Fundación Selva Viva,,,BO,,,,non-profit,,false",
    "C1,company,Comercial Horizonte S.A.,,,BO,,,,general trading,,false",
    "O1,person,Ana Paz Quispe,1980-01-01,BO,BO,,,,,Funcionario de Aduanas,false",
    "O2,person,Luis Rojas,1975-05-05,BO,BO,,,,,comerciante,true",
    "P1,person,Rosa Mamani,1990-02-02,BO,BO,,,,,comerciante,false",
]
ACCOUNTS = [
    f"A{p},{p},Banco Uno,BO,BOB,2020-01-01,{'checking' if p[0] in 'OP' else 'business'}"
    for p in ("G1", "G2", "G3", "M1", "B1", "N1", "C1", "O1", "O2", "P1")
]
TRANSACTIONS = [
    # N1 (an organization) pays O1 (a customs officer) three months running: her employer
    *(f"TN{m},2024-0{m}-28T10:00:00Z,900,BOB,AN1,AO1,wire,sueldo" for m in (1, 2, 3)),
    # C1 (a company) pays O2 (a PEP) three months running: that is no payroll to excuse
    *(f"TC{m},2024-0{m}-15T10:00:00Z,900,BOB,AC1,AO2,wire,pago" for m in (1, 2, 3)),
    # G1 pays P1 twice: P1 is no official
    "TG1,2024-01-10T10:00:00Z,100,BOB,AG1,AP1,wire,x",
    "TG2,2024-02-10T10:00:00Z,100,BOB,AG1,AP1,wire,x",
]


def _workspace(build_workspace: BuildWorkspace) -> Path:
    path = build_workspace({"parties": PARTIES, "accounts": ACCOUNTS, "transactions": TRANSACTIONS})
    with onca.workspace.open(path) as ws:
        ws.con.execute(
            "INSERT INTO alerts VALUES ('x1', 1, 'official_unexplained_inflow', 'high', 'party',"
            " 'G2', 'G2', NULL, NULL, 0.9, 'x', '{}')"
        )
    return path


def test_bodies_come_from_the_sector_and_employers_from_payroll(
    build_workspace: BuildWorkspace,
) -> None:
    with onca.workspace.open(_workspace(build_workspace)) as ws:
        bodies = public_bodies(ws.db)
        entities = public_entities(ws.db, bodies)
    assert bodies == {
        "G1": "public body: industry 'government'",
        "G3": "public body: industry 'Administración Pública'",
        "M1": "public body: its name (Ministerio de Ambiente y Agua)",
        "N1": "employer of Ana Paz Quispe (Funcionario de Aduanas)",
    }
    # G2: a typology about officials points at it; B1: "Aduana" in a customs broker's name is
    # no public body; C1: a company paying a PEP monthly stays a suspect
    assert entities == {f"ENT-{p}": reason for p, reason in bodies.items()}


def test_a_users_list_replaces_the_sectors(build_workspace: BuildWorkspace) -> None:
    shipped = load_reference("public_bodies")
    lists = dict(load_lists())
    lists["public_bodies"] = dataclasses.replace(
        shipped, values={**shipped.values, "industries": ["non-profit"]}
    )
    with onca.workspace.open(_workspace(build_workspace)) as ws:
        bodies = public_bodies(ws.db, lists=lists)
    assert set(bodies) == {"M1", "N1"}  # the name fallback stays; government is no longer
    assert bodies["N1"] == "public body: industry 'non-profit'"  # a body before an employer


def test_an_empty_workspace_has_none(tmp_path: Path) -> None:
    with onca.workspace.open(tmp_path / "w.duckdb") as ws:
        assert public_bodies(ws.db) == {}
        assert public_entities(ws.db, {}) == {}
