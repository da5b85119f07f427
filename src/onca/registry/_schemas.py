"""What the API accepts: records checked field by field (pydantic), so that bad input is a
422 naming the field, never a database error. Countries are ISO 3166-1 alpha-2 from the data
contract, transport modes and units its code lists; text has a length limit and no NUL."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from onca.contract import load_contract
from onca.registry._models import (
    AGENCY_KINDS,
    CASE_STATUSES,
    CHAIN_ROLES,
    PERSON_KINDS,
    RECORD_KINDS,
    SHAREABLE_FIELDS,
)


@functools.cache
def _codes(name: str) -> frozenset[str]:
    return frozenset(load_contract().codes[name].values)


def _check(name: str, what: str) -> AfterValidator:
    def check(value: str) -> str:
        if value not in _codes(name):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


NO_NUL = r"^[^\x00]*$"
Country = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}$"),
    _check("countries", "an ISO 3166-1 alpha-2 country code"),
]
TransportMode = Annotated[str, _check("transport_modes", "a transport mode of the data contract")]
Unit = Annotated[str, _check("units", "a unit of the data contract")]
Short = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL, strip_whitespace=True)
]
Reference = Annotated[
    str, StringConstraints(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
]
LongText = Annotated[str, StringConstraints(max_length=20_000, pattern=NO_NUL)]
Amount = Annotated[float, Field(ge=0, le=1e15, allow_inf_nan=False)]
Date = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31))]
RecordId = Annotated[int, Field(ge=1, le=2**62)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChainLegIn(Strict):
    role: Literal[CHAIN_ROLES]  # type: ignore[valid-type]  # the tuple's values
    country: Country
    share: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] | None = Field(
        None, description="origin legs: share of the specimens from this country (0-1]"
    )
    custody: bool | None = Field(None, description="transit legs: were the goods in custody there")


class SpecimenIn(Strict):
    taxon: Short
    commodity: Short
    quantity: Amount
    unit: Unit
    value_usd: Amount | None = None


class PersonIn(Strict):
    kind: Literal[PERSON_KINDS] = "person"  # type: ignore[valid-type]  # a Literal of the tuple's values
    name: Short
    birth_date: Date | None = None
    nationality: Country | None = None
    id_number: Annotated[str, StringConstraints(max_length=80, pattern=NO_NUL)] | None = None
    address: Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL)] | None = None
    phone: Annotated[str, StringConstraints(max_length=40, pattern=r"^[0-9 +()./-]*$")] | None = (
        None
    )


class SeizurePersonIn(Strict):
    """A person named in a seizure: an existing one (``person_id``) or a new one (``person``)."""

    role: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z_]+$")] = (
        "suspect"
    )
    person_id: RecordId | None = None
    person: PersonIn | None = None

    @model_validator(mode="after")
    def one_of(self) -> SeizurePersonIn:
        if (self.person_id is None) == (self.person is None):
            raise ValueError("give either person_id (an existing person) or person (a new one)")
        return self


class SeizureIn(Strict):
    reference: Reference = Field(description="the agency's own reference, unique within the agency")
    seized_on: Date
    country: Country
    place: Short | None = None
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None
    transport_mode: TransportMode | None = None
    description: LongText | None = None
    chain: Annotated[list[ChainLegIn], Field(max_length=20)] = []
    specimens: Annotated[list[SpecimenIn], Field(min_length=1, max_length=200)]
    persons: Annotated[list[SeizurePersonIn], Field(max_length=100)] = []

    @model_validator(mode="after")
    def shares(self) -> SeizureIn:
        total = sum(leg.share or 0 for leg in self.chain if leg.role == "origin")
        if total > 1.000001:
            raise ValueError(f"chain: origin shares add up to {total:g}, more than 1")
        return self


class SeizurePatch(Strict):
    seized_on: Date | None = None
    country: Country | None = None
    place: Short | None = None
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None
    transport_mode: TransportMode | None = None
    description: LongText | None = None


class EvidenceIn(Strict):
    kind: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NO_NUL)]
    description: Annotated[str, StringConstraints(min_length=1, max_length=5000, pattern=NO_NUL)]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    location: Short | None = None
    collected_on: Date | None = None


class CaseIn(Strict):
    reference: Reference
    title: Short
    status: Literal[CASE_STATUSES] = "investigation"  # type: ignore[valid-type]  # a Literal of the tuple's values
    opened_on: Date
    charges: Annotated[list[Short], Field(max_length=50)] = []
    verdict: LongText | None = None
    penalties: LongText | None = None
    seizure_ids: Annotated[list[RecordId], Field(max_length=500)] = []
    evidence: Annotated[list[EvidenceIn], Field(max_length=200)] = []


class CasePatch(Strict):
    title: Short | None = None
    status: Literal[CASE_STATUSES] | None = None  # type: ignore[valid-type]  # a Literal of the tuple's values
    charges: Annotated[list[Short], Field(max_length=50)] | None = None
    verdict: LongText | None = None
    penalties: LongText | None = None
    seizure_ids: Annotated[list[RecordId], Field(max_length=500)] | None = Field(
        None, description="the case's seizures from now on (replacing the list; [] for none)"
    )


class NoteIn(Strict):
    record_kind: Literal["seizure", "person", "case"]
    record_id: RecordId
    text: Annotated[str, StringConstraints(min_length=1, max_length=20_000, pattern=NO_NUL)]


class AgreementIn(Strict):
    grantee: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NO_NUL)] = Field(
        description="the agency code of the agency granted access"
    )
    record_kind: Literal[RECORD_KINDS]  # type: ignore[valid-type]  # a Literal of the tuple's values
    fields: list[str] | None = Field(
        None, description="fields shared; null = every shareable field"
    )
    valid_from: Date | None = None
    valid_until: Date | None = None

    @model_validator(mode="after")
    def known_fields(self) -> AgreementIn:
        allowed = SHAREABLE_FIELDS[self.record_kind]
        unknown = [f for f in self.fields or [] if f not in allowed]
        if unknown:
            raise ValueError(
                f"fields: {', '.join(unknown)} are not fields of a {self.record_kind}"
                f" (shareable: {', '.join(allowed)})"
            )
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


AgencyKind = Literal[AGENCY_KINDS]  # type: ignore[valid-type]  # a Literal of the tuple's values


class TriageIn(Strict):
    decision: Literal["accepted", "dismissed"]
    reason: Annotated[str, Field(min_length=3, max_length=2000, pattern=NO_NUL)]
