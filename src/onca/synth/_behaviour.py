"""Ordinary payments, drawn block by block with NumPy: salaries, card spending, bills, rent,
business payments, remittances, cash, mobile transfers and a little crypto.

A block is ``BLOCK_ROWS`` consecutive transactions (in time order) drawn from its own random
stream, so the rows of a block never depend on how the caller chunks its output. Amounts are
drawn in US dollars (lognormal, Pareto for business payments), then converted into the paying
account's currency and rounded the way people round them (cash to tens, salaries to units).
Account activity is heavy-tailed (Pareto weights), so a few accounts carry much of the traffic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from onca.synth import _calendar as cal
from onca.synth._ledger import PaymentArrays
from onca.synth._narratives import LANGUAGES, Narratives
from onca.synth._places import COUNTRIES, CURRENCIES, UNITS_PER_USD, WHOLE_UNIT_CURRENCIES
from onca.synth._pools import Pool
from onca.synth._population import (
    BUSINESS,
    CHECKING,
    CREDIT,
    CRYPTO,
    PERSON,
    REMITTANCE,
    ROLES,
    SAVINGS,
    WALLET,
    World,
)
from onca.synth._rng import stream

BLOCK_ROWS = 1 << 16
CHANNELS = ("wire", "cash", "card", "mobile", "remittance", "crypto", "check", "ach", "other")
WIRE, CASH, CARD, MOBILE, REMIT, CRYPTO_CH, CHECK, ACH, OTHER = range(len(CHANNELS))

KINDS = (
    "card",
    "p2p",
    "b2b",
    "bill",
    "rent",
    "salary",
    "cash_in",
    "cash_out",
    "remittance",
    "international",
    "crypto",
)
SHARES = np.array([0.36, 0.15, 0.11, 0.07, 0.03, 0.06, 0.06, 0.09, 0.04, 0.02, 0.01])
RHYTHMS = [
    cal.RETAIL,
    cal.PERSONAL,
    cal.OFFICE,
    cal.BILLS,
    cal.BILLS,
    cal.PAYROLL,
    cal.OFFICE,
    cal.RETAIL,
    cal.FAMILY,
    cal.OFFICE,
    cal.ROUND_THE_CLOCK,
]
_LANGUAGE_OF = {"es": "es", "pt": "pt", "en": "en", "zh": "zh", "vi": "vi", "nl": "nl", "de": "de"}


@dataclass
class Block(PaymentArrays):
    """Ordinary transactions as arrays (the columns of PaymentArrays), with
    ``template``/``number`` for the narrative (see Narratives.render).
    """

    template: np.ndarray
    number: np.ndarray

    def __len__(self) -> int:
        return len(self.ts)

    def slice(self, start: int, stop: int) -> Block:
        return Block(*(getattr(self, f.name)[start:stop] for f in fields(self)))

    @staticmethod
    def concat(blocks: list[Block]) -> Block:
        return Block(*(np.concatenate([getattr(b, f.name) for b in blocks]) for f in fields(Block)))


def _nice_units(rate: float) -> float:
    return float(10 ** max(0, int(np.floor(np.log10(rate)))))


class OrdinaryTraffic:
    """Draws the ``n_rows`` ordinary transactions of a world, any block on demand."""

    def __init__(self, world: World, seed: int, n_rows: int) -> None:
        self.seed = seed
        self.n_rows = n_rows
        acc = world.accounts
        self.country = acc["country"]
        self.currency = acc["currency"]
        self.salary = acc["salary_usd"]
        self.employer = acc["employer"]
        self.partner = acc["partner"]
        n_countries = len(COUNTRIES)
        kind, holder_kind, role = acc["kind"], acc["holder_kind"], acc["role"]
        activity = acc["activity"]
        person = holder_kind == PERSON

        def pool(mask: np.ndarray, weights: np.ndarray | None = None) -> Pool:
            rows = np.flatnonzero(mask)
            w = activity[rows] if weights is None else weights[rows]
            return Pool(rows, self.country[rows], w, n_countries)

        self.spenders = pool(person & np.isin(kind, [CHECKING, SAVINGS, CREDIT, WALLET]))
        self.merchants = pool((kind == BUSINESS) & (role == ROLES.index("merchant")))
        self.companies = pool(kind == BUSINESS)
        self.utilities = pool((kind == BUSINESS) & (role == ROLES.index("utility")))
        self.landlords = pool(person & np.isin(kind, [CHECKING, SAVINGS]))
        self.employees = pool(self.salary > 0, np.ones(len(acc)))
        self.wallets = pool(kind == WALLET)
        self.cash = pool(np.isin(kind, [CHECKING, SAVINGS, BUSINESS]))
        self.senders = pool((kind == REMITTANCE) & (self.partner >= 0))
        self.traders = pool((kind == BUSINESS) & (role == ROLES.index("trader")))
        self.crypto = pool(kind == CRYPTO)
        needs = [
            self.merchants,
            self.wallets,
            self.companies,
            self.utilities,
            self.landlords,
            self.employees,
            self.cash,
            self.cash,
            self.senders,
            self.traders,
            self.crypto,
        ]
        shares = np.where([len(p) > 0 for p in needs], SHARES, 0.0)
        self.calendar = cal.Calendar(RHYTHMS, shares / shares.sum())
        self.narratives = Narratives(KINDS)
        self.language = np.array(
            [LANGUAGES.index(_LANGUAGE_OF.get(c.language, "en")) for c in COUNTRIES]
        )
        rates = np.array([UNITS_PER_USD[c] for c in CURRENCIES])
        self.rate = rates
        self.nice_cents = np.array([_nice_units(r) * 100 for r in rates])
        self.min_cents = np.array(
            [100.0 if c in WHOLE_UNIT_CURRENCIES else 1.0 for c in CURRENCIES]
        )
        self._handlers: list[Callable[[np.random.Generator, int], tuple]] = [
            self._card,
            self._p2p,
            self._b2b,
            self._bill,
            self._rent,
            self._salary,
            self._cash_in,
            self._cash_out,
            self._remittance,
            self._international,
            self._crypto,
        ]
        self._cached: tuple[int, Block] | None = None

    @property
    def n_blocks(self) -> int:
        return -(-self.n_rows // BLOCK_ROWS)

    # -- one handler per kind: (from, to, usd, channel, rounding step in "nice" units) ------

    def _card(self, rng: np.random.Generator, n: int) -> tuple:
        frm = self.spenders.sample(rng, n)
        to = self.merchants.sample_in(rng, self.country[frm])
        return frm, to, rng.lognormal(np.log(18.0), 0.9, n), CARD, 0.0

    def _other(
        self,
        pool: Pool,
        rng: np.random.Generator,
        frm: np.ndarray,
        countries: np.ndarray | None = None,
    ) -> np.ndarray:
        """A counterpart from ``pool`` (in ``countries`` if given) that is never ``frm`` itself."""
        n = len(frm)
        to = pool.sample(rng, n) if countries is None else pool.sample_in(rng, countries)
        for _ in range(3):
            same = np.flatnonzero(to == frm)
            if len(same) == 0:
                return to
            to[same] = (
                pool.sample(rng, len(same))
                if countries is None
                else pool.sample_in(rng, countries[same])
            )
        return np.where(to == frm, (frm + 1) % len(self.country), to)

    def _p2p(self, rng: np.random.Generator, n: int) -> tuple:
        frm = self.wallets.sample(rng, n)
        to = self._other(self.wallets, rng, frm, self.country[frm])
        usd = rng.lognormal(np.log(20.0), 1.0, n)
        return frm, to, usd, MOBILE, np.where(rng.random(n) < 0.6, 1.0, 0.0)

    def _b2b(self, rng: np.random.Generator, n: int) -> tuple:
        frm = self.companies.sample(rng, n)
        to = self._other(self.companies, rng, frm, self.country[frm])
        usd = np.minimum(300.0 * (rng.pareto(1.3, n) + 1.0), 3_000_000.0)
        channel = rng.choice([WIRE, ACH, CHECK], n, p=[0.5, 0.38, 0.12])
        return frm, to, usd, channel, 0.0

    def _bill(self, rng: np.random.Generator, n: int) -> tuple:
        frm = self.spenders.sample(rng, n)
        to = self.utilities.sample_in(rng, self.country[frm])
        channel = rng.choice([ACH, MOBILE, CARD, CHECK], n, p=[0.55, 0.3, 0.1, 0.05])
        return frm, to, rng.lognormal(np.log(40.0), 0.6, n), channel, 0.0

    def _rent(self, rng: np.random.Generator, n: int) -> tuple:
        frm = self.spenders.sample(rng, n)
        to = self._other(self.landlords, rng, frm, self.country[frm])
        usd = rng.lognormal(np.log(280.0), 0.5, n)
        return frm, to, usd, rng.choice([ACH, WIRE, MOBILE], n, p=[0.5, 0.3, 0.2]), 1.0

    def _salary(self, rng: np.random.Generator, n: int) -> tuple:
        to = self.employees.sample(rng, n)
        frm = self.employer[to]
        usd = self.salary[to] * (1.0 + rng.normal(0.0, 0.01, n).clip(-0.05, 0.05))
        return frm, to, usd, rng.choice([ACH, WIRE], n, p=[0.7, 0.3]), 1.0

    def _cash_in(self, rng: np.random.Generator, n: int) -> tuple:
        to = self.cash.sample(rng, n)
        usd = rng.lognormal(np.log(150.0), 1.1, n)
        return np.full(n, -1), to, usd, CASH, 10.0

    def _cash_out(self, rng: np.random.Generator, n: int) -> tuple:
        frm = self.cash.sample(rng, n)
        return frm, np.full(n, -1), rng.lognormal(np.log(60.0), 0.8, n), CASH, 10.0

    def _remittance(self, rng: np.random.Generator, n: int) -> tuple:
        frm = self.senders.sample(rng, n)
        usd = rng.lognormal(np.log(250.0), 0.6, n)
        return frm, self.partner[frm], usd, REMIT, 5.0

    def _international(self, rng: np.random.Generator, n: int) -> tuple:
        frm = self.traders.sample(rng, n)
        to = self.traders.sample(rng, n)
        domestic = np.flatnonzero(self.country[to] == self.country[frm])
        to[domestic] = self.traders.sample(rng, len(domestic))
        same = np.flatnonzero(to == frm)
        to[same] = self._other(self.traders, rng, frm[same])
        return frm, to, rng.lognormal(np.log(15_000.0), 1.2, n), WIRE, 0.0

    def _crypto(self, rng: np.random.Generator, n: int) -> tuple:
        person = self.spenders.sample(rng, n)
        wallet = self.crypto.sample(rng, n)
        buying = rng.random(n) < 0.6
        frm = np.where(buying, person, wallet)
        to = np.where(buying, wallet, person)
        return frm, to, rng.lognormal(np.log(200.0), 1.2, n), CRYPTO_CH, 0.0

    # -- blocks ---------------------------------------------------------------------------

    def to_cents(self, usd: np.ndarray, currency: np.ndarray, step: np.ndarray) -> np.ndarray:
        """US dollars to minor units of ``currency``, rounded to ``step`` nice units (0: cents)."""
        step_cents = np.where(step > 0, step * self.nice_cents[currency], 1.0)
        step_cents = np.maximum(step_cents, self.min_cents[currency])
        local = usd * self.rate[currency] * 100.0
        return (np.maximum(np.round(local / step_cents), 1.0) * step_cents).astype(np.int64)

    def block(self, b: int) -> Block:
        """Block ``b``: rows [b * BLOCK_ROWS, min((b + 1) * BLOCK_ROWS, n_rows))."""
        if self._cached and self._cached[0] == b:
            return self._cached[1]
        rng = stream(self.seed, "behaviour", b)
        start = b * BLOCK_ROWS
        n = min(BLOCK_ROWS, self.n_rows - start)
        quantiles = (np.arange(start, start + n) + rng.random(n)) / self.n_rows
        ts, hour = self.calendar.times(quantiles)
        kind = self.calendar.kinds(hour, rng.random(n))
        frm, to = np.full(n, -1), np.full(n, -1)
        usd, step = np.zeros(n), np.zeros(n)
        channel = np.zeros(n, dtype=np.int64)
        for k, handler in enumerate(self._handlers):
            rows = np.flatnonzero(kind == k)
            if len(rows):
                f, t, u, c, s = handler(rng, len(rows))
                frm[rows], to[rows], usd[rows], channel[rows], step[rows] = f, t, u, c, s
        payer = np.where(frm >= 0, frm, to)
        currency = self.currency[payer]
        cents = self.to_cents(usd, currency, step)
        template = self.narratives.draw(rng, kind, self.language[self.country[payer]])
        number = np.where(
            kind == KINDS.index("card"), rng.integers(1000, 99999, n), rng.integers(100, 999_999, n)
        )
        block = Block(ts, frm, to, cents, currency, channel, template, number)
        self._cached = (b, block)
        return block

    def rows(self, start: int, stop: int) -> Block:
        """Rows [start, stop) of the ordinary traffic, from whichever blocks hold them."""
        first, last = start // BLOCK_ROWS, (stop - 1) // BLOCK_ROWS
        parts = []
        for b in range(first, last + 1):
            lo = max(start - b * BLOCK_ROWS, 0)
            hi = min(stop - b * BLOCK_ROWS, BLOCK_ROWS)
            parts.append(self.block(b).slice(lo, hi))
        return parts[0] if len(parts) == 1 else Block.concat(parts)
