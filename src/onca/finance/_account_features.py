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
  of the log amounts of the group's payments; a group with fewer than ``min_peer_payments``
  payments is judged against all payments);
- ``exposed_counterparties``: distinct counterparties that themselves made or received an outlier
  payment (guilt by association, one hop);
- ``max_senders_day``, ``max_payees_day``: the most distinct accounts that paid it, or that it
  paid, on one day (fan-in and fan-out bursts; a day, because many extracts give only dates).
"""

from __future__ import annotations

from collections.abc import Mapping

from onca.engines import Engine
from onca.finance._sqltemplate import make_environment

FEATURES = (
    "n_txn",
    "n_in",
    "n_out",
    "counterparties",
    "in_usd",
    "out_usd",
    "outlier_payments",
    "exposed_counterparties",
    "max_senders_day",
    "max_payees_day",
)

_SQL = """
WITH pay AS (
  SELECT t.from_account, t.to_account, t.ts, {usd} AS usd
  FROM transactions AS t
),
legs AS (
  SELECT p.from_account AS account_id, p.to_account AS other, p.ts, p.usd, 1 AS is_out
  FROM pay AS p WHERE p.from_account IS NOT NULL
  UNION ALL
  SELECT p.to_account AS account_id, p.from_account AS other, p.ts, p.usd, 0 AS is_out
  FROM pay AS p WHERE p.to_account IS NOT NULL
),
grouped AS (
  SELECT l.account_id, l.other, l.ts, l.usd, l.is_out,
         concat_ws('|', coalesce(a.kind, '?'), coalesce(a.country, '?'),
                   coalesce(a.currency, '?')) AS peer,
         CASE WHEN l.usd > 0 THEN ln(l.usd) END AS lx
  FROM legs AS l
  LEFT JOIN accounts AS a ON a.account_id = l.account_id
),
center AS (
  SELECT g.peer, count(g.lx) AS n, median(g.lx) AS med
  FROM grouped AS g GROUP BY g.peer
),
everyone AS (
  SELECT median(g.lx) AS med FROM grouped AS g
),
spread AS (
  SELECT g.peer, median(abs(g.lx - c.med)) AS mad
  FROM grouped AS g JOIN center AS c ON c.peer = g.peer
  GROUP BY g.peer
),
everyone_spread AS (
  SELECT median(abs(g.lx - e.med)) AS mad
  FROM grouped AS g CROSS JOIN everyone AS e
),
norm AS (
  SELECT c.peer,
         CASE WHEN c.n >= {min_peer_payments} THEN c.med ELSE e.med END AS med,
         CASE WHEN c.n >= {min_peer_payments} THEN s.mad ELSE es.mad END AS mad
  FROM center AS c
  JOIN spread AS s ON s.peer = c.peer
  CROSS JOIN everyone AS e
  CROSS JOIN everyone_spread AS es
),
judged AS (
  SELECT g.account_id, g.other, g.ts, g.usd, g.is_out,
         CASE WHEN abs(g.lx - n.med) > {outlier_z} * greatest(1.4826 * n.mad, {min_spread})
              THEN 1 ELSE 0 END AS outlier
  FROM grouped AS g JOIN norm AS n ON n.peer = g.peer
),
flows AS (
  SELECT j.account_id, count(*) AS n_txn, sum(j.is_out) AS n_out,
         count(*) - sum(j.is_out) AS n_in, count(DISTINCT j.other) AS counterparties,
         coalesce(sum(CASE WHEN j.is_out = 0 THEN j.usd END), 0.0) AS in_usd,
         coalesce(sum(CASE WHEN j.is_out = 1 THEN j.usd END), 0.0) AS out_usd,
         sum(j.outlier) AS outlier_payments
  FROM judged AS j GROUP BY j.account_id
),
daily AS (
  SELECT l.account_id, l.is_out, count(DISTINCT l.other) AS k
  FROM legs AS l WHERE l.other IS NOT NULL
  GROUP BY l.account_id, l.is_out, CAST(l.ts AS DATE)
),
bursts AS (
  SELECT d.account_id, max(CASE WHEN d.is_out = 0 THEN d.k END) AS max_senders_day,
         max(CASE WHEN d.is_out = 1 THEN d.k END) AS max_payees_day
  FROM daily AS d GROUP BY d.account_id
),
pairs AS (
  SELECT DISTINCT l.account_id, l.other FROM legs AS l WHERE l.other IS NOT NULL
),
exposure AS (
  SELECT p.account_id, count(*) AS exposed_counterparties
  FROM pairs AS p JOIN flows AS f ON f.account_id = p.other
  WHERE f.outlier_payments > 0
  GROUP BY p.account_id
),
known AS (
  SELECT a.account_id FROM accounts AS a
  UNION
  SELECT f.account_id FROM flows AS f
)
SELECT k.account_id,
       coalesce(f.n_txn, 0) AS n_txn, coalesce(f.n_in, 0) AS n_in,
       coalesce(f.n_out, 0) AS n_out, coalesce(f.counterparties, 0) AS counterparties,
       coalesce(f.in_usd, 0.0) AS in_usd, coalesce(f.out_usd, 0.0) AS out_usd,
       coalesce(f.outlier_payments, 0) AS outlier_payments,
       coalesce(x.exposed_counterparties, 0) AS exposed_counterparties,
       coalesce(b.max_senders_day, 0) AS max_senders_day,
       coalesce(b.max_payees_day, 0) AS max_payees_day
FROM known AS k
LEFT JOIN flows AS f ON f.account_id = k.account_id
LEFT JOIN bursts AS b ON b.account_id = k.account_id
LEFT JOIN exposure AS x ON x.account_id = k.account_id
ORDER BY k.account_id
"""

OUTLIER_Z = 3.0
"""How many robust standard deviations from its peer group's amounts make a payment an outlier."""
MIN_PEER_PAYMENTS = 200
"""A peer group with fewer payments than this is judged against all payments."""
MIN_SPREAD = 0.05
"""The smallest robust spread of log amounts used (a group whose payments are all equal)."""


def feature_sql(
    fx_units_per_usd: Mapping[str, float],
    *,
    outlier_z: float = OUTLIER_Z,
    min_peer_payments: int = MIN_PEER_PAYMENTS,
) -> str:
    """The feature query (DuckDB dialect; engines translate it)."""
    usd = make_environment(fx_units_per_usd).globals["usd"]("t.amount", "t.currency")  # type: ignore[operator]
    return _SQL.format(
        usd=usd,
        outlier_z=float(outlier_z),
        min_peer_payments=int(min_peer_payments),
        min_spread=MIN_SPREAD,
    )


def account_features(
    engine: Engine,
    fx_units_per_usd: Mapping[str, float],
    *,
    outlier_z: float = OUTLIER_Z,
    min_peer_payments: int = MIN_PEER_PAYMENTS,
) -> list[dict[str, object]]:
    """One row per account: ``account_id`` and :data:`FEATURES`, sorted by account_id."""
    sql = feature_sql(fx_units_per_usd, outlier_z=outlier_z, min_peer_payments=min_peer_payments)
    return [dict(r) for r in engine.query(sql)]
