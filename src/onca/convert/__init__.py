"""Convert third-party formats into data-contract files that ``onca ingest`` loads.

Each converter writes parties, accounts, transactions, labels where the source has them, and the
rows it had to reject, with ``read == written + rejected`` for every source file:

- ``convert_amlsim``: an IBM AMLSim sample (folder or .tgz)
- ``convert_amlworld``: an IBM AMLworld transaction CSV (e.g. HI-Small_Trans.csv), streamed
- ``convert_goaml``: UNODC goAML XML reports (a file or a folder of them)
- ``convert_camt053``: ISO 20022 camt.053 bank-to-customer statements (.001.02 to .001.08)
"""

from onca.convert._amlsim import convert_amlsim
from onca.convert._amlworld import convert_amlworld
from onca.convert._camt053 import convert_camt053
from onca.convert._goaml import convert_goaml
from onca.convert._output import ConvertResult, FileCount
from onca.convert._source import MAX_MEMBER_BYTES
from onca.convert._xml import MAX_XML_BYTES

__all__ = [
    "MAX_MEMBER_BYTES",
    "MAX_XML_BYTES",
    "ConvertResult",
    "FileCount",
    "convert_amlsim",
    "convert_amlworld",
    "convert_camt053",
    "convert_goaml",
]
