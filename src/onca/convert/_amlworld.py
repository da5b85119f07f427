"""Convert an IBM AMLworld transaction CSV (e.g. HI-Small_Trans.csv) into data-contract files.

AMLworld (Altman et al. 2023, "Realistic Synthetic Financial Transactions for Anti-Money
Laundering Models"; Kaggle "IBM Transactions for Anti Money Laundering") simulates a world of
banks, people and companies and labels each laundering payment. Its ``*_Trans.csv`` files hold::

    Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,
    Amount Paid,Payment Currency,Payment Format,Is Laundering

(two columns are both called ``Account``, so columns are read by position). The file is streamed:
memory grows with the number of accounts, not of payments. Mapping (see docs/convert.md): the
account (bank B, account N) becomes account ``AMLW-B-N`` held by party ``AMLW-P-B-N``; line L
becomes payment ``AMLW-TL`` for the amount paid, in the payer's currency; ``Is Laundering``
becomes ``labels/transactions.csv``, and an account is labelled 1 in ``labels/accounts.csv`` when
it sends or receives at least one laundering payment.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from onca.convert._output import (
    ContractWriter,
    ConvertResult,
    FileCount,
    Rejects,
    cents,
    check_country,
    make_out,
    parse_amount,
    write_labels,
)
from onca.errors import InputFileError, ParameterError

HEADER = (
    "Timestamp",
    "From Bank",
    "Account",
    "To Bank",
    "Account",
    "Amount Received",
    "Receiving Currency",
    "Amount Paid",
    "Payment Currency",
    "Payment Format",
    "Is Laundering",
)

CURRENCIES = {
    "US Dollar": "USD",
    "Euro": "EUR",
    "Yuan": "CNY",
    "Yen": "JPY",
    "Rupee": "INR",
    "Ruble": "RUB",
    "UK Pound": "GBP",
    "Canadian Dollar": "CAD",
    "Australian Dollar": "AUD",
    "Swiss Franc": "CHF",
    "Mexican Peso": "MXN",
    "Brazil Real": "BRL",
    "Saudi Riyal": "SAR",
    "Shekel": "ILS",
}
"""AMLworld's currency names and their ISO 4217 codes. Bitcoin has no ISO 4217 code: its
amounts are converted to USD at ``btc_usd`` (see ``BITCOIN``)."""

BITCOIN = "Bitcoin"
DEFAULT_BTC_USD = Decimal("20000")
"""USD per bitcoin used by default: about Bitcoin's price in September 2022, the month AMLworld's
timestamps start. AMLworld draws its own Bitcoin amounts; give the rate you prefer."""

CHANNELS = {
    "Wire": "wire",
    "ACH": "ach",
    "Cheque": "check",
    "Credit Card": "card",
    "Cash": "cash",
    "Bitcoin": "crypto",
    "Reinvestment": "other",
}
"""AMLworld's Payment Format and the contract's channel."""

_STAMP = re.compile(r"^(\d{4})/(\d{2})/(\d{2}) (\d{2}):(\d{2})$")
_ID = re.compile(r"^[A-Za-z0-9]{1,40}$")
_PLAIN = re.compile(r"^[0-9]{1,16}\.[0-9]{2}$")


def account_id(bank: str, account: str) -> str:
    return f"AMLW-{bank}-{account}"


def party_id(bank: str, account: str) -> str:
    return f"AMLW-P-{bank}-{account}"


def convert_amlworld(
    source: Path | str,
    out: Path | str,
    *,
    country: str = "US",
    btc_usd: Decimal | float | str = DEFAULT_BTC_USD,
    progress: Callable[[str, int, int], None] | None = None,
) -> ConvertResult:
    """Convert the AMLworld transaction CSV at ``source`` into contract files in ``out``.

    Writes ``parties.csv``, ``accounts.csv``, ``transactions.csv``, ``labels/transactions.csv``
    (``txn_id,label``), ``labels/accounts.csv`` (``account_id,label``) and ``rejected.csv``
    (``source_file,line,reason``). ``country`` (ISO 3166-1) is put on every party and account,
    since AMLworld has none; ``btc_usd`` converts Bitcoin amounts to USD. A missing file, a
    wrong header or an empty file raises InputFileError before anything is written.
    """
    began = time.perf_counter()
    code = check_country(country, "--country")
    assert code is not None  # a str in, a str out
    rate = _rate(btc_usd)
    source, out = Path(source), Path(out)
    if not source.is_file():
        raise InputFileError(f"{source}: no such file (expected an AMLworld *_Trans.csv)")
    with _open(source) as f:
        _header(csv.reader(f), source)
    make_out(out, labels=True)
    count = FileCount(str(source))
    laundering: set[str] = set()
    with (
        _open(source) as f,
        open(out / "rejected.csv", "w", encoding="utf-8", newline="") as rf,
        open(out / "labels" / "transactions.csv", "w", encoding="utf-8", newline="") as lf,
        ContractWriter(out) as writer,
    ):
        rejects = Rejects(rf)
        _convert_rows(f, source, count, rejects, writer, lf, laundering, code, rate, progress)
        outputs = writer.counts()
        accounts = writer.ids["accounts"]
    n, illicit = write_labels(
        out / "labels" / "accounts.csv",
        "account_id",
        ((a, 1 if a in laundering else 0) for a in sorted(accounts)),
    )
    outputs |= {
        "labels/transactions.csv": count.written,
        "labels/accounts.csv": n,
        "rejected.csv": count.rejected,
    }
    return ConvertResult(
        source=str(source),
        out=str(out),
        files=[count],
        outputs=outputs,
        labels_illicit=illicit,
        seconds=time.perf_counter() - began,
        top_reasons=rejects.top(),
    )


def _rate(value: Decimal | float | str) -> Decimal:
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise ParameterError(f"--btc-usd {value!r}: not a number") from None
    if not rate.is_finite() or rate <= 0:
        raise ParameterError(f"--btc-usd {value!r}: must be a positive number of USD per bitcoin")
    return rate


def _open(source: Path) -> IO[str]:
    return open(source, encoding="utf-8-sig", newline="")


def _header(reader: Iterator[list[str]], source: Path) -> None:
    try:
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as e:
        raise InputFileError(f"{source}: cannot read the header: {e}") from None
    if header is None:
        raise InputFileError(f"{source}: empty file (expected the header {','.join(HEADER)})")
    found = [h.strip().lower() for h in header]
    if found != [h.lower() for h in HEADER]:
        raise InputFileError(
            f"{source}: not an AMLworld transaction file: expected the header"
            f" {','.join(HEADER)}; found {','.join(header)[:300]}"
        )


def _convert_rows(
    f: IO[str],
    source: Path,
    count: FileCount,
    rejects: Rejects,
    writer: ContractWriter,
    label_file: IO[str],
    laundering: set[str],
    country: str,
    rate: Decimal,
    progress: Callable[[str, int, int], None] | None,
) -> int:
    reader = csv.reader(f)
    next(reader)
    labels = csv.writer(label_file, lineterminator="\n")
    labels.writerow(("txn_id", "label"))
    stamps: dict[str, str] = {}
    illicit = 0
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line is not a row
            count.read += 1
            if progress is not None and count.read % 100_000 == 0:
                progress("transactions", count.read, 0)
            line = reader.line_num
            if len(row) != len(HEADER):
                rejects.add(count, line, f"has {len(row)} fields, header has {len(HEADER)}")
                continue
            done, problem = _one(row, line, stamps, writer, country, rate)
            if problem:
                rejects.add(count, line, problem)
                continue
            txn, src, dst, label = done
            labels.writerow((txn, label))
            if label == "1":
                illicit += 1
                laundering.add(src)
                laundering.add(dst)
            count.written += 1
    except UnicodeDecodeError as e:
        raise InputFileError(
            f"{source}: not UTF-8 text after line {reader.line_num} ({e.reason})"
        ) from None
    except csv.Error as e:
        raise InputFileError(f"{source}: line {reader.line_num}: {e}") from None
    return illicit


def _one(
    row: list[str],
    line: int,
    stamps: dict[str, str],
    writer: ContractWriter,
    country: str,
    rate: Decimal,
) -> tuple[tuple[str, str, str, str], str]:
    """Map one row; ``((txn_id, from, to, label), "")`` or ``(_, problem)``."""
    none = ("", "", "", "")
    when, fbank, facct, tbank, tacct, got, got_cur, paid, paid_cur, fmt, label = (
        v.strip() for v in row
    )
    ts = stamps.get(when) or _stamp(when, stamps)
    if not ts:
        return none, f"Timestamp '{when[:40]}' is not YYYY/MM/DD HH:MM"
    src, dst = f"AMLW-{fbank}-{facct}", f"AMLW-{tbank}-{tacct}"
    known = writer.ids["accounts"]
    new_src, new_dst = src not in known, dst not in known
    for new, value, column in (
        (new_src, fbank, "From Bank"),
        (new_src, facct, "Account (3rd column)"),
        (new_dst, tbank, "To Bank"),
        (new_dst, tacct, "Account (5th column)"),
    ):
        if new and not _ID.match(value):
            return none, f"{column} '{value[:40]}' is not a bank or account id (letters, digits)"
    channel = CHANNELS.get(fmt)
    if channel is None:
        return none, f"Payment Format '{fmt[:40]}' is not one of {', '.join(CHANNELS)}"
    if label != "0" and label != "1":
        return none, f"Is Laundering '{label[:40]}' is not 0 or 1"
    amount, currency, note, problem = _money(paid, paid_cur, "Amount Paid", rate)
    if problem:
        return none, problem
    got_code = currency
    if got != paid or got_cur != paid_cur:
        got_amount, got_code, _, problem = _money(got, got_cur, "Amount Received", rate)
        if problem:
            return none, problem
        shown = f"{got} BTC" if got_cur == BITCOIN else f"{got_amount} {got_code}"
        note = f"{note}; received {shown}" if note else f"received {shown}"
    if new_src:
        _account(writer, fbank, facct, src, country, currency, paid_cur == BITCOIN)
    if new_dst and dst != src:
        _account(writer, tbank, tacct, dst, country, got_code, got_cur == BITCOIN)
    txn = f"AMLW-T{line}"
    writer.transaction_values((txn, ts, amount, currency, src, dst, channel, note))
    return (txn, src, dst, label), ""


def _account(
    writer: ContractWriter,
    bank: str,
    acct: str,
    ident: str,
    country: str,
    currency: str,
    crypto: bool,
) -> None:
    holder = party_id(bank, acct)
    writer.party(
        {
            "party_id": holder,
            "kind": "person",
            "country": country,
            "name": f"AMLworld account holder {bank}/{acct}",
        }
    )
    writer.account(
        {
            "account_id": ident,
            "holder_id": holder,
            "institution": bank,
            "country": country,
            "currency": currency,
            "kind": "crypto_wallet" if crypto else "",
        }
    )


def _stamp(value: str, cache: dict[str, str]) -> str:
    m = _STAMP.match(value)
    if m is None:
        return ""
    try:
        year, month, day, hour, minute = (int(g) for g in m.groups())
        t = dt.datetime(year, month, day, hour, minute)
    except ValueError:
        return ""
    cache[value] = text = t.strftime("%Y-%m-%dT%H:%M:00Z")
    return text


def _money(value: str, name: str, column: str, rate: Decimal) -> tuple[str, str, str, str]:
    """``(amount, ISO currency, note, problem)``; Bitcoin becomes USD at ``rate``."""
    code = CURRENCIES.get(name)
    if code is not None and _PLAIN.match(value) and value.strip("0.") != "":
        return value, code, "", ""  # the common case, without a Decimal
    if name == BITCOIN:
        try:
            btc = Decimal(value)
        except InvalidOperation:
            return "", "", "", f"{column} '{value[:40]}' is not a number"
        if not btc.is_finite() or btc <= 0:
            return "", "", "", f"{column} '{value[:40]}' is not a positive number"
        usd = cents(btc * rate)
        if not usd:
            return "", "", "", f"{column} {value} BTC is under one cent at {rate} USD/BTC"
        return usd, "USD", f"paid {value} BTC at {rate} USD/BTC", ""
    if code is None:
        return "", "", "", f"{column}'s currency '{name[:40]}' is not an AMLworld currency"
    amount, problem = parse_amount(value, column)
    if problem and "more than 2 decimals" in problem:
        amount, problem = cents(Decimal(value)), ""
        if not amount:
            problem = f"{column} {value} rounds to 0.00"
    return amount, code, "", problem
