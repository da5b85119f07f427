"""What a console form field may hold, as ``(value, label)`` choices in the user's language.

Values come from where the registry checks them (the data contract's code lists through
``onca.contract.load_reference``, the record kinds and statuses of ``_models``); labels come from
the catalogues (``Translator.label``) or, for countries, from CLDR. The taxon field is free text
(a seizure may name any taxon), with the taxa of Onca's lists suggested.
"""

from __future__ import annotations

import functools

from onca.contract import load_reference
from onca.registry._models import CASE_STATUSES, PERSON_KINDS
from onca.registry.console._i18n import Translator

Choices = list[tuple[str, str]]

SEIZURE_ROLES = ("suspect", "offender", "courier", "buyer", "seller", "owner", "recipient")
"""The roles the console offers for a person named in a seizure (the API takes any word)."""


def _codes(name: str) -> list[str]:
    return [str(code) for code in load_reference(name).values]


def _labelled(t: Translator, prefix: str, values: list[str] | tuple[str, ...]) -> Choices:
    return [(value, t.label(prefix, value)) for value in values]


def countries(t: Translator) -> Choices:
    """Every ISO 3166-1 code the registry accepts, named in the user's language, by name."""
    named = [(code, f"{t.country(code)} ({code})") for code in _codes("countries")]
    return sorted(named, key=lambda choice: choice[1].casefold())


def units(t: Translator) -> Choices:
    return _labelled(t, "unit", _codes("units"))


def transport_modes(t: Translator) -> Choices:
    return _labelled(t, "transport", _codes("transport_modes"))


def person_kinds(t: Translator) -> Choices:
    return _labelled(t, "kind", PERSON_KINDS)


def seizure_roles(t: Translator) -> Choices:
    return _labelled(t, "involved", SEIZURE_ROLES)


def case_statuses(t: Translator) -> Choices:
    return _labelled(t, "status", CASE_STATUSES)


@functools.cache
def listed_taxa() -> tuple[str, ...]:
    """The taxa Onca's lists name (the CITES listings, and the taxa of the permit HS codes),
    suggested for a seizure's taxon."""
    rows = load_reference("cites_listings").values
    listed = {str(row["taxon"]) for row in rows if isinstance(row, dict)}
    listed |= {str(taxon) for taxon in load_reference("permit_taxon_hs_codes").values}
    return tuple(sorted(listed))


def seizure_form(t: Translator) -> dict[str, Choices]:
    """The choices of the new-seizure form, by field name."""
    places = countries(t)
    return {
        "country": places,
        "origin_country": places,
        "destination_country": places,
        "person_nationality": places,
        "unit": units(t),
        "transport_mode": transport_modes(t),
        "person_kind": person_kinds(t),
        "person_role": seizure_roles(t),
    }
