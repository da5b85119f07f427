"""The data contract: table schemas and code lists, declared as YAML and loaded as typed objects;
and the reference data every analysis shares (code lists, screening lists, trade lists), read
by one loader that checks each list against its declared schema.

>>> from onca.contract import load_contract
>>> load_contract().table("transactions").primary_key
'txn_id'
>>> from onca.contract import load_reference
>>> load_reference("fx_units_per_usd").values["EUR"]
0.92
"""

from onca.contract._load import CONTRACT_VERSION, load_contract, load_contract_from
from onca.contract._model import LIST_SEPARATOR, CodeList, Column, Contract, RowCheck, Table
from onca.contract._reference import (
    ReferenceList,
    check_reference_set,
    code_set,
    load_reference,
    load_references,
    load_references_from,
    read_reference,
    shipped_references,
)

__all__ = [
    "CONTRACT_VERSION",
    "LIST_SEPARATOR",
    "CodeList",
    "Column",
    "Contract",
    "ReferenceList",
    "RowCheck",
    "Table",
    "check_reference_set",
    "code_set",
    "load_contract",
    "load_contract_from",
    "load_reference",
    "load_references",
    "load_references_from",
    "read_reference",
    "shipped_references",
]
