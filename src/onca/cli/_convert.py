"""``onca convert``: turn third-party formats into data-contract files for ``onca ingest``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from onca.cli._common import (
    err,
    errors_as_exit,
    numbers_table,
    out,
    print_json,
    print_warnings,
    progress_bar,
)
from onca.cli._options import json_option, out_option
from onca.errors import ParameterError

if TYPE_CHECKING:
    from onca.convert import ConvertResult

app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help="""Convert other formats into data-contract CSV files that 'onca ingest' loads.

Each converter writes parties.csv, accounts.csv, transactions.csv (the contract's columns),
labels when the source has them, and rejected.csv for the rows it could not map. For every
source file, rows read = written + rejected.

**onca convert amlsim SOURCE --out DIR** converts an IBM AMLSim sample (folder or .tgz).

**onca convert amlworld FILE --out DIR** converts an IBM AMLworld transaction CSV
(e.g. HI-Small_Trans.csv), streamed.

**onca convert goaml FILE_OR_FOLDER --out DIR** converts UNODC goAML XML reports.

**onca convert camt053 FILE_OR_FOLDER --out DIR** converts ISO 20022 camt.053 statements.
""",
)


OutDir = Annotated[Path, out_option("Folder to write the CSV files into.")]
"""``--out DIR``: every converter writes its CSV files into a folder."""

CountsJson = Annotated[bool, json_option("the counts")]
"""``--json``: print what a conversion read, wrote and rejected."""


def _country_option(source: str) -> Any:
    """``--country`` for a ``source`` format whose accounts have no country: one for all."""
    return typer.Option(help=f"ISO 3166-1 country of every account ({source} has none).")


def _start(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ParameterError(
            f"--start {value!r}: expected an ISO 8601 date or time, e.g. 2020-01-01"
        ) from None
    return parsed


@app.command()
def amlsim(
    source: Annotated[
        Path, typer.Argument(help="AMLSim sample: a folder or the .tgz as published.")
    ],
    out_dir: OutDir,
    start: Annotated[
        str, typer.Option(help="Date (or ISO time, UTC if no offset) of step 0.")
    ] = "2020-01-01",
    step_hours: Annotated[
        float, typer.Option("--step-hours", min=0.001, help="Length of one AMLSim step, in hours.")
    ] = 24.0,
    currency: Annotated[
        str, typer.Option(help="ISO 4217 currency of every amount and account.")
    ] = "USD",
    country: Annotated[str, _country_option("AMLSim")] = "US",
    as_json: CountsJson = False,
) -> None:
    """Convert an IBM AMLSim sample into contract files, labels and a list of rejected rows.

    AMLSim (github.com/IBM/AMLSim) simulates bank accounts paying each other in integer time
    steps, some planted in laundering patterns. A sample holds **nodes.csv** (nodeid, isFraud,
    init_balance, fraudStep) and **transactions.csv** (sourceNodeId, targetNodeId, value, time).
    A .tgz is read in memory: only those two members, never extracted to disk.

    Writes into DIR: **parties.csv** and **accounts.csv** (node 1234 becomes account
    AMLSIM-A1234 held by party AMLSIM-P1234), **transactions.csv** (line 57 of the source
    becomes AMLSIM-T57, at start + time x step, channel wire), **labels/accounts.csv**
    (account_id,label; 1 = isFraud)
    and **rejected.csv** (source_file,line,reason: missing or non-integer ids, non-numeric,
    negative or zero values, unknown nodes, bad steps, repeated nodes).

    Example:

        onca convert amlsim 20K_fanin200.tgz --out fanin/ --start 2020-01-01

        onca ingest work.duckdb parties fanin/parties.csv  (then accounts, then transactions)
    """
    from onca.convert import convert_amlsim

    with errors_as_exit():
        origin = _start(start)
    _convert(
        convert_amlsim,
        source,
        out_dir,
        as_json,
        name="amlsim",
        labels="accounts labelled illicit",
        start=origin,
        step=dt.timedelta(hours=step_hours),
        currency=currency,
        country=country,
    )


@app.command()
def amlworld(
    source: Annotated[
        Path, typer.Argument(help="AMLworld transaction CSV, e.g. HI-Small_Trans.csv.")
    ],
    out_dir: OutDir,
    country: Annotated[str, _country_option("AMLworld")] = "US",
    btc_usd: Annotated[
        str, typer.Option("--btc-usd", help="USD per bitcoin, to convert Bitcoin amounts.")
    ] = "20000",
    as_json: CountsJson = False,
) -> None:
    """Convert an IBM AMLworld transaction CSV into contract files and labels, streamed.

    AMLworld (Altman et al. 2023; Kaggle "IBM Transactions for Anti Money Laundering") labels
    every laundering payment. Its *_Trans.csv files have the header **Timestamp, From Bank,
    Account, To Bank, Account, Amount Received, Receiving Currency, Amount Paid, Payment
    Currency, Payment Format, Is Laundering** (columns read by position). The file is streamed:
    HI-Small (5M rows) and HI-Large (180M) need memory for their accounts only.

    Writes into DIR: **accounts.csv** (bank 011, account 8000ECA90 becomes AMLW-011-8000ECA90,
    institution 011) held by one **parties.csv** row each (AMLW-P-011-8000ECA90);
    **transactions.csv** (line 57 becomes AMLW-T57; the amount and currency paid by the sender,
    currency names as ISO 4217 codes, Bitcoin converted to USD at --btc-usd; a different amount
    received is kept in the narrative; Payment Format as channel: Wire wire, ACH ach, Cheque
    check, Credit Card card, Cash cash, Bitcoin crypto, Reinvestment other);
    **labels/transactions.csv** (txn_id,label: Is Laundering); **labels/accounts.csv**
    (account_id,label: 1 when the account sends or receives a laundering payment) and
    **rejected.csv** (source_file,line,reason).

    Example:

        onca convert amlworld HI-Small_Trans.csv --out hi-small/

        onca ingest hi.duckdb parties hi-small/parties.csv  (then accounts, then transactions)

        onca evaluate screening hi.duckdb --labels hi-small/labels/accounts.csv
    """
    from onca.convert import convert_amlworld

    _convert(
        convert_amlworld,
        source,
        out_dir,
        as_json,
        name="amlworld",
        labels="accounts labelled 1 (they send or receive a laundering payment)",
        progress=True,
        country=country,
        btc_usd=btc_usd,
    )


@app.command()
def goaml(
    source: Annotated[Path, typer.Argument(help="A goAML report (.xml) or a folder of them.")],
    out_dir: OutDir,
    country: Annotated[
        str | None,
        typer.Option(
            help="ISO 3166-1 country of accounts without IBAN or SWIFT"
            " (default: the report's location/country_code)."
        ),
    ] = None,
    cash_funds: Annotated[
        list[str] | None,
        typer.Option(
            "--cash-funds",
            help="A funds code that means cash (repeat; default K, CASH, EFECTIVO, DINHEIRO...).",
        ),
    ] = None,
    as_json: CountsJson = False,
) -> None:
    """Convert UNODC goAML XML reports (STR, CTR...) into contract files and rejected rows.

    goAML is the reporting schema of many FIUs, across Latin America among others. A report
    holds **transaction** elements, each bi-party (**t_from_my_client**/**t_from** and
    **t_to_my_client**/**t_to**, each with an account, a person or an entity) or multi-party
    (**involved_parties**), or an **activity** with **report_parties**.

    Writes into DIR: **parties.csv** (persons and entities), **accounts.csv** (held by their
    entity or primary signatory), **transactions.csv** (transaction TX-9 of report STR-1
    becomes GOAML-STR-1-T-TX-9; a side in cash with no account is left empty: a cash deposit
    or withdrawal, channel cash; transmode_code as channel) and **rejected.csv**
    (source_file,line,reason: the element path, transaction number and what is missing).
    Multi-party transactions do not say who paid whom: their parties are written, the payment
    goes to rejected.csv. DTDs and entities are refused (no entity expansion, no external
    entity), and files over 256 MiB are not read.

    Example:

        onca convert goaml tests/convert/fixtures/goaml/reports --out goaml/

        onca ingest fiu.duckdb parties goaml/parties.csv  (then accounts, then transactions)
    """
    from onca.convert import convert_goaml
    from onca.convert._goaml import CASH_FUNDS

    _convert(
        convert_goaml,
        source,
        out_dir,
        as_json,
        name="goaml",
        country=country,
        cash_funds=cash_funds or CASH_FUNDS,
    )


@app.command()
def camt053(
    source: Annotated[
        Path, typer.Argument(help="A camt.053 statement (.xml) or a folder of them.")
    ],
    out_dir: OutDir,
    country: Annotated[
        str | None,
        typer.Option(help="ISO 3166-1 country of accounts with no IBAN, address or BIC."),
    ] = None,
    as_json: CountsJson = False,
) -> None:
    """Convert ISO 20022 camt.053 bank statements (.001.02 to .001.08) into contract files.

    Each **Stmt** is one customer account (**Acct/Id/IBAN** or **Othr/Id**, **Ccy**,
    **Ownr/Nm**); each entry (**Ntry**: **Amt Ccy=**, **CdtDbtInd**, **BookgDt**, **BkTxCd**,
    **NtryDtls/TxDtls**) becomes a payment between it and the counterparty: a credit is paid in
    by the debtor (**RltdPties/Dbtr**, **DbtrAcct**), a debit paid out to the creditor.

    Writes into DIR: **accounts.csv** and **parties.csv** (IBAN BR18... becomes account
    CAMT-BR18... held by party CAMT-P-BR18...; a counterparty with a name and no account gets
    CAMT-NAME- and its name), **transactions.csv** (the account id, a dash and the entry's
    AcctSvcrRef, e.g. CAMT-BR18...-REF-001; a cash deposit or withdrawal, bank transaction code CNTR or
    CDPT/CWDL, has no other side and channel cash; a booking date alone is midnight UTC;
    narrative from RmtInf/Ustrd) and **rejected.csv** (source_file,line,reason). DTDs and
    entities are refused and files over 256 MiB are not read.

    Example:

        onca convert camt053 tests/convert/fixtures/camt053/statements --out camt/

        onca ingest bank.duckdb parties camt/parties.csv  (then accounts, then transactions)
    """
    from onca.convert import convert_camt053

    _convert(convert_camt053, source, out_dir, as_json, name="camt053", country=country)


def _convert(
    convert: Callable[..., ConvertResult],
    source: Path,
    out_dir: Path,
    as_json: bool,
    *,
    name: str,
    labels: str = "",
    progress: bool = False,
    **options: Any,
) -> None:
    """Run ``convert(source, out_dir, **options)`` (with a progress bar on stderr when the
    converter reports ``progress`` and the output is not JSON), then print what it did.
    ``labels`` says what the labelled accounts are, for converters that write labels."""
    with errors_as_exit(), progress_bar(enabled=progress and not as_json) as update:
        if progress:
            options["progress"] = update
        result = convert(source, out_dir, **options)
    _report(result, name, as_json, labels=labels)


def _report(result: ConvertResult, name: str, as_json: bool, *, labels: str = "") -> None:
    """Print what a conversion read and wrote: a table per source file, or JSON."""
    if as_json:
        print_json(result.to_dict())
        return
    table = numbers_table(
        f"convert {name} -> {result.out}", ("file", "read", "written", "rejected")
    )
    for f in result.files:
        table.add_row(Path(f.file).name, f"{f.read:,}", f"{f.written:,}", f"{f.rejected:,}")
    out.print(table)
    tail = f"; {result.labels_illicit:,} {labels}" if labels else ""
    out.print(
        f"{result.read:,} rows read = {result.written:,} written + {result.rejected:,} rejected"
        f" in {result.seconds:.1f} s{tail}",
        highlight=False,
    )
    if result.top_reasons:
        out.print("Kinds of rejection (values and lines are in rejected.csv):", highlight=False)
    for reason, n in result.top_reasons:
        out.print(f"  {n:,} x {reason}", highlight=False)
    print_warnings(result.warnings)
    if result.rejected:
        err.print(f"See every rejected row in {Path(result.out) / 'rejected.csv'}")
    out.print(
        f"Next: onca ingest WORKSPACE parties {Path(result.out) / 'parties.csv'}"
        " (then accounts, then transactions)",
        highlight=False,
    )
