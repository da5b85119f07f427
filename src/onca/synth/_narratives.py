"""Payment narratives (the memo a customer or bank writes), by kind of payment and language.

Each template is (text, weight, numbered): a numbered one gets an invoice, contract or terminal
number appended. A few ordinary narratives mention a business called after an animal (a
restaurant "El Jaguar", a pet shop "Los Loros"): keyword screening must cope with them.
No template contains a comma, a quote or a line break, so narratives never need CSV quoting.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from onca.synth._text import concat, integers, pick, when

Template = tuple[str, float, bool]

# Data tables, one row per line so they read as tables (the formatter would break rows apart).
# fmt: off
ORDINARY: dict[str, dict[str, list[Template]]] = {
    "card": {
        "es": [("COMPRA POS", 5, True), ("compra con tarjeta", 3, False), ("POS SUPERMERCADO", 3, True),
               ("farmacia", 1, False), ("COMPRA TARJETA DEBITO", 3, True), ("combustible", 1, False),
               ("restaurante", 1, False), ("POS REST EL JAGUAR", 0.08, True),
               ("POS MASCOTAS LOS LOROS", 0.05, True)],
        "pt": [("COMPRA CARTAO DEBITO", 4, True), ("compra no cartão", 3, False),
               ("pagamento cartão", 2, False), ("POSTO COMBUSTIVEL", 1, True), ("mercado", 2, False),
               ("PADARIA", 1, True), ("ONCA PINTADA BAR", 0.06, True)],
        "en": [("POS PURCHASE", 5, True), ("card purchase", 3, False), ("GROCERY", 2, True),
               ("GAS STATION", 1, True), ("PHARMACY", 1, True), ("JAGUAR AUTO SERVICE", 0.05, True)],
        "zh": [("刷卡消费", 4, False), ("POS消费", 3, True), ("超市购物", 2, False)],
        "vi": [("thanh toan the", 4, True), ("mua hang POS", 3, True)],
        "nl": [("BETAALAUTOMAAT", 4, True), ("pinbetaling", 3, False), ("supermarkt", 2, False)],
        "de": [("KARTENZAHLUNG", 4, True), ("EC-Kartenzahlung", 3, False)],
    },
    "p2p": {
        "es": [("", 4, False), ("pasaje", 2, False), ("almuerzo", 2, False), ("préstamo", 1, False),
               ("te devuelvo", 2, False), ("cuota", 1, False), ("gracias", 1, False),
               ("pago deuda", 1, False), ("para el gas", 0.5, False)],
        "pt": [("", 3, False), ("pix", 4, False), ("almoço", 1, False), ("empréstimo", 1, False),
               ("te devolvendo", 1, False), ("aluguel parte", 0.5, False)],
        "en": [("", 3, False), ("dinner", 1, False), ("thanks", 1, False), ("rent share", 1, False),
               ("loan", 0.5, False)],
        "zh": [("", 3, False), ("转账", 3, False), ("还款", 1, False)],
        "vi": [("", 3, False), ("chuyen tien", 3, False), ("tra no", 1, False)],
        "nl": [("", 3, False), ("terugbetaling", 1, False), ("tikkie", 2, False)],
        "de": [("", 3, False), ("Rückzahlung", 1, False)],
    },
    "b2b": {
        "es": [("pago factura", 6, True), ("PAGO FACT", 3, True), ("anticipo pedido", 2, True),
               ("cancelación factura", 2, True), ("pago a proveedor", 2, False),
               ("servicios de transporte", 1, False), ("alquiler de maquinaria", 0.5, False)],
        "pt": [("pagamento NF", 6, True), ("PGTO NF", 3, True), ("pagamento fornecedor", 2, False),
               ("adiantamento pedido", 1, True), ("frete", 1, True)],
        "en": [("invoice", 6, True), ("INV", 3, True), ("payment for services", 2, False),
               ("PO", 2, True)],
        "zh": [("货款", 4, False), ("发票", 3, True), ("服务费", 1, False)],
        "vi": [("thanh toan hoa don", 4, True), ("tien hang", 2, False)],
        "nl": [("factuur", 5, True), ("betaling leverancier", 2, False)],
        "de": [("Rechnung", 5, True), ("RE-NR", 2, True)],
    },
    "bill": {
        "es": [("servicio de luz", 3, True), ("pago agua", 2, True), ("internet hogar", 2, True),
               ("plan celular", 2, True), ("CUOTA COLEGIO", 1, False)],
        "pt": [("conta de luz", 3, True), ("conta de água", 2, True), ("internet", 2, True),
               ("boleto", 3, True)],
        "en": [("electric bill", 3, True), ("water bill", 2, True), ("phone bill", 2, True)],
        "zh": [("电费", 2, False), ("水费", 1, False), ("话费", 1, False)],
        "vi": [("tien dien", 2, True), ("tien nuoc", 1, True)],
        "nl": [("energierekening", 2, True), ("telefoon", 1, True)],
        "de": [("Stromrechnung", 2, True), ("Handyvertrag", 1, True)],
    },
    "rent": {
        "es": [("alquiler", 5, False), ("ALQUILER DEPTO", 2, False), ("anticrético cuota", 0.5, False)],
        "pt": [("aluguel", 5, False), ("ALUGUEL APTO", 2, False), ("condomínio", 1, False)],
        "en": [("rent", 5, False), ("RENT APT", 2, True)],
        "zh": [("房租", 3, False)], "vi": [("tien nha", 3, False)], "nl": [("huur", 3, False)],
        "de": [("Miete", 3, False)],
    },
    "salary": {
        "es": [("salario", 4, False), ("sueldo", 4, False), ("PLANILLA SUELDOS", 2, False),
               ("haberes", 1, False), ("quincena", 1, False), ("pago nómina", 1, False)],
        "pt": [("salário", 5, False), ("FOLHA DE PAGAMENTO", 2, False), ("pagamento salário", 2, False)],
        "en": [("payroll", 5, False), ("SALARY", 3, False), ("direct deposit payroll", 2, False)],
        "zh": [("工资", 5, False), ("代发工资", 2, False)], "vi": [("luong", 4, False)],
        "nl": [("salaris", 4, False)], "de": [("Gehalt", 4, False), ("Lohn", 2, False)],
    },
    "cash_in": {
        "es": [("depósito en efectivo", 4, False), ("DEP EFECTIVO VENTANILLA", 2, False), ("", 3, False)],
        "pt": [("depósito em dinheiro", 4, False), ("DEP DINHEIRO", 2, False), ("", 3, False)],
        "en": [("cash deposit", 4, False), ("", 3, False)],
        "zh": [("现金存款", 4, False)], "vi": [("nop tien mat", 4, False)],
        "nl": [("storting contant", 4, False)], "de": [("Bareinzahlung", 4, False)],
    },
    "cash_out": {
        "es": [("retiro ATM", 5, True), ("RETIRO CAJERO", 3, True), ("retiro ventanilla", 1, False)],
        "pt": [("saque", 5, True), ("SAQUE 24H", 3, True)],
        "en": [("ATM withdrawal", 5, True), ("cash withdrawal", 2, False)],
        "zh": [("ATM取款", 4, True)], "vi": [("rut tien ATM", 4, True)],
        "nl": [("geldopname", 4, True)], "de": [("Geldautomat", 4, True)],
    },
    "remittance": {
        "es": [("envío familia", 4, False), ("ayuda mamá", 2, False), ("remesa", 3, False),
               ("para los niños", 1, False), ("gastos casa", 1, False)],
        "pt": [("ajuda família", 3, False), ("remessa", 3, False)],
        "en": [("family support", 4, False), ("remittance", 3, False)],
        "zh": [("家用", 3, False)], "vi": [("gui gia dinh", 3, False)],
        "nl": [("familie", 3, False)], "de": [("Familie", 3, False)],
    },
    "international": {
        "es": [("pago importación", 3, True), ("PROFORMA", 2, True), ("pago al exterior", 2, False)],
        "pt": [("pagamento importação", 3, True), ("INVOICE", 2, True)],
        "en": [("invoice", 4, True), ("purchase order", 2, True), ("trade settlement", 1, False)],
        "zh": [("货款", 4, False), ("进口货款", 2, True)], "vi": [("thanh toan nhap khau", 3, True)],
        "nl": [("factuur", 3, True)], "de": [("Rechnung", 3, True)],
    },
    "crypto": {
        "es": [("compra USDT", 3, False), ("P2P USDT", 2, False), ("", 2, False)],
        "pt": [("compra USDT", 3, False), ("cripto", 2, False), ("", 2, False)],
        "en": [("USDT purchase", 3, False), ("BTC", 2, False), ("", 2, False)],
    },
}
# fmt: on

LANGUAGES: tuple[str, ...] = ("es", "pt", "en", "zh", "vi", "nl", "de")


class Narratives:
    """Templates flattened into arrays for vectorised drawing by (kind of payment, language)."""

    def __init__(self, kinds: tuple[str, ...]) -> None:
        texts: list[str] = []
        numbered: list[bool] = []
        weights: list[float] = []
        self.lo = np.zeros((len(kinds), len(LANGUAGES)))
        self.hi = np.zeros((len(kinds), len(LANGUAGES)))
        for k, kind in enumerate(kinds):
            by_lang = ORDINARY[kind]
            for j, lang in enumerate(LANGUAGES):
                templates = by_lang.get(lang) or by_lang["en"]
                self.lo[k, j] = sum(weights)
                for text, weight, has_number in templates:
                    texts.append(text)
                    weights.append(weight)
                    numbered.append(has_number)
                self.hi[k, j] = sum(weights)
        self.texts = pa.array(texts, pa.large_string())
        self.numbered = np.array(numbered)
        self.cum = np.cumsum(weights)

    def draw(self, rng: np.random.Generator, kind: np.ndarray, language: np.ndarray) -> np.ndarray:
        """Template index for each row."""
        lo, hi = self.lo[kind, language], self.hi[kind, language]
        u = lo + rng.random(len(kind)) * (hi - lo)
        return np.minimum(np.searchsorted(self.cum, u, side="right"), len(self.cum) - 1)

    def render(self, template: np.ndarray, number: np.ndarray) -> pa.Array:
        """Narrative text: the template, and its number where it takes one."""
        text = pick(self.texts, template)
        with_number = concat(text, " ", integers(number))
        return when(self.numbered[template], with_number, text)


def is_csv_safe(text: str) -> bool:
    """True when ``text`` can be written to CSV unquoted."""
    return not any(ch in text for ch in ',"\r\n')
