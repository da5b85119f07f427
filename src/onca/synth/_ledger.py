"""The ledger of illicit payments: each planned payment with its ground-truth labels.

Amounts are given in US dollars (converted into the paying account's currency) or directly in
minor units of that currency (structuring, which aims just under a local threshold). The
finished ledger is sorted by time and merged into the stream of ordinary transactions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from onca.synth._calendar import PERIOD_END, PERIOD_START
from onca.synth._places import COUNTRIES, CURRENCIES, UNITS_PER_USD, WHOLE_UNIT_CURRENCIES
from onca.synth._population import World


@dataclass
class PaymentArrays:
    """The columns every batch of generated payments has, one entry per payment: ``ts`` seconds
    since the epoch (UTC); ``from_acc``/``to_acc`` account indices (-1: cash or none);
    ``cents`` the amount in minor units of ``currency`` (index into CURRENCIES); ``channel``
    index into CHANNELS."""

    ts: np.ndarray
    from_acc: np.ndarray
    to_acc: np.ndarray
    cents: np.ndarray
    currency: np.ndarray
    channel: np.ndarray


@dataclass
class IllicitRows(PaymentArrays):
    """Illicit transactions as arrays, sorted by ``ts``, with their narrative and the truth
    (network, typology, episode) of each."""

    narrative: list[str]
    network: list[str]
    typology: list[str]
    episode: list[str]

    def __len__(self) -> int:
        return len(self.ts)


class Ledger:
    """Collects illicit payments for all networks."""

    def __init__(self, world: World) -> None:
        acc = world.accounts
        self.account_currency = acc["currency"]
        self.account_country = acc["country"]
        self._rows: list[tuple[int, int, int, int, int, int, str, str, str, str]] = []
        self._episodes: dict[str, int] = {}

    def episode(self, network: str) -> str:
        """A new episode label for ``network`` (one instance of a typology)."""
        n = self._episodes.get(network, 0) + 1
        self._episodes[network] = n
        return f"{network}-{n:03d}"

    def currency_of(self, account: int) -> str:
        return CURRENCIES[int(self.account_currency[account])]

    def language_of(self, account: int) -> str:
        return COUNTRIES[int(self.account_country[account])].language

    def cents_for(self, account: int, usd: float) -> int:
        """``usd`` in minor units of the account's currency (whole units where usual)."""
        code = self.currency_of(account)
        cents = usd * UNITS_PER_USD[code] * 100.0
        if code in WHOLE_UNIT_CURRENCIES:
            return max(100, round(cents / 100.0) * 100)
        return max(1, round(cents))

    def pay(
        self,
        ts: int,
        frm: int,
        to: int,
        *,
        channel: int,
        narrative: str,
        network: str,
        typology: str,
        episode: str,
        usd: float | None = None,
        cents: int | None = None,
    ) -> int:
        """Record one payment (``frm`` or ``to`` may be -1 for cash); returns its cents."""
        if frm < 0 and to < 0:
            raise ValueError("an illicit payment needs at least one account")
        payer = frm if frm >= 0 else to
        if cents is None:
            if usd is None:
                raise ValueError("give usd or cents")
            cents = self.cents_for(payer, usd)
        ts = int(min(max(ts, PERIOD_START), PERIOD_END - 1))
        currency = int(self.account_currency[payer])
        self._rows.append(
            (ts, frm, to, int(cents), currency, channel, narrative, network, typology, episode)
        )
        return int(cents)

    def __len__(self) -> int:
        return len(self._rows)

    def rows(self) -> IllicitRows:
        """Everything recorded, in time order (ties keep the order of recording)."""
        order = sorted(range(len(self._rows)), key=lambda i: (self._rows[i][0], i))
        rows = [self._rows[i] for i in order]

        def ints(k: int) -> np.ndarray:
            return np.array([r[k] for r in rows], dtype=np.int64)

        return IllicitRows(
            ts=ints(0),
            from_acc=ints(1),
            to_acc=ints(2),
            cents=ints(3),
            currency=ints(4),
            channel=ints(5),
            narrative=[r[6] for r in rows],
            network=[r[7] for r in rows],
            typology=[r[8] for r in rows],
            episode=[r[9] for r in rows],
        )
