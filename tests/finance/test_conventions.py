"""Screening holds however an extract records the same event: a test matrix.

Each planted pattern (structuring, funnel, cash then cross-border, pass-through, cycle, keyword)
is written under each recording convention (how a cash deposit is recorded, unknown account
kinds, unknown party countries, date-only timestamps, another currency) and must raise its alert.
Every case lives in one workspace with accounts of its own, each typology runs once, and the same
matrix runs on DuckDB (one test per case) and on Spark (one session for all of it).

Cash conventions do not apply to the cycle, which moves money between accounts only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import onca.workspace
from onca.engines import open_engine
from onca.errors import TypologyError
from onca.finance import Alert, load_library, run_typologies
from onca.finance._lists import load_lists
from onca.finance._typology import Typology
from onca.ingest import ingest_files
from tests.finance.conftest import HEADERS, ORDER, BuildWorkspace, RunTypology

EUR_PER_USD = 0.92  # the fx_units_per_usd list's rate


@dataclass(frozen=True)
class Convention:
    """How an extract records things: cash deposits, kinds, countries, times, currency."""

    name: str
    cash: str = "null"  # null | teller_kind | teller_list | teller_name | own_account
    kind_known: bool = True
    country_known: bool = True
    date_only: bool = False
    currency: str = "USD"


CONVENTIONS = (
    Convention("cash_without_counterparty"),
    Convention("cash_via_teller_by_kind", cash="teller_kind"),
    Convention("cash_via_teller_by_list", cash="teller_list"),
    Convention("cash_via_teller_by_name", cash="teller_name"),
    Convention("cash_from_own_account", cash="own_account"),
    Convention("unknown_account_kind", kind_known=False),
    Convention("unknown_party_country", country_known=False),
    Convention("date_only_timestamps", date_only=True),
    Convention("non_usd_currency", currency="EUR"),
)
CASH_CONVENTIONS = {c.name for c in CONVENTIONS if c.cash != "null"} | {"cash_without_counterparty"}


class Case:
    """The rows of one pattern under one convention, with accounts named after the case."""

    def __init__(self, pattern: str, convention: Convention) -> None:
        self.pattern, self.conv = pattern, convention
        self.id = f"{pattern}-{convention.name}"
        self.prefix = f"{pattern[:3].upper()}{CONVENTIONS.index(convention)}"
        self.parties: list[str] = []
        self.accounts: list[str] = []
        self.transactions: list[str] = []
        self.desk_ids: list[str] = []
        self._desk: str | None = None
        self._n = 0

    def account(self, name: str, kind: str = "checking", country: str = "BO") -> str:
        """A new account (and its holder, P-<account>); returns the account id."""
        account_id = f"{self.prefix}-{name}"
        party_kind = "company" if kind == "business" else "person"
        where = country if self.conv.country_known else ""
        self.parties.append(
            f"P-{account_id},{party_kind},Holder {account_id},,{where},{where},,,,,,false"
        )
        kind = kind if self.conv.kind_known else ""
        self.accounts.append(
            f"{account_id},P-{account_id},Banco Uno,{country},{self.conv.currency},2020-01-01,{kind}"
        )
        return account_id

    def ts(self, day: int, hour: int) -> str:
        return f"2024-03-{day:02d}T{0 if self.conv.date_only else hour:02d}:00:00Z"

    def amount(self, usd: float) -> str:
        return f"{usd * (EUR_PER_USD if self.conv.currency == 'EUR' else 1.0):.2f}"

    def pay(
        self, day: int, hour: int, usd: float, src: str, dst: str, channel: str, memo: str = ""
    ) -> str:
        """A payment row; returns its txn id."""
        self._n += 1
        txn_id = f"{self.prefix}-T{self._n}"
        self.transactions.append(
            f"{txn_id},{self.ts(day, hour)},{self.amount(usd)},{self.conv.currency},"
            f"{src},{dst},{channel},{memo}"
        )
        return txn_id

    def desk(self) -> str:
        """The bank's teller account of this case's convention (one per case)."""
        if self._desk is None:
            bank = f"P-{self.prefix}-BANK"
            cash = self.conv.cash
            kind = "teller" if cash == "teller_kind" else ""
            name = "Teller 3 Banco Uno" if cash == "teller_name" else "Banco Uno SA"
            self._desk = f"{self.prefix}-BR42"
            self.parties.append(f"{bank},company,{name},,BO,BO,,,,,,false")
            self.accounts.append(f"{self._desk},{bank},Banco Uno,BO,{self.conv.currency},,{kind}")
            if cash == "teller_list":
                self.desk_ids.append(self._desk)
        return self._desk

    def cash_in(
        self, day: int, hour: int, usd: float, dst: str, depositor: str, memo: str = ""
    ) -> str:
        """A cash deposit into ``dst`` by ``depositor`` (a name), recorded by the convention."""
        cash = self.conv.cash
        memo = memo or f"deposito {depositor}"
        if cash in ("teller_kind", "teller_list", "teller_name"):
            return self.pay(day, hour, usd, self.desk(), dst, "other", memo)
        if cash == "own_account":
            own = f"{self.prefix}-{depositor}"
            if not any(a.startswith(own + ",") for a in self.accounts):
                self.account(depositor)
            return self.pay(day, hour, usd, own, dst, "cash", memo)
        return self.pay(day, hour, usd, "", dst, "cash", memo)


def structuring(case: Case) -> tuple[str, str]:
    target = case.account("T")
    for hour, units in ((9, 9400), (12, 9600), (15, 9800)):
        # within one day; thresholds are per currency: 9,400 EUR is as near the EUR threshold
        usd = units / (EUR_PER_USD if case.conv.currency == "EUR" else 1)
        case.cash_in(1, hour, usd, target, f"D{hour}")
    return "structuring", target


def funnel(case: Case) -> tuple[str, str]:
    target = case.account("F")
    out = case.account("X", country="ES")
    for i in range(7):
        day, hour = 1 + i // 3, 9 + 3 * (i % 3)
        if case.conv.name in CASH_CONVENTIONS:
            case.cash_in(day, hour, 600, target, f"S{i}")
        else:
            case.pay(day, hour, 600, case.account(f"S{i}"), target, "remittance")
    case.pay(4, 10, 3500, target, out, "wire")
    return "funnel_account", target


def cash_then_abroad(case: Case) -> tuple[str, str]:
    source = case.account("A")
    abroad = case.account("B", kind="business", country="PA")
    case.cash_in(1, 10, 5000, source, "Ana")
    case.pay(1, 16, 4500, source, abroad, "wire")
    return "cash_then_crossborder", source


def pass_through(case: Case) -> tuple[str, str]:
    front = case.account("R", kind="business")
    onward = case.account("Z", kind="business", country="PA")
    if case.conv.name in CASH_CONVENTIONS:
        case.cash_in(2, 9, 20000, front, "Buyer")
    else:
        case.pay(2, 9, 20000, case.account("S", kind="business"), front, "wire")
    case.pay(2, 15, 19000, front, onward, "wire")
    return "rapid_pass_through", front


def cycle(case: Case) -> tuple[str, str]:
    origin, first, second = case.account("O"), case.account("H1"), case.account("H2")
    # within one day: with date-only timestamps the three hops share one instant
    case.pay(1, 10, 20000, origin, first, "wire")
    case.pay(1, 13, 19500, first, second, "wire")
    case.pay(1, 16, 19000, second, origin, "wire")
    return "round_trip_cycle", origin


def keyword(case: Case) -> tuple[str, str]:
    seller = case.account("SELL")
    memo = "pago por colmillos"
    if case.conv.name in CASH_CONVENTIONS:
        txn = case.cash_in(1, 10, 800, seller, "Buyer", memo)
    else:
        txn = case.pay(1, 10, 800, case.account("BUY"), seller, "wire", memo)
    return "narrative_keywords", f"{txn}|P-{seller}"


PATTERNS: dict[str, Callable[[Case], tuple[str, str]]] = {
    "structuring": structuring,
    "funnel": funnel,
    "cash_then_abroad": cash_then_abroad,
    "pass_through": pass_through,
    "cycle": cycle,
    "keyword": keyword,
}
CASES = [
    (pattern, conv)
    for pattern in PATTERNS
    for conv in CONVENTIONS
    if not (pattern == "cycle" and conv.name in CASH_CONVENTIONS)
]


@dataclass
class Matrix:
    workspace: Path
    library: dict[str, Typology]
    expected: dict[str, tuple[str, str]]  # case id -> (typology, subject or "txn|party")


def _build(folder: Path) -> Matrix:
    rows: dict[str, list[str]] = {kind: [] for kind in ORDER}
    expected: dict[str, tuple[str, str]] = {}
    desk_ids: list[str] = []
    for pattern, conv in CASES:
        case = Case(pattern, conv)
        expected[case.id] = PATTERNS[pattern](case)
        rows["parties"] += case.parties
        rows["accounts"] += case.accounts
        rows["transactions"] += case.transactions
        desk_ids += case.desk_ids
    # two small payments a year apart: the period screened is long, as in real extracts, so
    # that an account's usual outflow is small next to a pass-through
    rows["parties"].append("P-SPAN,person,Span Anchor,,BO,BO,,,,,,false")
    rows["accounts"] += [
        "SPAN1,P-SPAN,Banco Uno,BO,USD,,savings",
        "SPAN2,P-SPAN,Banco Uno,BO,USD,,savings",
    ]
    rows["transactions"] += [
        "SPAN-T1,2023-09-01T10:00:00Z,10.00,USD,SPAN1,SPAN2,ach,",
        "SPAN-T2,2024-09-01T10:00:00Z,10.00,USD,SPAN2,SPAN1,ach,",
    ]
    path = folder / "ws.duckdb"
    for kind in ORDER:
        if not rows[kind]:
            continue
        file = folder / f"{kind}.csv"
        file.write_text(HEADERS[kind] + "\n" + "\n".join(rows[kind]) + "\n", encoding="utf-8")
        result = ingest_files(path, kind, [file])
        assert result.quarantined == 0, result.to_dict()
    # a user's own list of teller accounts, beside the built-in kinds and name terms
    user = folder / "typologies"
    (user / "lists").mkdir(parents=True)
    desks = load_lists()["cash_desks"]
    values = dict(desks.values) if isinstance(desks.values, dict) else {}
    values["account_ids"] = desk_ids
    (user / "lists" / "cash_desks.yaml").write_text(
        yaml.safe_dump(
            {"name": "cash_desks", "description": "ours", "source": "test", "values": values}
        ),
        encoding="utf-8",
    )
    return Matrix(path, load_library(user), expected)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    return _build(tmp_path_factory.mktemp("conventions"))


def _run(matrix: Matrix, engine: str) -> list[Alert]:
    ids = sorted({typology for typology, _ in matrix.expected.values()})
    with onca.workspace.open(matrix.workspace) as ws, open_engine(ws, engine) as runner:
        alerts, _ = run_typologies(runner, [matrix.library[t] for t in ids])
    return alerts


@pytest.fixture(scope="module")
def duckdb_alerts(matrix: Matrix) -> list[Alert]:
    return _run(matrix, "duckdb")


def _found(alerts: list[Alert], typology: str, subject: str) -> Iterator[Alert]:
    """The alerts of ``typology`` on ``subject`` ("txn|party" for an alert on a transaction)."""
    txn, _, party = subject.partition("|")
    for a in alerts:
        if a.typology_id == typology and a.subject_id == txn and (not party or a.party_id == party):
            yield a


@pytest.mark.parametrize(("pattern", "convention"), CASES, ids=[f"{p}-{c.name}" for p, c in CASES])
def test_pattern_is_found_under_convention(
    matrix: Matrix, duckdb_alerts: list[Alert], pattern: str, convention: Convention
) -> None:
    typology, subject = matrix.expected[f"{pattern}-{convention.name}"]
    found = list(_found(duckdb_alerts, typology, subject))
    others = sorted(a.subject_id for a in duckdb_alerts if a.typology_id == typology)
    assert found, f"{typology} raised no alert on {subject}; it alerted on {others}"


def test_a_teller_is_never_the_party_of_an_alert(duckdb_alerts: list[Alert]) -> None:
    banks = [a for a in duckdb_alerts if a.party_id and a.party_id.endswith("-BANK")]
    assert banks == []


def test_the_matrix_covers_every_pattern_and_convention() -> None:
    assert {p for p, _ in CASES} == set(PATTERNS)
    assert {c.name for _, c in CASES} == {c.name for c in CONVENTIONS}
    assert len(CASES) == len(PATTERNS) * len(CONVENTIONS) - len(CASH_CONVENTIONS)


@pytest.mark.slow
@pytest.mark.xdist_group("spark")
def test_spark_finds_the_same_matrix(matrix: Matrix, duckdb_alerts: list[Alert]) -> None:
    spark_alerts = _run(matrix, "spark")
    missing = [
        case
        for case, (typology, subject) in matrix.expected.items()
        if not list(_found(spark_alerts, typology, subject))
    ]
    assert missing == []
    assert sorted(a.key() for a in spark_alerts) == sorted(a.key() for a in duckdb_alerts)


def test_a_funnel_of_small_payments_is_found_on_its_own_scale(
    build_workspace: BuildWorkspace, run_typology: RunTypology
) -> None:
    """AMLSim-like data: every payment a few dollars. The absolute minimum (500 USD) hides the
    funnel; the peer-quantile minimum screens it on the data's own scale."""
    people = [f"S{i}" for i in range(8)] + ["F", "Q"]
    rows = {
        "parties": [f"P{a},person,Holder {a},,US,US,,,,,,false" for a in people],
        "accounts": [f"{a},P{a},Sim,US,USD,," for a in people],
        "transactions": [
            f"T{i},2020-01-0{1 + i // 4}T00:00:00Z,{4 + i % 3}.50,USD,S{i},F,wire,"
            for i in range(8)
        ]
        + [f"U{i},2020-01-0{1 + i},{300 + i}.00,USD,Q,S{i},wire," for i in range(8)],
    }
    ws = build_workspace(rows)
    assert run_typology(ws, "funnel_account") == []
    (alert,) = run_typology(ws, "funnel_account", min_inflow_quantile=0.01)
    assert alert.subject_id == "F" and alert.details["n_senders"] == 8
    with pytest.raises(TypologyError, match=r"must be <= 1\.0"):
        run_typology(ws, "funnel_account", min_inflow_quantile=1.5)
