"""Keyed Bloom filters of q-grams (Schnell, Bachteler and Reiher 2009), hardened, and Dice.

A field's value is split into words, each word padded ('_ana_') and cut into q-grams; every
q-gram sets ``hashes`` bits of a ``bits``-long filter. Two spellings of a name share most
q-grams, so their filters share most bits, and the Dice coefficient of the filters,
``2 |A & B| / (|A| + |B|)``, follows the Dice coefficient of the q-gram sets.

Hardening, as the cryptanalyses of basic Bloom filters recommend:

* **Random hashing under a key.** Each q-gram's positions are read from HMAC-SHA256 under the
  field's sub-key, independently of each other. The 2009 paper combined two keyed hashes by
  double hashing (``h1 + i * h2``); that structure, with the frequencies of q-grams, is what
  Niedermeyer et al. (2014) and Kroll and Steinmetzer (2015) exploited to recover the names
  behind basic Bloom filters. Without the key nobody can compute which bits a q-gram sets.
* **XOR-folding** (Schnell, Borgs and colleagues, 2016; see Christen, Ranbaduge and Schnell
  2020 on hardening): the filter's two halves are combined with exclusive-or, so a stored bit
  no longer belongs to one q-gram: it is the parity of two positions. Attacks that read
  q-grams off bit patterns that occur together (pattern mining) lose their footing, and the
  number of set bits says less about the length of the name.

What hardening does not remove: equal values still give equal filters, so the frequencies of
whole names show through (docs/pprl.md, threat model).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt

Progress = Callable[[str, int, int], None]

PAD = "_"


def qgrams(words: Iterable[str], q: int = 2) -> set[str]:
    """The q-grams of each word padded on both sides: {'_a', 'an', 'na', 'a_'} for 'ana'.

    Word by word, so that 'perez maria' and 'maria perez' give the same set."""
    grams: set[str] = set()
    for word in words:
        padded = PAD + word + PAD
        grams.update(padded[i : i + q] for i in range(len(padded) - q + 1))
    return grams


class BloomEncoder:
    """Encodes sets of q-grams as keyed, XOR-folded Bloom filters of ``bits // 2`` bits.

    ``bits`` is the length before folding (a multiple of 128, so that the folded filter packs
    into 64-bit words); ``hashes`` the bits each q-gram sets."""

    def __init__(self, field_key: bytes, *, bits: int, hashes: int, q: int = 2) -> None:
        if bits % 128 or bits <= 0:
            raise ValueError(f"bits: a positive multiple of 128, got {bits}")
        if not 1 <= hashes <= 256:
            raise ValueError(f"hashes: between 1 and 256, got {hashes}")
        self.field_key = field_key
        self.bits = bits
        self.hashes = hashes
        self.q = q
        self._words: dict[str, tuple[int, ...]] = {}  # word -> numbers of its q-grams
        self._grams: dict[str, int] = {}  # q-gram -> its number
        self._positions = np.empty((0, hashes), dtype=np.int64)

    @property
    def nbytes(self) -> int:
        """Bytes of one stored (folded) filter."""
        return self.bits // 16

    def positions(self, gram: str) -> npt.NDArray[np.int64]:
        """The bits one q-gram sets: ``hashes`` numbers read from HMAC-SHA256 in counter mode."""
        stream = b""
        block = 0
        while len(stream) < 4 * self.hashes:
            stream += hmac.digest(
                self.field_key, block.to_bytes(2, "big") + gram.encode(), "sha256"
            )
            block += 1
        words = np.frombuffer(stream[: 4 * self.hashes], dtype=">u4").astype(np.int64)
        return words % self.bits

    def _word_grams(self, word: str) -> tuple[int, ...]:
        found = self._words.get(word)
        if found is None:
            found = self._words[word] = tuple(
                self._grams.setdefault(g, len(self._grams)) for g in sorted(qgrams([word], self.q))
            )
        return found

    def _gram_positions(self) -> npt.NDArray[np.int64]:
        """Positions of every q-gram seen so far, one row per q-gram number."""
        known = len(self._positions)
        if known < len(self._grams):
            grams = list(self._grams)[known:]
            self._positions = np.concatenate(
                [self._positions, *(self.positions(g)[None, :] for g in grams)]
            )
        return self._positions

    def encode(
        self,
        values: Sequence[Sequence[str] | None],
        *,
        progress: Progress | None = None,
        label: str = "",
        chunk: int = 65_536,
    ) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
        """Filters of many values (each a list of words, or None): a ``(n, nbytes)`` array of
        packed folded filters and a mask of the values that had any q-gram."""
        n = len(values)
        packed = np.zeros((n, self.nbytes), dtype=np.uint8)
        present = np.zeros(n, dtype=bool)
        half = self.bits // 2
        for start in range(0, n, chunk):
            rows: list[int] = []
            grams: list[int] = []
            for i, words in enumerate(values[start : start + chunk]):
                for word in words or ():
                    ids = self._word_grams(word)
                    grams.extend(ids)
                    rows.extend([i] * len(ids))
            size = min(chunk, n - start)
            full = np.zeros((size, self.bits), dtype=bool)
            if grams:
                where = self._gram_positions()[np.asarray(grams)]
                full[np.repeat(np.asarray(rows), self.hashes), where.ravel()] = True
                present[start + np.unique(np.asarray(rows))] = True
            packed[start : start + size] = np.packbits(full[:, :half] ^ full[:, half:], axis=1)
            if progress:
                progress(label, start + size, n)
        return packed, present


def as_words(packed: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    """Packed filters ``(n, nbytes)`` as 64-bit words ``(n, nbytes // 8)`` for popcounts."""
    return np.ascontiguousarray(packed).view(np.uint64)


def bit_counts(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """Set bits of each filter."""
    return np.bitwise_count(words).sum(axis=1, dtype=np.int64)


def dice(
    left: npt.NDArray[np.uint64],
    right: npt.NDArray[np.uint64],
    left_rows: npt.NDArray[np.int64],
    right_rows: npt.NDArray[np.int64],
    *,
    chunk: int = 1_000_000,
) -> npt.NDArray[np.float64]:
    """Dice coefficient of filter ``left[left_rows[i]]`` with ``right[right_rows[i]]``, for
    every i: 1.0 for identical filters, 0.0 when they share no bit (or both are empty)."""
    left_counts, right_counts = bit_counts(left), bit_counts(right)
    out = np.empty(left_rows.size, dtype=np.float64)
    for start in range(0, left_rows.size, chunk):
        li = left_rows[start : start + chunk]
        ri = right_rows[start : start + chunk]
        shared = np.bitwise_count(left[li] & right[ri]).sum(axis=1, dtype=np.int64)
        total = left_counts[li] + right_counts[ri]
        out[start : start + chunk] = np.divide(
            2.0 * shared, total, out=np.zeros(li.size), where=total > 0
        )
    return out
