"""FollowTheMoney (FtM) names for the contract's parties, shared by FtM import and export."""

from __future__ import annotations

SCHEMA_OF_KIND = {"person": "Person", "company": "Company", "organization": "Organization"}
"""The FtM schema of each party kind."""

PARTY_PROPS = {
    "name": "name",
    "birth_date": "birthDate",
    "nationality": "nationality",
    "country": "country",
    "address": "address",
    "phone": "phone",
    "id_number": "idNumber",
    "industry": "sector",
    "occupation": "position",
}
"""Party column -> the FtM property that holds it."""
