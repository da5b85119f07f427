"""Convert ISO 20022 camt.053 bank-to-customer statements into data-contract files.

A camt.053 file (namespace ``urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN``, NN 02 to 08 read
here) holds ``BkToCstmrStmt/Stmt`` statements, each for one account (``Acct``: ``Id/IBAN`` or
``Id/Othr/Id``, ``Ccy``, ``Ownr/Nm``, ``Svcr``) with its entries (``Ntry``: ``Amt Ccy=``,
``CdtDbtInd``, ``BookgDt``, ``BkTxCd``, ``NtryDtls/TxDtls`` with references, related parties and
remittance information).

Mapping (see docs/convert.md): the statement account is the customer's; each entry is a payment
between it and the counterparty (a credit is paid in by the debtor, a debit paid out to the
creditor). A counterparty without an account id gets an account named after it; a cash deposit or
withdrawal (bank transaction code CNTR, or cash and no counterparty) leaves that side empty.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from onca.convert._output import (
    ContractWriter,
    ConvertResult,
    FileCount,
    Rejects,
    check_country,
    contract_codes,
    id_part,
    parse_amount,
    utc_text,
)
from onca.convert._xml import (
    MAX_XML_BYTES,
    XmlDocument,
    children,
    convert_xml,
    find,
    local,
    namespace,
    text,
)
from onca.errors import InputFileError

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
VERSIONS = ("02", "03", "04", "05", "06", "07", "08")

CHANNELS = {
    ("PMNT", "CNTR"): "cash",
    ("PMNT", "CCRD"): "card",
    ("PMNT", "MCRD"): "card",
    ("PMNT", "ICHQ"): "check",
    ("PMNT", "RCHQ"): "check",
    ("PMNT", "DRFT"): "check",
    ("PMNT", "IDDT"): "ach",
    ("PMNT", "RDDT"): "ach",
    ("PMNT", "ICDT"): "wire",
    ("PMNT", "RCDT"): "wire",
}
"""ISO bank transaction code (domain, family) to channel; anything else is ``other``."""

ACH_SUB_FAMILIES = frozenset({"ESCT", "SDVA", "DMCT", "STDO", "ASET", "BBDD", "ESDD"})
"""Credit-transfer sub-families that clear as domestic/SEPA batch or instant payments: ``ach``."""

CASH_SUB_FAMILIES = frozenset({"CDPT", "CWDL"})
"""Cash deposit and cash withdrawal, whichever family carries them (CNTR, CCRD at an ATM...)."""

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")


class _Partial(Exception):
    """An entry that cannot be written; the message is the reason."""


@dataclass
class _Statement:
    account: str  # account id
    number: str  # IBAN or other id as written
    currency: str
    country: str
    label: str  # "Stmt[2] (id)" for messages


def convert_camt053(
    source: Path | str,
    out: Path | str,
    *,
    country: str | None = None,
    max_file_bytes: int = MAX_XML_BYTES,
) -> ConvertResult:
    """Convert the camt.053 file, or the folder of ``*.xml`` statements, at ``source``.

    Writes ``parties.csv``, ``accounts.csv``, ``transactions.csv`` and ``rejected.csv``
    (``source_file,line,reason``; the line where the entry starts). ``country`` is put on
    accounts whose country cannot be read from an IBAN, BIC or address. Every file is parsed
    first: one that is not XML, not camt.053.001.02-08, over ``max_file_bytes`` or holding a
    DTD raises InputFileError before anything is written.
    """
    code = check_country(country, "--country")

    def convert(
        doc: XmlDocument, writer: ContractWriter, count: FileCount, rejects: Rejects
    ) -> None:
        _Converter(doc, writer, code, count, rejects).run()

    return convert_xml(
        source,
        out,
        "camt.053 statements",
        max_file_bytes=max_file_bytes,
        check_root=_check_root,
        convert=convert,
    )


def _check_root(doc: XmlDocument) -> None:
    ns = namespace(doc.root.tag)
    if local(doc.root.tag) != "Document" or not ns.startswith(NAMESPACE):
        raise InputFileError(
            f"{doc.path}: not a camt.053 statement (root <{local(doc.root.tag)}> in namespace"
            f" {ns or '(none)'!r}; expected <Document> in {NAMESPACE}NN)"
        )
    version = ns.removeprefix(NAMESPACE)
    if version not in VERSIONS:
        raise InputFileError(
            f"{doc.path}: camt.053.001.{version} is not a version this converter reads"
            f" (it reads .{', .'.join(VERSIONS)})"
        )
    if find(doc.root, "BkToCstmrStmt") is None:
        raise InputFileError(f"{doc.path}: no BkToCstmrStmt element under Document")


class _Converter:
    """One file's statements and entries."""

    def __init__(
        self,
        doc: XmlDocument,
        writer: ContractWriter,
        country: str | None,
        count: FileCount,
        rejects: Rejects,
    ) -> None:
        self.doc, self.writer, self.country = doc, writer, country
        self.count, self.rejects = count, rejects
        codes = contract_codes()
        self.currencies, self.countries = codes["currencies"], codes["countries"]

    def _code(self, value: str) -> str:
        value = value.strip().upper()
        return value if value in self.countries else ""

    def run(self) -> None:
        for s, stmt in enumerate(children(find(self.doc.root, "BkToCstmrStmt"), "Stmt"), 1):
            entries = list(children(stmt, "Ntry"))
            label = f"Stmt[{s}]" + (f" ({text(stmt, 'Id')})" if text(stmt, "Id") else "")
            try:
                statement = self._statement(stmt, entries, label)
            except _Partial as e:
                for entry in entries:
                    self.count.read += 1
                    self.rejects.add(self.count, self.doc.line(entry), f"{label}: {e}")
                continue
            for n, entry in enumerate(entries, 1):
                self.count.read += 1
                where = f"{label}/Ntry[{n}]"
                try:
                    self._entry(statement, entry, n)
                    self.count.written += 1
                except _Partial as e:
                    self.rejects.add(self.count, self.doc.line(entry), f"{where}: {e}")

    def _statement(self, stmt: ET.Element, entries: list[ET.Element], label: str) -> _Statement:
        acct = find(stmt, "Acct")
        iban = text(acct, "Id", "IBAN").replace(" ", "").upper()
        number = iban or text(acct, "Id", "Othr", "Id")
        if not number:
            raise _Partial("Acct/Id has no IBAN or Othr/Id")
        currency = text(acct, "Ccy").upper() or next(
            (e.get("Ccy", "").upper() for e in (find(n, "Amt") for n in entries) if e is not None),
            "",
        )
        if currency not in self.currencies:
            raise _Partial(f"account currency '{currency[:20]}' is not an ISO 4217 code")
        owner = find(acct, "Ownr")
        bic = _bic(find(acct, "Svcr", "FinInstnId"))
        country = (
            self._code(iban[:2])
            or self._code(text(owner, "PstlAdr", "Ctry"))
            or self._code(bic[4:6])
            or (self.country or "")
        )
        if not country:
            raise _Partial(
                f"no country for account {number} (no IBAN, address or BIC; give --country)"
            )
        ident = f"CAMT-{id_part(number)}"
        if not self.writer.has("accounts", ident):
            holder = self._party(
                owner,
                f"CAMT-P-{id_part(number)}",
                text(acct, "Nm") or f"holder of account {number}",
            )
            self.writer.account(
                {
                    "account_id": ident,
                    "holder_id": holder,
                    "country": country,
                    "currency": currency,
                    "institution": bic
                    or text(acct, "Svcr", "FinInstnId", "Nm")
                    or "(servicer not named)",
                }
            )
        return _Statement(ident, number, currency, country, label)

    def _party(self, elem: ET.Element | None, party: str, fallback: str) -> str:
        """A party from a PartyIdentification (``Nm``, ``PstlAdr``, ``Id/OrgId|PrvtId``), or
        from v08's Party40Choice (the same under ``Pty``)."""
        if elem is not None and find(elem, "Pty") is not None:
            elem = find(elem, "Pty")
        name = text(elem, "Nm") or fallback
        address = find(elem, "PstlAdr")
        lines = [text(x) for x in children(address, "AdrLn")]
        parts = [text(address, "StrtNm"), text(address, "BldgNb"), text(address, "TwnNm"), *lines]
        self.writer.party(
            {
                "party_id": party,
                "name": name,
                "kind": "company" if find(elem, "Id", "OrgId") is not None else "person",
                "country": self._code(text(address, "Ctry")) or self._code(text(elem, "CtryOfRes")),
                "address": ", ".join(p for p in parts if p),
                "birth_date": _date(text(elem, "Id", "PrvtId", "DtAndPlcOfBirth", "BirthDt")),
            }
        )
        return party

    def _entry(self, st: _Statement, entry: ET.Element, n: int) -> None:
        status = text(entry, "Sts", "Cd") or text(entry, "Sts")
        if status and status.upper() != "BOOK":
            raise _Partial(f"status {status[:10]}: not booked")
        amt = find(entry, "Amt")
        if amt is None:
            raise _Partial("Amt is missing")
        amount, problem = parse_amount((amt.text or "").strip(), "Amt")
        if problem:
            raise _Partial(problem)
        currency = amt.get("Ccy", "").strip().upper()
        if currency not in self.currencies:
            raise _Partial(f"Amt Ccy '{currency[:20]}' is not an ISO 4217 code")
        direction = text(entry, "CdtDbtInd").upper()
        if direction not in ("CRDT", "DBIT"):
            raise _Partial(f"CdtDbtInd '{direction[:10]}' is not CRDT or DBIT")
        when = text(entry, "BookgDt", "DtTm") or text(entry, "BookgDt", "Dt")
        when = when or text(entry, "ValDt", "DtTm") or text(entry, "ValDt", "Dt")
        if not when:
            raise _Partial("BookgDt and ValDt are missing")
        ts = _timestamp(when)
        if not ts:
            raise _Partial(f"booking date '{when[:40]}' is not an ISO 8601 date or time")
        details = find(entry, "NtryDtls", "TxDtls")
        domain = text(entry, "BkTxCd", "Domn", "Cd").upper()
        family = text(entry, "BkTxCd", "Domn", "Fmly", "Cd").upper()
        sub = text(entry, "BkTxCd", "Domn", "Fmly", "SubFmlyCd").upper()
        channel = CHANNELS.get((domain, family), "other")
        if sub in CASH_SUB_FAMILIES:
            channel = "cash"
        elif channel == "wire" and sub in ACH_SUB_FAMILIES:
            channel = "ach"
        role = "Dbtr" if direction == "CRDT" else "Cdtr"
        other = self._counterparty(st, details, role, currency, channel)
        src, dst = (other, st.account) if direction == "CRDT" else (st.account, other)
        ref = next(
            (
                v
                for v in (
                    text(entry, "AcctSvcrRef"),
                    text(details, "Refs", "AcctSvcrRef"),
                    text(entry, "NtryRef"),
                    text(details, "Refs", "EndToEndId"),
                )
                if v and v.upper() != "NOTPROVIDED"
            ),
            "",
        )
        txn_id = f"{st.account}-{id_part(ref) if ref else f'N{n}-{ts[:10]}'}"
        if self.writer.has("transactions", txn_id):
            raise _Partial(f"entry {ref or n} repeats an entry already converted ({txn_id})")
        narrative = " ".join(text(u) for u in children(find(details, "RmtInf"), "Ustrd"))
        narrative = narrative or text(details, "AddtlTxInf") or text(entry, "AddtlNtryInf")
        self.writer.transaction(
            {
                "txn_id": txn_id,
                "ts": ts,
                "amount": amount,
                "currency": currency,
                "from_account": src,
                "to_account": dst,
                "channel": channel,
                "narrative": narrative,
            }
        )

    def _counterparty(
        self, st: _Statement, details: ET.Element | None, role: str, currency: str, channel: str
    ) -> str:
        """The counterparty's account id, or "" for cash."""
        parties = find(details, "RltdPties")
        party = find(parties, role)
        acct = find(parties, f"{role}Acct")
        iban = text(acct, "Id", "IBAN").replace(" ", "").upper()
        number = iban or text(acct, "Id", "Othr", "Id")
        name_elem = find(party, "Pty") if find(party, "Pty") is not None else party
        name = text(name_elem, "Nm")
        if not number and not name:
            if channel == "cash":
                return ""  # cash in or out at the counter: no other account
            ident = f"{st.account}-UNNAMED"
            name, holder = (
                f"unnamed counterparty of {st.number}",
                f"CAMT-P-{id_part(st.number)}-UNNAMED",
            )
        elif number:
            ident, holder = f"CAMT-{id_part(number)}", f"CAMT-P-{id_part(number)}"
        else:
            ident = f"CAMT-NAME-{id_part(name.upper())}"
            holder = f"CAMT-P-NAME-{id_part(name.upper())}"
        if self.writer.has("accounts", ident):
            return ident
        agent = find(details, "RltdAgts", f"{role}Agt", "FinInstnId")
        bic = _bic(agent)
        address_country = self._code(text(name_elem, "PstlAdr", "Ctry"))
        country = self._code(iban[:2]) or address_country or self._code(bic[4:6]) or st.country
        self._party(party, holder, name)
        self.writer.account(
            {
                "account_id": ident,
                "holder_id": holder,
                "country": country,
                "currency": currency,
                "institution": bic or text(agent, "Nm") or "(institution not named)",
                "kind": "" if number else "other",
            }
        )
        return ident


def _bic(fin: ET.Element | None) -> str:
    """BIC (v02-v04) or BICFI (v05+) of a FinInstnId."""
    return (text(fin, "BICFI") or text(fin, "BIC")).upper()


def _date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat() if len(value) == 10 else ""
    except ValueError:
        return ""


def _timestamp(value: str) -> str:
    """A date (midnight UTC) or an ISO date-time (no offset: UTC) as ISO 8601 UTC."""
    value = value.strip()
    if len(value) == 10:
        try:
            d = dt.date.fromisoformat(value)
        except ValueError:
            return ""
        return f"{d.isoformat()}T00:00:00Z"
    if not _DATE_TIME.match(value):
        return ""
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return ""
    return utc_text(t)
