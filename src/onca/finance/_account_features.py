"""Flow and graph features of every account, computed by the engine in one SQL statement.

The features need no labels and no amount set in advance: amounts are judged against the
account's peer group (accounts of the same kind, country and currency), so a payment of 5 USD is
as unusual among accounts that move hundreds as a payment of 50,000 USD among accounts that move
thousands. See :mod:`onca.finance._account_scores` for how they are combined.

One row per account that is in ``accounts`` or appears in ``transactions``:

- ``n_txn``, ``n_in``, ``n_out``: payments the account takes part in (received, sent);
- ``counterparties``: distinct accounts it pays or is paid by;
- ``in_usd``, ``out_usd``: money received and sent, in US dollars (payments in a currency
  without a rate are counted but carry no amount);
- ``outlier_payments``: its payments whose amount lies far from its peer group's amounts:
  ``|ln(usd) - median| > outlier_z x 1.4826 x MAD`` (the median and the median absolute deviation
  of the log amounts of the group's payments, read from a histogram of bins 0.01 wide so that
  they are exact to half a bin, identical on every engine and light on memory; a group with
  fewer than ``min_peer_payments`` payments is judged against all payments);
- ``mean_log_usd``, ``sd_log_usd``: the mean and spread of the natural log of its payments' US
  dollar amounts (for the supervised model; 0 without amounts);
- ``exposed_counterparties``: distinct counterparties that themselves made or received an outlier
  payment (guilt by association, one hop);
- ``max_in_day``, ``max_out_day``: the most payments it received, or sent, on one day (fan-in
  and fan-out bursts; a day, because many extracts give only dates).
"""

from __future__ import annotations

from collections.abc import Mapping

from onca.engines import Engine
from onca.sql import usd as sql_usd

FEATURES = (
    "n_txn",
    "n_in",
    "n_out",
    "counterparties",
    "in_usd",
    "out_usd",
    "outlier_payments",
    "mean_log_usd",
    "sd_log_usd",
    "exposed_counterparties",
    "max_in_day",
    "max_out_day",
)

_LEGS = """
WITH pay AS (
  SELECT t.from_account, t.to_account, CAST(t.ts AS DATE) AS day, {usd} AS usd
  FROM transactions AS t
),
legs AS (
  SELECT p.from_account AS account_id, p.to_account AS other, p.day, p.usd, 1 AS is_out
  FROM pay AS p WHERE p.from_account IS NOT NULL
  UNION ALL
  SELECT p.to_account AS account_id, p.from_account AS other, p.day, p.usd, 0 AS is_out
  FROM pay AS p WHERE p.to_account IS NOT NULL
),
"""
"""Every payment seen from each side: one row per (account, payment)."""

_FLOWS_SQL = (
    _LEGS
    + """peer_of AS (
  SELECT a.account_id,
         dense_rank() OVER (
           ORDER BY coalesce(a.kind, '?'), coalesce(a.country, '?'), coalesce(a.currency, '?')
         ) AS peer
  FROM accounts AS a
),
judged_in AS (
  SELECT l.account_id, l.other, l.day, l.usd, l.is_out, coalesce(p.peer, 0) AS peer,
         CASE WHEN l.usd > 0 THEN ln(l.usd) END AS lx
  FROM legs AS l LEFT JOIN peer_of AS p ON p.account_id = l.account_id
),
-- robust centre and spread of the log amounts per peer group, from a histogram of bins
-- 1/{bins} wide (exact to half a bin, the same on every engine, and light on memory)
hist AS (
  SELECT j.peer, CAST(floor(j.lx * {bins}) AS BIGINT) AS bin, count(*) AS n
  FROM judged_in AS j WHERE j.lx IS NOT NULL
  GROUP BY j.peer, CAST(floor(j.lx * {bins}) AS BIGINT)
),
hist_all AS (
  SELECT -1 AS peer, h.bin, sum(h.n) AS n FROM hist AS h GROUP BY h.bin
  UNION ALL
  SELECT h.peer, h.bin, h.n FROM hist AS h
),
cum AS (
  SELECT h.peer, h.bin, h.n,
         sum(h.n) OVER (PARTITION BY h.peer ORDER BY h.bin
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS below,
         sum(h.n) OVER (PARTITION BY h.peer) AS total
  FROM hist_all AS h
),
center AS (
  SELECT c.peer, max(c.total) AS total, (min(c.bin) + 0.5) / {bins} AS med
  FROM cum AS c WHERE 2 * c.below >= c.total
  GROUP BY c.peer
),
deviation AS (
  SELECT h.peer, abs((h.bin + 0.5) / {bins} - c.med) AS dev, h.n
  FROM hist_all AS h JOIN center AS c ON c.peer = h.peer
),
dev_cum AS (
  SELECT d.peer, d.dev,
         sum(d.n) OVER (PARTITION BY d.peer ORDER BY d.dev
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS below,
         sum(d.n) OVER (PARTITION BY d.peer) AS total
  FROM deviation AS d
),
spread AS (
  SELECT d.peer, min(d.dev) AS mad FROM dev_cum AS d WHERE 2 * d.below >= d.total
  GROUP BY d.peer
),
norm AS (
  SELECT c.peer,
         CASE WHEN c.total >= {min_peer_payments} THEN c.med ELSE e.med END AS med,
         CASE WHEN c.total >= {min_peer_payments} THEN s.mad ELSE es.mad END AS mad
  FROM center AS c
  JOIN spread AS s ON s.peer = c.peer
  CROSS JOIN (SELECT x.med FROM center AS x WHERE x.peer = -1) AS e
  CROSS JOIN (SELECT y.mad FROM spread AS y WHERE y.peer = -1) AS es
  WHERE c.peer >= 0
),
judged AS (
  SELECT j.account_id, j.usd, j.is_out, j.lx,
         CASE WHEN abs(j.lx - n.med) > {outlier_z} * greatest(1.4826 * n.mad, {min_spread})
              THEN 1 ELSE 0 END AS outlier
  FROM judged_in AS j LEFT JOIN norm AS n ON n.peer = j.peer
)
SELECT j.account_id, count(*) AS n_txn, sum(j.is_out) AS n_out,
         count(*) - sum(j.is_out) AS n_in,
         coalesce(sum(CASE WHEN j.is_out = 0 THEN j.usd END), 0.0) AS in_usd,
         coalesce(sum(CASE WHEN j.is_out = 1 THEN j.usd END), 0.0) AS out_usd,
         sum(j.outlier) AS outlier_payments,
         avg(j.lx) AS mean_log_usd, stddev_pop(j.lx) AS sd_log_usd
  FROM judged AS j GROUP BY j.account_id
"""
)

_SQL = (
    _LEGS
    + """pairs AS (
  SELECT DISTINCT l.account_id, l.other FROM legs AS l WHERE l.other IS NOT NULL
),
unusual AS (
  SELECT f.account_id FROM _onca_account_flows AS f WHERE f.outlier_payments > 0
),
reach AS (
  SELECT p.account_id, count(*) AS counterparties, count(u.account_id) AS exposed_counterparties
  FROM pairs AS p LEFT JOIN unusual AS u ON u.account_id = p.other
  GROUP BY p.account_id
),
daily AS (
  SELECT l.account_id, l.is_out, count(*) AS k
  FROM legs AS l WHERE l.other IS NOT NULL
  GROUP BY l.account_id, l.is_out, l.day
),
bursts AS (
  SELECT d.account_id, max(CASE WHEN d.is_out = 0 THEN d.k END) AS max_in_day,
         max(CASE WHEN d.is_out = 1 THEN d.k END) AS max_out_day
  FROM daily AS d GROUP BY d.account_id
),
known AS (
  SELECT a.account_id FROM accounts AS a
  UNION ALL
  SELECT f.account_id FROM _onca_account_flows AS f
  WHERE f.account_id NOT IN (SELECT a.account_id FROM accounts AS a)
)
SELECT k.account_id,
       coalesce(f.n_txn, 0) AS n_txn, coalesce(f.n_in, 0) AS n_in,
       coalesce(f.n_out, 0) AS n_out, coalesce(r.counterparties, 0) AS counterparties,
       coalesce(f.in_usd, 0.0) AS in_usd, coalesce(f.out_usd, 0.0) AS out_usd,
       coalesce(f.outlier_payments, 0) AS outlier_payments,
       coalesce(f.mean_log_usd, 0.0) AS mean_log_usd, coalesce(f.sd_log_usd, 0.0) AS sd_log_usd,
       coalesce(r.exposed_counterparties, 0) AS exposed_counterparties,
       coalesce(b.max_in_day, 0) AS max_in_day,
       coalesce(b.max_out_day, 0) AS max_out_day
FROM known AS k
LEFT JOIN _onca_account_flows AS f ON f.account_id = k.account_id
LEFT JOIN reach AS r ON r.account_id = k.account_id
LEFT JOIN bursts AS b ON b.account_id = k.account_id
ORDER BY k.account_id
"""
)

OUTLIER_Z = 3.0
"""How many robust standard deviations from its peer group's amounts make a payment an outlier."""
MIN_PEER_PAYMENTS = 200
"""A peer group with fewer payments than this is judged against all payments."""
BINS_PER_UNIT = 100
"""Histogram bins per unit of log amount (1/100: amounts within about 1% share a bin)."""
MIN_SPREAD = 0.05
"""The smallest robust spread of log amounts used (a group whose payments are all equal)."""


FLOWS_TABLE = "_onca_account_flows"


def feature_sql(
    fx_units_per_usd: Mapping[str, float],
    *,
    outlier_z: float = OUTLIER_Z,
    min_peer_payments: int = MIN_PEER_PAYMENTS,
) -> tuple[str, str]:
    """The two feature statements (DuckDB dialect; engines translate them): the per-account
    flows, kept as the temporary table :data:`FLOWS_TABLE`, then the features that read it."""
    usd = sql_usd("t.amount", "t.currency", fx_units_per_usd)
    values = {
        "usd": usd,
        "bins": BINS_PER_UNIT,
        "outlier_z": float(outlier_z),
        "min_peer_payments": int(min_peer_payments),
        "min_spread": MIN_SPREAD,
    }
    return _FLOWS_SQL.format(**values), _SQL.format(**values)


def account_features(
    engine: Engine,
    fx_units_per_usd: Mapping[str, float],
    *,
    outlier_z: float = OUTLIER_Z,
    min_peer_payments: int = MIN_PEER_PAYMENTS,
) -> list[dict[str, object]]:
    """One row per account: ``account_id`` and :data:`FEATURES`, sorted by account_id."""
    flows, features = feature_sql(
        fx_units_per_usd, outlier_z=outlier_z, min_peer_payments=min_peer_payments
    )
    engine.materialize(FLOWS_TABLE, flows)
    try:
        return [dict(r) for r in engine.query(features)]
    finally:
        engine.drop(FLOWS_TABLE)
