"""A flow source seen through integer codes, so that a trace works on NumPy arrays.

Accounts and transactions get int64 codes. On :class:`ArrayFlows` the codes are the source's
own (account index, transaction row): nothing is converted while tracing. On any other source
(SQL on DuckDB or Spark) the ids each hop returns are numbered as they first appear; SQL is the
slow part there anyway. Only the few ids a caller asks for are turned back into text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from onca.network._flows import ArrayFlows, Direction, FlowSource, HopLimits

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CodedEdges:
    """One hop's transactions as codes, in the order the source returned them."""

    key: I64  # transaction code
    src: I64  # account codes
    dst: I64
    ts: I64  # seconds
    amount: F64  # US dollars

    def take(self, index: npt.NDArray[np.intp] | npt.NDArray[np.bool_]) -> CodedEdges:
        return CodedEdges(
            self.key[index], self.src[index], self.dst[index], self.ts[index], self.amount[index]
        )

    def __len__(self) -> int:
        return int(self.key.size)


class CodedSource:
    """The interface :func:`onca.network._trail.trace_flows` traces through."""

    def accounts(self, names: Iterable[str]) -> I64:
        """Codes of the known ``names`` (unknown ones are left out)."""
        raise NotImplementedError

    @property
    def n_accounts(self) -> int:
        """One more than the largest account code handed out so far."""
        raise NotImplementedError

    @property
    def n_keys(self) -> int:
        """One more than the largest transaction code handed out so far."""
        raise NotImplementedError

    def step(
        self,
        node: I64,
        at: I64,
        direction: Direction,
        limits: HopLimits,
    ) -> CodedEdges:
        """:meth:`FlowSource.step` on account codes ``node`` with their times ``at``."""
        raise NotImplementedError

    def account_names(self, codes: I64) -> list[str]:
        raise NotImplementedError

    def txn_names(self, keys: I64) -> list[str]:
        raise NotImplementedError

    def txn_rank(self, keys: I64) -> I64:
        """An int64 per key that sorts like the transaction ids."""
        raise NotImplementedError


class ArrayCoded(CodedSource):
    """:class:`ArrayFlows` as it is: account indices, and rows (already in txn_id order)."""

    def __init__(self, flows: ArrayFlows) -> None:
        self.flows = flows

    def accounts(self, names: Iterable[str]) -> I64:
        index = self.flows.index
        return np.array([index[a] for a in names if a in index], np.int64)

    @property
    def n_accounts(self) -> int:
        return len(self.flows.accounts)

    @property
    def n_keys(self) -> int:
        return len(self.flows)

    def step(
        self,
        node: I64,
        at: I64,
        direction: Direction,
        limits: HopLimits,
    ) -> CodedEdges:
        f = self.flows
        rows = f.step_rows(node, at, direction, limits)
        return CodedEdges(
            rows,
            f.src[rows].astype(np.int64),
            f.dst[rows].astype(np.int64),
            f.ts[rows],
            f.amount[rows],
        )

    def account_names(self, codes: I64) -> list[str]:
        return [str(a) for a in self.flows.accounts.take(pa.array(codes)).to_pylist()]

    def txn_names(self, keys: I64) -> list[str]:
        return [str(t) for t in self.flows.txn_id.take(pa.array(keys)).to_pylist()]

    def txn_rank(self, keys: I64) -> I64:
        return keys


class _Names:
    """Text ids numbered in the order they first appear."""

    def __init__(self) -> None:
        self.code: dict[str, int] = {}
        self.names: list[str] = []

    def __call__(self, names: Iterable[str]) -> I64:
        code, known = self.code, self.names
        out = []
        for name in names:
            c = code.get(name)
            if c is None:
                c = code[name] = len(known)
                known.append(name)
            out.append(c)
        return np.array(out, np.int64)


class NamedCoded(CodedSource):
    """Any flow source (SQL on an engine), its ids numbered as they come."""

    def __init__(self, flows: FlowSource) -> None:
        self.flows = flows
        self._accounts = _Names()
        self._txns = _Names()

    def accounts(self, names: Iterable[str]) -> I64:
        return self._accounts(names)

    @property
    def n_accounts(self) -> int:
        return len(self._accounts.names)

    @property
    def n_keys(self) -> int:
        return len(self._txns.names)

    def step(
        self,
        node: I64,
        at: I64,
        direction: Direction,
        limits: HopLimits,
    ) -> CodedEdges:
        names = self._accounts.names
        frontier = {names[c]: t for c, t in zip(node.tolist(), at.tolist(), strict=True)}
        batch = self.flows.step(frontier, direction, limits)
        return CodedEdges(
            self._txns(batch.txn_id),
            self._accounts(batch.src),
            self._accounts(batch.dst),
            np.asarray(batch.ts, np.int64),
            np.asarray(batch.amount, np.float64),
        )

    def account_names(self, codes: I64) -> list[str]:
        names = self._accounts.names
        return [names[c] for c in codes.tolist()]

    def txn_names(self, keys: I64) -> list[str]:
        names = self._txns.names
        return [names[k] for k in keys.tolist()]

    def txn_rank(self, keys: I64) -> I64:
        text = np.array(self.txn_names(keys), dtype=object)
        _, inverse = np.unique(text, return_inverse=True)
        return inverse.astype(np.int64)


def coded(flows: FlowSource) -> CodedSource:
    """The coded view of ``flows``."""
    return ArrayCoded(flows) if isinstance(flows, ArrayFlows) else NamedCoded(flows)
