"""Privacy-preserving record linkage: link two institutions' parties on keyed encodings.

Each side encodes its own records under a shared secret key (``encode_parties``): keyed
HMAC tokens for exact identifiers, keyed and hardened Bloom filters for names and addresses
(Schnell, Bachteler and Reiher 2009). ``link_encodings`` finds the shared parties from the
encodings alone. What this protects and what it does not: docs/pprl.md.
"""

from __future__ import annotations

from onca.resolve.pprl._bloom import BloomEncoder, dice, qgrams
from onca.resolve.pprl._encode import (
    Encoding,
    EncodingParams,
    encode_parties,
    read_encoding,
    soundex,
    write_encoding,
)
from onca.resolve.pprl._fellegi_sunter import FellegiSunter
from onca.resolve.pprl._keys import fingerprint, generate_key, read_key, write_key
from onca.resolve.pprl._match import (
    COMPARISONS,
    DEFAULT_THRESHOLD,
    Comparison,
    PprlLinks,
    check_compatible,
    link_encodings,
)

__all__ = [
    "COMPARISONS",
    "DEFAULT_THRESHOLD",
    "BloomEncoder",
    "Comparison",
    "Encoding",
    "EncodingParams",
    "FellegiSunter",
    "PprlLinks",
    "check_compatible",
    "dice",
    "encode_parties",
    "fingerprint",
    "generate_key",
    "link_encodings",
    "qgrams",
    "read_encoding",
    "read_key",
    "soundex",
    "write_encoding",
    "write_key",
]
