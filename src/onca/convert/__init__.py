"""Convert third-party formats into data-contract files that ``onca ingest`` loads.

Each converter writes parties, accounts, transactions, labels where the source has them, and the
rows it had to reject, with ``read == written + rejected`` for every source file:

- ``convert_amlsim``: an IBM AMLSim sample (folder or .tgz)
- ``convert_amlworld``: an IBM AMLworld transaction CSV (e.g. HI-Small_Trans.csv), streamed
"""

from onca.convert._amlsim import convert_amlsim
from onca.convert._amlworld import convert_amlworld
from onca.convert._output import ConvertResult, FileCount
from onca.convert._source import MAX_MEMBER_BYTES

__all__ = ["MAX_MEMBER_BYTES", "ConvertResult", "FileCount", "convert_amlsim", "convert_amlworld"]
