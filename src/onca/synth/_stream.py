"""Stream the transactions table: ordinary traffic chunk by chunk, illicit payments merged in.

Every row is placed by time: an illicit payment goes right after the ordinary rows with the same
or an earlier timestamp. Transaction numbers follow file order, so the output (and each
``txn_id``) is the same whatever the chunk size. Memory holds one chunk at a time.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onca.synth._behaviour import CHANNELS, Block, OrdinaryTraffic
from onca.synth._ledger import IllicitRows
from onca.synth._places import CURRENCIES
from onca.synth._text import pick, prefixed_ids
from onca.synth._writer import TableWriter

_CURRENCY_TEXT = pa.array(CURRENCIES, pa.large_string())
_CHANNEL_TEXT = pa.array(CHANNELS, pa.large_string())
FORMAT_ROWS = 1 << 20
"""Rows formatted at once (keeps each Arrow text buffer well under its limits)."""


def id_width(total: int) -> int:
    return max(9, len(str(total)))


def _merge(
    ordinary: Block,
    narratives: pa.Array,
    illicit: IllicitRows,
    lo: int,
    hi: int,
) -> tuple[dict[str, np.ndarray], pa.Array, np.ndarray]:
    """Ordinary rows with illicit rows [lo, hi) inserted by time.

    Returns the merged numeric columns, the merged narratives, and the positions (within the
    chunk) of the illicit rows.
    """
    n_o, n_i = len(ordinary), hi - lo
    ill_ts = illicit.ts[lo:hi]
    positions = np.searchsorted(ordinary.ts, ill_ts, side="right") + np.arange(n_i)
    is_illicit = np.zeros(n_o + n_i, dtype=bool)
    is_illicit[positions] = True
    source = np.empty(n_o + n_i, dtype=np.int64)
    source[~is_illicit] = np.arange(n_o)
    source[is_illicit] = n_o + np.arange(n_i)
    merged = {}
    for name, extra in (
        ("ts", ill_ts),
        ("from_acc", illicit.from_acc[lo:hi]),
        ("to_acc", illicit.to_acc[lo:hi]),
        ("cents", illicit.cents[lo:hi]),
        ("currency", illicit.currency[lo:hi]),
        ("channel", illicit.channel[lo:hi]),
    ):
        merged[name] = np.concatenate([getattr(ordinary, name), extra])[source]
    ill_text = pa.array(illicit.narrative[lo:hi], pa.large_string())
    text = pc.take(pa.concat_arrays([narratives, ill_text]), pa.array(source))
    return merged, text, positions


def write_transactions(
    writer: TableWriter,
    traffic: OrdinaryTraffic,
    illicit: IllicitRows,
    account_ids: pa.Array,
    *,
    chunk_size: int,
    total: int,
    progress: Callable[[int, int], None] | None,
) -> np.ndarray:
    """Write all ``total`` transactions; returns the transaction number of each illicit row."""
    numbers = np.full(len(illicit), -1, dtype=np.int64)
    width = id_width(total)
    done = 0
    taken = 0
    n_ord = traffic.n_rows
    for start in range(0, n_ord, chunk_size):
        stop = min(start + chunk_size, n_ord)
        last = stop == n_ord
        for sub_start in range(start, stop, FORMAT_ROWS):
            sub_stop = min(sub_start + FORMAT_ROWS, stop)
            block = traffic.rows(sub_start, sub_stop)
            if last and sub_stop == stop:
                upto = len(illicit)
            else:
                upto = taken + int(np.searchsorted(illicit.ts[taken:], block.ts[-1], side="left"))
            narratives = traffic.narratives.render(block.template, block.number)
            cols, text, positions = _merge(block, narratives, illicit, taken, upto)
            numbers[taken:upto] = done + positions
            n = len(cols["ts"])
            writer.write(
                {
                    "txn_id": prefixed_ids("TX", np.arange(done, done + n) + 1, width),
                    "ts": cols["ts"],
                    "amount": cols["cents"],
                    "currency": pc.take(_CURRENCY_TEXT, pa.array(cols["currency"])),
                    "from_account": pick(account_ids, cols["from_acc"]),
                    "to_account": pick(account_ids, cols["to_acc"]),
                    "channel": pc.take(_CHANNEL_TEXT, pa.array(cols["channel"])),
                    "narrative": text,
                }
            )
            done += n
            taken = upto
        if progress is not None:
            progress(done, total)
    return numbers
