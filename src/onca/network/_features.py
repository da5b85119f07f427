"""Per-transaction features for a learned scorer, in the spirit of the graph-feature baseline
of Altman et al. (NeurIPS 2023): gradient-boosted trees on transaction attributes plus graph
features (degrees, fan-in and fan-out, temporal cycles, scatter-gather; Blanusa et al., ICAIF
2024, "Graph Feature Preprocessor").

Everything is computed from the workspace alone; nothing reads the ground truth. Counts "in the
window" cover ``window_days`` up to and including the payment. Whole-data degrees, the motif
counts and the receiver's onward payments in the next 48 hours use data after the payment:
the scorer is meant for review after the fact (a period is scored once its window has passed),
not for blocking a payment as it is made. DuckDB computes the tabular features in one SQL
statement (window functions); NumPy adds the motif features of :mod:`onca.network._motifs`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from onca.errors import EngineError, ParameterError
from onca.finance._lists import load_lists
from onca.network._motifs import KINDS, MotifParams, MotifResult, workspace_motifs
from onca.network._payments import usd_sql
from onca.sql import literal
from onca.workspace import Workspace

CATEGORICAL = (
    "channel",
    "currency",
    "from_account_kind",
    "to_account_kind",
    "from_holder_kind",
    "to_holder_kind",
)
NUMERIC = (
    "usd",
    "log_usd",
    "z_sender",
    "sender_previous_payments",
    "round_amount",
    "threshold_ratio",
    "just_below_threshold",
    "hours_since_sender_previous",
    "hours_since_receiver_previous",
    "sender_out_window",
    "sender_payees_window",
    "receiver_in_window",
    "receiver_payers_window",
    "sender_out_degree",
    "sender_payees",
    "sender_in_degree",
    "sender_payers",
    "receiver_out_degree",
    "receiver_payees",
    "receiver_in_degree",
    "receiver_payers",
    "sender_in_48h_ratio",
    "receiver_out_48h_ratio",
    "cash_in",
    "cash_out",
    "cross_border",
)
MOTIF_FEATURES = (
    *(f"txn_{k}" for k in KINDS),
    "txn_cycle_length",
    *(f"sender_{k}" for k in KINDS),
    *(f"receiver_{k}" for k in KINDS),
)
FEATURES = (*NUMERIC, *CATEGORICAL, *MOTIF_FEATURES)
# Features of the sender's or receiver's account over all the data (degrees, motifs it takes
# part in): they let the trees recognise an account seen in training. Leave them out to
# measure how well the scorer does on what each payment and its recent window show.
WHOLE_DATA = tuple(
    n
    for n in FEATURES
    if n.startswith(("sender_", "receiver_"))
    and not n.endswith(("_window", "_ratio"))
    and n != "sender_previous_payments"
)

FEATURES_SQL = """
WITH t AS (
  SELECT txn_id, ts, epoch_ms(ts) // 1000 AS s, {usd} AS usd, CAST(amount AS DOUBLE) AS amount,
         currency, channel, from_account AS src, to_account AS dst
  FROM transactions
), thr AS (
  SELECT * FROM (VALUES {thresholds}) AS v(currency, threshold)
), sent AS (  -- the sender's own payments up to this one
  SELECT txn_id,
    s - lag(s) OVER w AS gap_s,
    avg(ln(1 + usd)) OVER before AS log_mean,
    stddev_samp(ln(1 + usd)) OVER before AS log_sd,
    count(*) OVER before AS previous,
    count(*) OVER recent AS out_window,
    count(DISTINCT dst) OVER recent AS payees_window
  FROM t WHERE src IS NOT NULL
  WINDOW w AS (PARTITION BY src ORDER BY ts, txn_id),
    before AS (PARTITION BY src ORDER BY ts, txn_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
    recent AS (PARTITION BY src ORDER BY s RANGE BETWEEN {window} PRECEDING AND CURRENT ROW)
), received AS (  -- the receiver's incoming payments up to this one
  SELECT txn_id,
    s - lag(s) OVER w AS gap_s,
    count(*) OVER recent AS in_window,
    count(DISTINCT src) OVER recent AS payers_window
  FROM t WHERE dst IS NOT NULL
  WINDOW w AS (PARTITION BY dst ORDER BY ts, txn_id),
    recent AS (PARTITION BY dst ORDER BY s RANGE BETWEEN {window} PRECEDING AND CURRENT ROW)
), moves AS (  -- each account's money in (+) and out (-), for pass-through within 48 hours
  SELECT txn_id, src AS account, s, -usd AS flow FROM t WHERE src IS NOT NULL
  UNION ALL SELECT txn_id, dst, s, usd FROM t WHERE dst IS NOT NULL
), passing AS (
  SELECT txn_id, account, flow,
    sum(greatest(flow, 0)) OVER (PARTITION BY account ORDER BY s
      RANGE BETWEEN 172800 PRECEDING AND CURRENT ROW) AS in_before,
    sum(greatest(-flow, 0)) OVER (PARTITION BY account ORDER BY s
      RANGE BETWEEN CURRENT ROW AND 172800 FOLLOWING) AS out_after
  FROM moves
), outs AS (
  SELECT src AS account, count(*) AS degree, count(DISTINCT dst) AS distinct_accounts
  FROM t WHERE src IS NOT NULL GROUP BY 1
), ins AS (
  SELECT dst AS account, count(*) AS degree, count(DISTINCT src) AS distinct_accounts
  FROM t WHERE dst IS NOT NULL GROUP BY 1
), acct AS (
  SELECT a.account_id, a.country, a.kind, p.kind AS holder_kind, a.holder_id
  FROM accounts a LEFT JOIN parties p ON p.party_id = a.holder_id
)
SELECT t.txn_id, t.s AS ts, fa.holder_id AS from_party, ta.holder_id AS to_party,
  t.usd, ln(1 + t.usd) AS log_usd,
  (ln(1 + t.usd) - sent.log_mean) / nullif(sent.log_sd, 0) AS z_sender,
  sent.previous AS sender_previous_payments,
  CASE WHEN t.amount % 1000 = 0 THEN 2 WHEN t.amount % 100 = 0 THEN 1 ELSE 0 END AS round_amount,
  t.amount / thr.threshold AS threshold_ratio,
  CAST(t.amount >= 0.8 * thr.threshold AND t.amount < thr.threshold AS INTEGER)
    AS just_below_threshold,
  sent.gap_s / 3600.0 AS hours_since_sender_previous,
  received.gap_s / 3600.0 AS hours_since_receiver_previous,
  sent.out_window AS sender_out_window, sent.payees_window AS sender_payees_window,
  received.in_window AS receiver_in_window, received.payers_window AS receiver_payers_window,
  so.degree AS sender_out_degree, so.distinct_accounts AS sender_payees,
  si.degree AS sender_in_degree, si.distinct_accounts AS sender_payers,
  ro.degree AS receiver_out_degree, ro.distinct_accounts AS receiver_payees,
  ri.degree AS receiver_in_degree, ri.distinct_accounts AS receiver_payers,
  ps.in_before / nullif(t.usd, 0) AS sender_in_48h_ratio,
  pr.out_after / nullif(t.usd, 0) AS receiver_out_48h_ratio,
  CAST(t.src IS NULL AS INTEGER) AS cash_in, CAST(t.dst IS NULL AS INTEGER) AS cash_out,
  CAST(fa.country <> ta.country AS INTEGER) AS cross_border,
  t.channel, t.currency, fa.kind AS from_account_kind, ta.kind AS to_account_kind,
  fa.holder_kind AS from_holder_kind, ta.holder_kind AS to_holder_kind
FROM t
LEFT JOIN thr USING (currency)
LEFT JOIN sent USING (txn_id)
LEFT JOIN received USING (txn_id)
LEFT JOIN passing ps ON ps.txn_id = t.txn_id AND ps.account = t.src AND ps.flow < 0
LEFT JOIN passing pr ON pr.txn_id = t.txn_id AND pr.account = t.dst AND pr.flow > 0
LEFT JOIN outs so ON so.account = t.src
LEFT JOIN ins si ON si.account = t.src
LEFT JOIN outs ro ON ro.account = t.dst
LEFT JOIN ins ri ON ri.account = t.dst
LEFT JOIN acct fa ON fa.account_id = t.src
LEFT JOIN acct ta ON ta.account_id = t.dst
ORDER BY t.ts, t.txn_id
"""


@dataclass(frozen=True)
class FeatureFrame:
    """Features of n transactions, ordered by (ts, txn_id). ``X``: (n, len(names)) float64,
    NaN where a value is missing (no sender history, a cash side...); ``names``: the column
    names (:data:`FEATURES`); categorical columns hold category codes (``categories[name][code]``
    is the value). ``txn_id``, ``from_party``, ``to_party``: (n,) object; ``ts``: (n,) int64
    seconds since 1970 UTC. ``motifs``: the motifs the motif columns count."""

    txn_id: npt.NDArray[np.object_]
    ts: npt.NDArray[np.int64]
    from_party: npt.NDArray[np.object_]
    to_party: npt.NDArray[np.object_]
    X: npt.NDArray[np.float64]
    names: tuple[str, ...]
    categories: dict[str, list[str]]
    motifs: MotifResult | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return int(self.ts.size)

    def column(self, name: str) -> npt.NDArray[np.float64]:
        return self.X[:, self.names.index(name)]


def motif_features(
    result: MotifResult, src: npt.NDArray[np.int64], dst: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """(n, len(MOTIF_FEATURES)): the instances of each motif a payment belongs to, the longest
    cycle through it (0: none), and the instances its sender and receiver take part in (NaN
    for a missing side)."""
    cycles = result.instances["cycle"]
    longest = np.zeros(src.size, dtype=np.float64)
    lengths = np.diff(cycles.txn_offsets)
    np.maximum.at(longest, cycles.txns, np.repeat(lengths, lengths).astype(np.float64))
    columns = [result.txn_counts[k].astype(np.float64) for k in KINDS] + [longest]
    for side in (src, dst):
        for k in KINDS:
            counts = result.account_counts[k]
            columns.append(np.where(side >= 0, counts[np.maximum(side, 0)], np.nan))
    return np.column_stack(columns)


def transaction_features(
    ws: Workspace,
    *,
    window_days: float = 7.0,
    params: MotifParams | None = None,
    categories: Mapping[str, Sequence[str]] | None = None,
) -> FeatureFrame:
    """The :data:`FEATURES` of every transaction in ``ws`` (see :class:`FeatureFrame`).
    ``window_days``: the recent window for sender and receiver counts; ``params``: motifs;
    ``categories``: the codes of categorical columns (a fitted scorer's, so that codes mean
    the same in another workspace; default: the values found, sorted)."""
    if not window_days > 0:
        raise ParameterError(
            f"window_days: expected a positive number of days, got {window_days!r}"
        )
    thresholds = load_lists()["cash_thresholds"].values
    if not isinstance(thresholds, dict):
        raise ParameterError("the list cash_thresholds must map currencies to amounts")
    sql = FEATURES_SQL.format(
        usd=usd_sql("amount", "currency"),
        window=int(window_days * 86_400),
        thresholds=", ".join(
            f"({literal(k)}, {float(v)!r})" for k, v in sorted(thresholds.items())
        ),
    )
    table = ws.db.arrow(sql, table="transactions")
    if table.num_rows == 0:
        raise ParameterError(f"the workspace {ws.path} has no transactions to compute features of")
    motifs, payments = workspace_motifs(ws, params=params)
    txn_id = np.asarray(table.column("txn_id").to_pylist(), dtype=object)
    if not np.array_equal(txn_id, payments.txn_id):
        raise EngineError("features and payments came back in different orders", sql=sql)
    numeric = [
        np.asarray(table.column(n).to_numpy(zero_copy_only=False), dtype=np.float64)
        for n in NUMERIC
    ]
    found: dict[str, list[str]] = {}
    coded = []
    for name in CATEGORICAL:
        values = table.column(name).to_pylist()
        known = categories.get(name) if categories else None
        found[name] = list(known) if known is not None else sorted({v for v in values if v})
        code = {v: float(i) for i, v in enumerate(found[name])}
        coded.append(np.array([code.get(v, np.nan) for v in values], dtype=np.float64))
    X = np.column_stack([*numeric, *coded, motif_features(motifs, payments.src, payments.dst)])
    return FeatureFrame(
        txn_id=txn_id,
        ts=np.asarray(table.column("ts").to_numpy(zero_copy_only=False), dtype=np.int64),
        from_party=np.asarray(table.column("from_party").to_pylist(), dtype=object),
        to_party=np.asarray(table.column("to_party").to_pylist(), dtype=object),
        X=X,
        names=FEATURES,
        categories=found,
        motifs=motifs,
    )
