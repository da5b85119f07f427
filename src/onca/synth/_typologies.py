"""The money of a trafficking network, as AMLSim-style typologies (one function per typology).

Per consignment: poachers paid small sums by collectors (``poacher_payment``), collectors paid
by a middleman (``collector_payment``), the buyer's company paying a front company which passes
most of it on within 48 hours (``rapid_pass_through``), couriers paid (``courier_payment``).
Across the network's life: ``fan_out`` (one account paying >= 10 rural payees in days),
``fan_in`` (money mules remitting to one account), ``structuring`` (cash deposits in
[0.82, 1) x the local reporting threshold), ``cycle`` (money round-tripping to the account it
left), ``scatter_gather``, ``gather_scatter``, ``cash_then_wire`` (a cash deposit wired abroad
within hours), ``crypto`` and ``official_payment``.
"""

from __future__ import annotations

import numpy as np

from onca.synth._behaviour import ACH, CASH, CRYPTO_CH, MOBILE, REMIT, WIRE
from onca.synth._ledger import Ledger
from onca.synth._networks import Consignment, Network
from onca.synth._places import CASH_THRESHOLDS
from onca.synth._wildlife import INNOCUOUS

DAY = 86_400
HOUR = 3_600


class NetworkMoney:
    """Writes the payments of one network into a ledger."""

    def __init__(self, ledger: Ledger, rng: np.random.Generator, net: Network) -> None:
        self.ledger, self.rng, self.net = ledger, rng, net
        self.typology = ""
        self.episode_id = ""

    # -- helpers ---------------------------------------------------------------------------

    def _start(self, typology: str) -> None:
        self.typology = typology
        self.episode_id = self.ledger.episode(self.net.id)

    def _pick(self, role: str) -> dict[str, int]:
        members = self.net.having(role)
        return members[int(self.rng.integers(0, len(members)))].accounts

    def _narrative(self, account: int, leak: float = 0.07) -> str:
        rng = self.rng
        if rng.random() < leak:
            word = self.net.line.keywords[int(rng.integers(0, len(self.net.line.keywords)))]
            return word if rng.random() < 0.5 else f"{word} {int(rng.integers(2, 40))}"
        words = INNOCUOUS.get(self.ledger.language_of(account), INNOCUOUS["en"])
        if rng.random() < 0.15:
            return ""
        return words[int(rng.integers(0, len(words)))]

    def _pay(
        self,
        ts: float,
        frm: int,
        to: int,
        channel: int,
        *,
        usd: float | None = None,
        cents: int | None = None,
        narrative: str | None = None,
    ) -> int:
        text = self._narrative(frm if frm >= 0 else to) if narrative is None else narrative
        return self.ledger.pay(
            int(ts),
            frm,
            to,
            channel=channel,
            narrative=text,
            network=self.net.id,
            typology=self.typology,
            episode=self.episode_id,
            usd=usd,
            cents=cents,
        )

    def _usd(self, lo: float, hi: float) -> float:
        """A log-uniform amount in [lo, hi) US dollars."""
        return float(np.exp(self.rng.uniform(np.log(lo), np.log(hi))))

    def _daytime(self, ts: float) -> float:
        """``ts`` moved to a working hour (13:00 to 23:00 UTC, morning to evening locally)."""
        day = int(ts) // DAY * DAY
        return day + int(self.rng.integers(13 * HOUR, 23 * HOUR))

    # -- per consignment ------------------------------------------------------------------

    def poacher_payment(self, c: Consignment) -> None:
        self._start("poacher_payment")
        collector = self._pick("collector")
        poachers = self.net.having("poacher")
        n = min(len(poachers), int(self.rng.integers(3, 9)))
        for i in self.rng.choice(len(poachers), n, replace=False):
            when = self._daytime(c.ts - self.rng.uniform(2, 25) * DAY)
            self._pay(
                when,
                collector["wallet"],
                poachers[i].accounts["wallet"],
                MOBILE,
                usd=self._usd(25, 300),
            )

    def collector_payment(self, c: Consignment) -> None:
        self._start("collector_payment")
        middleman = self._pick("middleman")
        for collector in (m.accounts for m in self.net.having("collector")):
            when = self._daytime(c.ts - self.rng.uniform(1, 10) * DAY)
            channel = int(self.rng.choice([ACH, WIRE, MOBILE]))
            self._pay(
                when,
                middleman["main"],
                collector["main"] if channel != MOBILE else collector["wallet"],
                channel,
                usd=self._usd(300, 3_000),
            )

    def rapid_pass_through(self, c: Consignment) -> None:
        """Buyer pays the front company; within 2 to 40 hours 85-97% of it moves on."""
        self._start("rapid_pass_through")
        buyer = next(m for m in self.net.having("buyer") if "usd" in m.accounts).accounts
        front = next(
            m for m in self.net.having("front_company") if m.country == self.net.origin
        ).accounts
        value = c.quantity * c.goods.usd_per_unit * self.rng.uniform(0.25, 0.5)
        usd = float(np.clip(value, 8_000, 400_000))
        arrive = self._daytime(c.ts + self.rng.uniform(5, 30) * DAY)
        number = int(self.rng.integers(100, 9_999))
        self._pay(
            arrive,
            buyer["usd"],
            front["usd"],
            WIRE,
            usd=usd,
            narrative=f"invoice {number}" if self.rng.random() < 0.5 else None,
        )
        onward = usd * self.rng.uniform(0.85, 0.97)
        targets = [self._pick("financier")["usd"], self._pick("middleman")["usd"]]
        targets += [
            m.accounts["usd"]
            for m in self.net.having("front_company")
            if m.country != self.net.origin
        ]
        k = int(self.rng.integers(1, len(targets) + 1))
        shares = self.rng.dirichlet(np.ones(k))
        for target, share in zip(self.rng.choice(targets, k, replace=False), shares, strict=True):
            later = arrive + self.rng.uniform(2, 40) * HOUR
            self._pay(later, front["usd"], int(target), WIRE, usd=onward * share)

    def courier_payment(self, c: Consignment) -> None:
        self._start("courier_payment")
        courier = self._pick("courier")
        when = self._daytime(c.ts - self.rng.uniform(0, 3) * DAY)
        self._pay(
            when,
            self._pick("financier")["main"],
            courier["main"],
            int(self.rng.choice([MOBILE, ACH])),
            usd=self._usd(200, 1_500),
        )

    # -- across the network's life ---------------------------------------------------------

    def fan_out(self, ts: float) -> None:
        """One middleman wallet pays 10 or more rural payees within three days."""
        self._start("fan_out")
        payees = [
            m.accounts["wallet"] for m in self.net.members if m.role in ("poacher", "collector")
        ]
        n = min(len(payees), 10 + int(self.rng.integers(0, 10)))
        source = self._pick("middleman")["wallet"]
        for i in self.rng.choice(len(payees), n, replace=False):
            when = self._daytime(ts + self.rng.uniform(0, 3) * DAY)
            self._pay(when, source, payees[i], MOBILE, usd=self._usd(40, 400))

    def fan_in(self, ts: float) -> None:
        """Six or more money mules remit to one middleman within a week."""
        self._start("fan_in")
        mules = self.net.having("money_mule")
        target = self._pick("middleman")["remit"]
        n = min(len(mules), 6 + int(self.rng.integers(0, 6)))
        for i in self.rng.choice(len(mules), n, replace=False):
            when = self._daytime(ts + self.rng.uniform(0, 7) * DAY)
            self._pay(when, mules[i].accounts["remit"], target, REMIT, usd=self._usd(800, 3_000))

    def structuring(self, ts: float) -> None:
        """Three to eight cash deposits just under the reporting threshold, over a few days."""
        self._start("structuring")
        who = self._pick(str(self.rng.choice(["middleman", "financier"])))
        account = who.get("alt", who["main"]) if self.rng.random() < 0.5 else who["main"]
        threshold = CASH_THRESHOLDS[self.ledger.currency_of(account)]
        step = 10 ** max(0, int(np.log10(threshold)) - 3)  # round to a tenth of a mille
        for _ in range(int(self.rng.integers(3, 9))):
            amount = np.floor(threshold * self.rng.uniform(0.82, 0.995) / step) * step
            when = self._daytime(ts + self.rng.uniform(0, 6) * DAY)
            self._pay(
                when,
                -1,
                account,
                CASH,
                cents=int(amount * 100),
                narrative="" if self.rng.random() < 0.5 else "depósito",
            )

    def cycle(self, ts: float) -> None:
        """Money leaves the financier, passes 2 to 4 accounts and comes back to the same one."""
        self._start("cycle")
        origin = self._pick("financier")["usd"]
        hops = [
            m.accounts["usd"]
            for m in self.net.members
            if m.role in ("front_company", "forwarder") and "usd" in m.accounts
        ]
        path = [int(a) for a in self.rng.permutation(hops)[: int(self.rng.integers(2, 5))]]
        usd = self._usd(20_000, 150_000)
        when = float(ts)
        for frm, to in zip([origin, *path], [*path, origin], strict=True):
            when = self._daytime(when + self.rng.uniform(1, 4) * DAY)
            self._pay(when, frm, to, WIRE, usd=usd)
            usd *= self.rng.uniform(0.97, 0.995)

    def scatter_gather(self, ts: float) -> None:
        """The financier splits a sum over 3-6 intermediaries, who all pay one offshore account."""
        self._start("scatter_gather")
        source = self._pick("financier")["usd"]
        target = next(
            m for m in self.net.having("front_company") if m.country != self.net.origin
        ).accounts["usd"]
        middle = [
            m.accounts["main"]
            for m in self.net.members
            if m.role in ("courier", "money_mule", "collector")
        ]
        for i in self.rng.choice(
            len(middle), min(len(middle), int(self.rng.integers(3, 7))), replace=False
        ):
            usd = self._usd(3_000, 9_000)
            when = self._daytime(ts + self.rng.uniform(0, 2) * DAY)
            self._pay(when, source, middle[i], WIRE, usd=usd)
            self._pay(
                when + self.rng.uniform(1, 72) * HOUR,
                middle[i],
                target,
                WIRE,
                usd=usd * self.rng.uniform(0.95, 0.99),
            )

    def gather_scatter(self, ts: float) -> None:
        """3-6 mules pay one middleman, who then pays 3-6 people on the ground."""
        self._start("gather_scatter")
        hub = self._pick("middleman")["main"]
        mules = self.net.having("money_mule")
        total = 0.0
        for i in self.rng.choice(
            len(mules), min(len(mules), int(self.rng.integers(3, 7))), replace=False
        ):
            usd = self._usd(1_000, 5_000)
            total += usd
            self._pay(
                self._daytime(ts + self.rng.uniform(0, 2) * DAY),
                mules[i].accounts["main"],
                hub,
                WIRE,
                usd=usd,
            )
        ground = [
            m.accounts["main"] for m in self.net.members if m.role in ("collector", "courier")
        ]
        ground += [m.accounts["wallet"] for m in self.net.members if m.role == "official"]
        ground += [m.accounts["wallet"] for m in self.net.having("poacher")[:4]]
        n = min(len(ground), int(self.rng.integers(3, 7)))
        for i, share in zip(
            self.rng.choice(len(ground), n, replace=False),
            self.rng.dirichlet(np.ones(n)),
            strict=True,
        ):
            self._pay(
                self._daytime(ts + self.rng.uniform(3, 6) * DAY),
                hub,
                ground[i],
                WIRE,
                usd=total * 0.9 * share,
            )

    def cash_then_wire(self, ts: float) -> None:
        """Cash deposited, then at least 80% of it wired to another country within hours."""
        self._start("cash_then_wire")
        if self.rng.random() < 0.5:
            account = self._pick("money_mule")["main"]
            target = next(
                m for m in self.net.having("front_company") if m.country == self.net.origin
            ).accounts["usd"]
        else:
            account = self._pick("middleman")["usd"]
            target = next(
                m for m in self.net.having("front_company") if m.country != self.net.origin
            ).accounts["usd"]
        usd = self._usd(3_000, 9_500)
        when = self._daytime(ts)
        cents = self._pay(when, -1, account, CASH, usd=usd, narrative="")
        usd_sent = usd * self.rng.uniform(0.8, 0.98)
        later = when + self.rng.uniform(1, 10) * HOUR
        self._pay(later, account, target, WIRE, cents=int(cents * usd_sent / usd))

    def crypto(self, ts: float) -> None:
        """The buyer pays the financier in a stablecoin, which is then cashed out."""
        self._start("crypto")
        buyer = next(m for m in self.net.having("buyer") if "crypto" in m.accounts).accounts
        financier = self._pick("financier")
        total = 0.0
        for _ in range(int(self.rng.integers(2, 6))):
            usd = self._usd(2_000, 20_000)
            total += usd
            self._pay(
                self._daytime(ts + self.rng.uniform(0, 5) * DAY),
                buyer["crypto"],
                financier["crypto"],
                CRYPTO_CH,
                usd=usd,
                narrative="USDT",
            )
        self._pay(
            self._daytime(ts + self.rng.uniform(6, 9) * DAY),
            financier["crypto"],
            financier["main"],
            CRYPTO_CH,
            usd=total * 0.97,
            narrative="",
        )

    def official_payment(self, ts: float) -> None:
        """An official receives unexplained money: by mobile from a middleman, or in cash."""
        self._start("official_payment")
        official = self._pick("official")
        when = self._daytime(ts)
        if self.rng.random() < 0.6:
            self._pay(
                when,
                self._pick("middleman")["wallet"],
                official["wallet"],
                MOBILE,
                usd=self._usd(100, 800),
            )
        else:
            self._pay(when, -1, official["main"], CASH, usd=self._usd(500, 2_500), narrative="")


def write_network_money(ledger: Ledger, rng: np.random.Generator, net: Network) -> None:
    """All payments of ``net``, scaled to its number of consignments."""
    money = NetworkMoney(ledger, rng, net)
    k = len(net.consignments)
    for c in net.consignments:
        money.poacher_payment(c)
        money.collector_payment(c)
        money.rapid_pass_through(c)
        if c.mode in ("air", "post") and rng.random() < 0.6:
            money.courier_payment(c)

    def times(n: int) -> list[float]:
        return sorted(float(t) for t in rng.uniform(net.start, net.end, n))

    plan = [
        (money.fan_out, 1 + k // 6),
        (money.fan_in, 1 + k // 8),
        (money.structuring, 1 + k // 5),
        (money.cycle, 1 + k // 8),
        (money.cash_then_wire, 1 + k // 4),
        (money.crypto, 1 + k // 6),
        (money.scatter_gather, 1 if k >= 3 else 0),
        (money.gather_scatter, 1 if k >= 4 else 0),
        (money.official_payment, (k // 2 + 1) if net.having("official") else 0),
    ]
    for typology, count in plan:
        for ts in times(count):
            typology(ts)
