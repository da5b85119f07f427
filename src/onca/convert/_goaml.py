"""Convert UNODC goAML XML reports (STR, CTR, SAR...) into data-contract files.

goAML is the reporting system many FIUs use (across Latin America, Africa, Asia and Europe). A
report file holds one ``<report>``: ``rentity_id``, ``submission_code``, ``report_code``,
``entity_reference``, ``submission_date``, ``currency_code_local``, ``reporting_person``,
``location``, then ``<transaction>`` elements or one ``<activity>``. A transaction is either
bi-party (``t_from_my_client``/``t_from`` and ``t_to_my_client``/``t_to``, each holding an
account, a person or an entity and a funds code) or multi-party (``involved_parties``).

Mapping (see docs/convert.md): persons and entities become parties, accounts become accounts held
by their entity or primary signatory, bi-party transactions become transactions. A side paid in
cash (funds code in ``cash_funds``) with no account is left empty (a cash deposit or
withdrawal). Ids carry the report: ``GOAML-<report>-T-<transactionnumber>``, ``-A-<account>``,
``-P-<id number or name>``, ``-E-<registration or name>``, where ``<report>`` is the
``entity_reference`` or the file name.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
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
    text,
)
from onca.errors import InputFileError

CASH_FUNDS = ("K", "CASH", "EFECTIVO", "DINHEIRO", "ESPECIE", "ESPÉCIE")
"""Funds codes read as cash by default. Funds codes are each FIU's own lookup table: add yours."""

TRANSMODES = {
    "cash": ("C", "CASH", "EFECTIVO", "DINHEIRO", "DEPOSITO EN EFECTIVO", "DEPÓSITO EM ESPÉCIE"),
    "wire": (
        "W",
        "WIRE",
        "SWIFT",
        "EFT",
        "IFT",
        "TRANSFER",
        "TRANSFERENCIA",
        "TRANSFERÊNCIA",
        "TED",
        "TEF",
    ),
    "ach": ("ACH", "PIX", "SPEI", "DOC", "SINPE", "TRANSFERENCIA INMEDIATA"),
    "check": ("Q", "CHQ", "CHEQUE", "CHECK"),
    "card": ("CARD", "TARJETA", "CARTAO", "CARTÃO", "POS", "ATM"),
    "mobile": ("MOBILE", "BILLETERA MOVIL", "CARTEIRA DIGITAL"),
    "remittance": ("REMITTANCE", "REMESA", "REMESSA", "GIRO", "MONEY TRANSFER"),
    "crypto": ("CRYPTO", "VIRTUAL ASSET", "ACTIVO VIRTUAL", "ATIVO VIRTUAL"),
}
"""transmode_code (or its text) to channel, compared in upper case; anything else is ``other``
and its code is kept in the narrative. Transmode codes, too, are each FIU's own."""

_CHANNEL_OF = {code: channel for channel, codes in TRANSMODES.items() for code in codes}
_DATE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?)?$"
)
_NO_VALUE = {"", "N/A", "NONE", "NULL", "-"}


class _Partial(Exception):
    """A transaction that cannot be written; the message is the reason."""


@dataclass
class _Side:
    account: str  # account id, "" for cash or none
    party: str  # party id of the person or entity on that side, "" if none
    funds: str  # funds code


class _Report:
    """One report's context: its id, currency, country and what it wrote."""

    def __init__(
        self,
        doc: XmlDocument,
        key: str,
        writer: ContractWriter,
        country: str | None,
        cash_funds: frozenset[str],
    ) -> None:
        self.doc, self.key, self.writer, self.cash_funds = doc, key, writer, cash_funds
        codes = contract_codes()
        self.currencies, self.countries = codes["currencies"], codes["countries"]
        self.currency = text(doc.root, "currency_code_local").upper()
        located = text(doc.root, "location", "country_code").upper()
        self.country = country or (located if located in self.countries else "")

    # parties ----------------------------------------------------------------------------
    def _code(self, value: str) -> str:
        value = value.strip().upper()
        return value if value in self.countries else ""

    def _contact(self, elem: ET.Element, country_tag: str) -> dict[str, str]:
        """Country (from ``country_tag``, else the first address), address and phone of the
        person or entity ``elem``."""
        address = find(elem, "addresses", "address")
        return {
            "country": self._code(text(elem, country_tag))
            or self._code(text(address, "country_code")),
            "address": _address(address),
            "phone": _phone(find(elem, "phones", "phone")),
        }

    def person(self, elem: ET.Element, where: str) -> str:
        first, middle, prefix, last = (
            text(elem, n) for n in ("first_name", "middle_name", "prefix", "last_name")
        )
        name = " ".join(p for p in (first, middle, prefix, last) if p)
        if not name:
            raise _Partial(f"{where} has no first_name or last_name")
        ident = next(
            (
                v
                for v in (
                    text(elem, "id_number"),
                    text(elem, "ssn"),
                    text(elem, "passport_number"),
                    text(elem, "identification", "number"),
                )
                if v.upper() not in _NO_VALUE
            ),
            "",
        )
        birth = text(elem, "birthdate")[:10]
        birth = birth if _is_date(birth) else ""
        party = f"GOAML-{self.key}-P-{id_part(ident or f'{name} {birth}'.strip())}"
        self.writer.party(
            {
                "party_id": party,
                "kind": "person",
                "name": name,
                "birth_date": birth,
                "nationality": self._code(text(elem, "nationality1")),
                **self._contact(elem, "residence"),
                "id_number": ident,
                "occupation": text(elem, "occupation"),
            }
        )
        return party

    def entity(self, elem: ET.Element, where: str) -> str:
        name = text(elem, "name") or text(elem, "commercial_name")
        if not name:
            raise _Partial(f"{where} has no name")
        number = text(elem, "incorporation_number")
        party = f"GOAML-{self.key}-E-{id_part(number or name)}"
        self.writer.party(
            {
                "party_id": party,
                "kind": "company",
                "name": name,
                **self._contact(elem, "incorporation_country_code"),
                "id_number": number,
                "industry": text(elem, "business"),
            }
        )
        return party

    def account(self, elem: ET.Element, where: str) -> tuple[str, str]:
        number = text(elem, "account") or text(elem, "iban")
        if not number:
            raise _Partial(f"{where} has no account number (account or iban)")
        ident = f"GOAML-{self.key}-A-{id_part(number)}"
        if self.writer.has("accounts", ident):  # the first mention names the holder
            return ident, ""
        holder = self._holder(elem, where, number)
        iban, swift = text(elem, "iban").upper(), text(elem, "swift").upper()
        country = self._code(iban[:2]) or self._code(swift[4:6]) or self.country
        if not country:
            raise _Partial(
                f"{where}: no country for account {number} (no IBAN or SWIFT; give --country)"
            )
        currency = text(elem, "currency_code").upper() or self.currency
        if currency not in self.currencies:
            raise _Partial(f"{where}: currency_code '{currency[:20]}' is not an ISO 4217 code")
        opened = text(elem, "opened")[:10]
        self.writer.account(
            {
                "account_id": ident,
                "holder_id": holder,
                "country": country,
                "currency": currency,
                "institution": text(elem, "institution_name")
                or swift
                or text(elem, "institution_code")
                or "(institution not reported)",
                "opened_at": opened if _is_date(opened) else "",
            }
        )
        return ident, holder

    def _holder(self, elem: ET.Element, where: str, number: str) -> str:
        entity = find(elem, "t_entity")
        if entity is not None:
            return self.entity(entity, f"{where}/t_entity")
        signatories = list(children(elem, "signatory"))
        signatories.sort(key=lambda s: text(s, "is_primary").lower() not in ("true", "1"))
        for s in signatories:
            person = find(s, "t_person")
            if person is not None:
                return self.person(person, f"{where}/signatory/t_person")
        name = text(elem, "account_name") or f"holder of account {number}"
        party = f"GOAML-{self.key}-H-{id_part(number)}"
        self.writer.party({"party_id": party, "kind": "person", "name": name})
        return party

    # transactions -------------------------------------------------------------------------
    def side(self, elem: ET.Element | None, end: str) -> _Side:
        """One side (``end`` is from or to) of a bi-party transaction."""
        if elem is None:
            raise _Partial(f"no t_{end} or t_{end}_my_client")
        where = local(elem.tag)
        funds = text(elem, f"{end}_funds_code").upper()
        account = find(elem, f"{end}_account")
        if account is not None:
            ident, holder = self.account(account, f"{where}/{end}_account")
            return _Side(ident, holder, funds)
        person, entity = find(elem, f"{end}_person"), find(elem, f"{end}_entity")
        if person is not None:
            party = self.person(person, f"{where}/{end}_person")
        elif entity is not None:
            party = self.entity(entity, f"{where}/{end}_entity")
        else:
            raise _Partial(f"{where} names no {end}_account, {end}_person or {end}_entity")
        if funds in self.cash_funds:
            return _Side("", party, funds)
        # a party paid without an account and not in cash: an account of theirs, unnamed
        ident = f"{party}-ACCOUNT"
        country = self._code(text(elem, f"{end}_country")) or self.country
        if not self.writer.has("accounts", ident):
            if not country:
                raise _Partial(
                    f"{where}: no country for {end}_{'person' if person is not None else 'entity'}'s account; give --country"
                )
            if self.currency not in self.currencies:
                raise _Partial(
                    f"currency_code_local '{self.currency[:20]}' is not an ISO 4217 code"
                )
            self.writer.account(
                {
                    "account_id": ident,
                    "holder_id": party,
                    "country": country,
                    "currency": self.currency,
                    "kind": "other",
                    "institution": "(account not reported)",
                }
            )
        return _Side(ident, party, funds)


def convert_goaml(
    source: Path | str,
    out: Path | str,
    *,
    country: str | None = None,
    cash_funds: Iterable[str] = CASH_FUNDS,
    max_file_bytes: int = MAX_XML_BYTES,
) -> ConvertResult:
    """Convert the goAML report file, or the folder of ``*.xml`` reports, at ``source``.

    Writes ``parties.csv``, ``accounts.csv``, ``transactions.csv`` and ``rejected.csv``
    (``source_file,line,reason``; the line where the transaction or report party starts).
    ``country`` is put on accounts that have neither IBAN nor SWIFT (default: the report's
    ``location/country_code``). Every file is parsed first: one that is not XML, not a goAML
    ``<report>``, over ``max_file_bytes`` or holding a DTD raises InputFileError before anything
    is written.
    """
    code = check_country(country, "--country")
    cash = frozenset(c.strip().upper() for c in cash_funds)
    keys: set[str] = set()

    def convert(
        doc: XmlDocument, writer: ContractWriter, count: FileCount, rejects: Rejects
    ) -> None:
        report = _Report(doc, _report_key(doc, keys), writer, code, cash)
        _convert_report(report, count, rejects)

    return convert_xml(
        source,
        out,
        "goAML reports",
        max_file_bytes=max_file_bytes,
        check_root=_check_root,
        convert=convert,
    )


def _check_root(doc: XmlDocument) -> None:
    if local(doc.root.tag) != "report":
        raise InputFileError(
            f"{doc.path}: not a goAML report (the root element is <{local(doc.root.tag)}>,"
            " expected <report>)"
        )


def _report_key(doc: XmlDocument, taken: set[str]) -> str:
    key = id_part(text(doc.root, "entity_reference"), 40) or id_part(doc.path.stem, 40)
    key = key or "REPORT"
    if key in taken:
        key = f"{key}-{id_part(doc.path.stem, 40)}"
        n = 2
        while key in taken:
            key, n = f"{key}-{n}", n + 1
    taken.add(key)
    return key


def _convert_report(report: _Report, count: FileCount, rejects: Rejects) -> None:
    doc = report.doc
    seen: set[str] = set()
    for i, txn in enumerate(children(doc.root, "transaction"), start=1):
        count.read += 1
        number = text(txn, "transactionnumber")
        where = f"report/transaction[{i}]" + (f" ({number})" if number else "")
        try:
            _transaction(report, txn, number, where, seen)
            count.written += 1
        except _Partial as e:
            rejects.add(count, doc.line(txn), f"{where}: {e}")
    activity = find(doc.root, "activity")
    for i, party in enumerate(children(find(activity, "report_parties"), "report_party"), 1):
        count.read += 1
        where = f"report/activity/report_parties/report_party[{i}]"
        try:
            _report_party(report, party, "")
            count.written += 1
        except _Partial as e:
            rejects.add(count, doc.line(party), f"{where}: {e}")


def _transaction(report: _Report, txn: ET.Element, number: str, where: str, seen: set[str]) -> None:
    if not number:
        raise _Partial("transactionnumber is missing")
    txn_id = f"GOAML-{report.key}-T-{id_part(number)}"
    if txn_id in seen or report.writer.has("transactions", txn_id):
        raise _Partial(f"transactionnumber '{number[:40]}' repeats an earlier transaction")
    when = text(txn, "date_transaction")
    if not when:
        raise _Partial("date_transaction is missing")
    ts = _timestamp(when)
    if not ts:
        raise _Partial(f"date_transaction '{when[:40]}' is not an ISO 8601 date or time")
    amount, problem = parse_amount(text(txn, "amount_local"), "amount_local")
    if problem:
        raise _Partial(problem)
    if report.currency not in report.currencies:
        raise _Partial(
            f"the report's currency_code_local '{report.currency[:20]}' is not an ISO 4217 code"
        )
    if find(txn, "involved_parties") is not None:
        n = 0
        for j, party in enumerate(children(find(txn, "involved_parties"), "party"), 1):
            _report_party(report, party, f"involved_parties/party[{j}]")
            n += 1
        raise _Partial(
            f"multi-party transaction (involved_parties): goAML does not say who paid whom;"
            f" its {n} parties were written, the payment was not"
        )
    src = report.side(_either(txn, "t_from_my_client", "t_from"), "from")
    dst = report.side(_either(txn, "t_to_my_client", "t_to"), "to")
    if not src.account and not dst.account:
        raise _Partial("neither side has an account (cash on both sides)")
    mode = text(txn, "transmode_code")
    channel = (
        "cash" if not (src.account and dst.account) else _CHANNEL_OF.get(mode.upper(), "other")
    )
    notes = [text(txn, "transaction_description")]
    if channel == "other" and mode:
        notes.append(f"transmode_code {mode}")
    foreign = find(_either(txn, "t_from_my_client", "t_from"), "from_foreign_currency")
    if foreign is not None:
        notes.append(
            f"foreign amount {text(foreign, 'foreign_amount')} {text(foreign, 'foreign_currency_code')}"
        )
    seen.add(txn_id)
    report.writer.transaction(
        {
            "txn_id": txn_id,
            "ts": ts,
            "amount": amount,
            "currency": report.currency,
            "from_account": src.account,
            "to_account": dst.account,
            "channel": channel,
            "narrative": "; ".join(n for n in notes if n),
        }
    )


def _report_party(report: _Report, party: ET.Element, where: str) -> None:
    """A report_party (activity) or an involved party: its person, account or entity."""
    at = f"{where}/" if where else ""
    for name in ("person", "person_my_client"):
        if (elem := find(party, name)) is not None:
            report.person(elem, f"{at}{name}")
            return
    for name in ("account", "account_my_client"):
        if (elem := find(party, name)) is not None:
            report.account(elem, f"{at}{name}")
            return
    for name in ("entity", "entity_my_client"):
        if (elem := find(party, name)) is not None:
            report.entity(elem, f"{at}{name}")
            return
    raise _Partial(
        f"{where} names no person, account or entity"
        if where
        else "names no person, account or entity"
    )


def _either(elem: ET.Element, *names: str) -> ET.Element | None:
    """The first of the children ``names`` that is there (Elements are never tested for truth:
    one without children is falsy)."""
    for name in names:
        found = find(elem, name)
        if found is not None:
            return found
    return None


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _timestamp(value: str) -> str:
    """goAML dates: ``2024-03-05``, ``2024-03-05T14:30:00``, with a space, fractions or an offset;
    no offset means UTC (goAML states none)."""
    m = _DATE.match(value.strip())
    if m is None:
        return ""
    day, clock, offset = m.groups()
    text_value = f"{day}T{clock or '00:00:00'}{'+00:00' if offset == 'Z' else offset or ''}"
    try:
        t = dt.datetime.fromisoformat(text_value)
    except ValueError:
        return ""
    return utc_text(t)


def _address(elem: ET.Element | None) -> str:
    parts = (text(elem, n) for n in ("address", "town", "city", "zip", "state", "country_code"))
    return ", ".join(p for p in parts if p and p.upper() not in _NO_VALUE)


def _phone(elem: ET.Element | None) -> str:
    prefix, number = text(elem, "tph_country_prefix"), text(elem, "tph_number")
    if prefix.upper() in _NO_VALUE:
        prefix = ""
    return f"+{prefix.lstrip('+')} {number}" if prefix and number else number
