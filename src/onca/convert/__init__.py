"""Convert third-party formats into data-contract files that ``onca ingest`` loads.

``convert_amlsim`` reads an IBM AMLSim sample (folder or .tgz) and writes parties, accounts,
transactions, account labels and the rows it had to reject, with ``read == written + rejected``
for every source file.
"""

from onca.convert._amlsim import ConvertResult, FileCount, convert_amlsim
from onca.convert._source import MAX_MEMBER_BYTES

__all__ = ["MAX_MEMBER_BYTES", "ConvertResult", "FileCount", "convert_amlsim"]
