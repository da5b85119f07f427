"""The data contract: table schemas and code lists, declared as YAML and loaded as typed objects.

>>> from onca.contract import load_contract
>>> load_contract().table("transactions").primary_key
'txn_id'
"""

from onca.contract._load import CONTRACT_VERSION, load_contract, load_contract_from
from onca.contract._model import LIST_SEPARATOR, CodeList, Column, Contract, RowCheck, Table

__all__ = [
    "CONTRACT_VERSION",
    "LIST_SEPARATOR",
    "CodeList",
    "Column",
    "Contract",
    "RowCheck",
    "Table",
    "load_contract",
    "load_contract_from",
]
