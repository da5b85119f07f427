"""Countries of the scenario: currencies, phone and ID formats, cities, banks, thresholds.

Everything here is illustrative reference data for a synthetic world. Banks, wallets and
exchanges are fictional; cities, coordinates and calling codes are real. In the patterns,
``#`` is a random digit and ``@`` a random capital letter; anything else is kept as written.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Country:
    """One country of the scenario.

    ``weight`` is its share of bank customers; ``cultures`` weighs the naming traditions of
    its residents (keys of ``onca.synth._names.CULTURES``); ``language`` is the language of
    payment narratives; ``dial`` the calling code without '+'; ``mobile`` the pattern of a
    local mobile number; ``person_id``/``company_id`` the patterns of ID numbers.
    """

    code: str
    currency: str
    weight: float
    cultures: tuple[tuple[str, float], ...]
    language: str
    dial: str
    mobile: str
    person_id: str
    company_id: str
    legal_forms: tuple[str, ...]
    cities: tuple[City, ...]
    banks: tuple[str, ...]
    wallet: str


def _c(*cities: tuple[str, float, float]) -> tuple[City, ...]:
    return tuple(City(*c) for c in cities)


_LATAM = (("es", 0.95), ("zh", 0.03), ("en", 0.02))

# Data tables, one row per line so they read as tables (the formatter would break rows apart).
# fmt: off
COUNTRIES: tuple[Country, ...] = (
    Country("BO", "BOB", 10, (("es", 0.93), ("zh", 0.05), ("pt", 0.02)), "es", "591", "7#######",
            "#######", "##########", ("S.R.L.", "S.A.", "Ltda."),
            _c(("Santa Cruz de la Sierra", -17.78, -63.18), ("La Paz", -16.50, -68.15),
               ("Cochabamba", -17.39, -66.16), ("Trinidad", -14.83, -64.90),
               ("Riberalta", -11.01, -66.07), ("Rurrenabaque", -14.44, -67.53)),
            ("Banco Andino de Crédito", "Banco Illimani", "Cooperativa San Roque del Oriente"),
            "Billetera Illimani"),
    Country("PE", "PEN", 10, (("es", 0.94), ("zh", 0.05), ("en", 0.01)), "es", "51", "9########",
            "########", "20#########", ("S.A.C.", "E.I.R.L.", "S.R.L.", "S.A."),
            _c(("Lima", -12.05, -77.04), ("Iquitos", -3.75, -73.25),
               ("Puerto Maldonado", -12.59, -69.18), ("Pucallpa", -8.38, -74.55),
               ("Arequipa", -16.41, -71.54)),
            ("Banco Interandino", "Banco del Altiplano", "Caja Municipal Amazonas"),
            "Monedero Andino"),
    Country("BR", "BRL", 14, (("pt", 0.96), ("zh", 0.02), ("es", 0.02)), "pt", "55",
            "9# 9####-####", "###.###.###-##", "##.###.###/0001-##",
            ("Ltda.", "S.A.", "ME", "EIRELI"),
            _c(("São Paulo", -23.55, -46.63), ("Manaus", -3.12, -60.02), ("Belém", -1.46, -48.50),
               ("Cuiabá", -15.60, -56.10), ("Corumbá", -19.01, -57.65), ("Santos", -23.96, -46.33)),
            ("Banco Atlântico Sul", "Banco do Cerrado", "Cooperativa Pantanal de Crédito"),
            "CarteiraJá"),
    Country("SR", "SRD", 2, (("nl_sr", 0.85), ("zh", 0.1), ("pt", 0.05)), "nl", "597", "8######",
            "FB######", "#####", ("N.V.", "B.V."),
            _c(("Paramaribo", 5.85, -55.20), ("Nieuw Nickerie", 5.93, -56.99),
               ("Albina", 5.50, -54.05)),
            ("Marowijne Bank", "Commewijne Spaarbank"), "Sranan Mobiel"),
    Country("GY", "GYD", 1.5, (("en", 0.8), ("nl_sr", 0.1), ("zh", 0.1)), "en", "592", "6######",
            "#########", "C#####", ("Inc.", "Ltd."),
            _c(("Georgetown", 6.80, -58.16), ("Lethem", 3.38, -59.80), ("Linden", 6.00, -58.30)),
            ("Essequibo Commercial Bank", "Berbice Trust Bank"), "GuyCash Mobile"),
    Country("MX", "MXN", 12, _LATAM, "es", "52", "6# #### ####",
            "@@@@######@@@@@@##", "@@@######@@#", ("S.A. de C.V.", "S. de R.L. de C.V."),
            _c(("Ciudad de México", 19.43, -99.13), ("Ensenada", 31.87, -116.60),
               ("San Felipe", 31.03, -114.84), ("Mexicali", 32.62, -115.45),
               ("Cancún", 21.16, -86.85), ("Manzanillo", 19.05, -104.32)),
            ("Banco del Pacífico Norte", "Banco Sierra Madre", "Caja Popular Sonorense"),
            "MonederoMX"),
    Country("CO", "COP", 9, _LATAM, "es", "57", "3#########", "##########", "900.###.###-#",
            ("S.A.S.", "Ltda.", "S.A."),
            _c(("Bogotá", 4.71, -74.07), ("Leticia", -4.21, -69.94), ("Cartagena", 10.39, -75.48),
               ("Medellín", 6.24, -75.58)),
            ("Banco Magdalena", "Banco Cafetero del Sur", "Cooperativa Llanera"),
            "Billetera Llanera"),
    Country("EC", "USD", 5, _LATAM, "es", "593", "9########", "##########", "##########001",
            ("S.A.", "Cía. Ltda."),
            _c(("Guayaquil", -2.19, -79.89), ("Quito", -0.18, -78.47), ("Manta", -0.95, -80.73),
               ("Puerto Ayora", -0.74, -90.31)),
            ("Banco Guayas Unido", "Banco de los Andes Ecuatorianos"), "Billetera Pichincha Sur"),
    Country("PY", "PYG", 3.5, _LATAM, "es", "595", "9########", "#######", "80######-#",
            ("S.A.", "S.R.L."),
            _c(("Asunción", -25.26, -57.58), ("Ciudad del Este", -25.51, -54.61),
               ("Pedro Juan Caballero", -22.55, -55.73)),
            ("Banco Guaraní Central", "Financiera del Chaco"), "Billetera Guaraní"),
    Country("AR", "ARS", 6, (("es", 0.95), ("zh", 0.03), ("en", 0.02)), "es", "54",
            "9 11 ####-####", "##.###.###", "30-########-#", ("S.A.", "S.R.L."),
            _c(("Buenos Aires", -34.60, -58.38), ("Puerto Iguazú", -25.60, -54.57),
               ("Salta", -24.79, -65.41)),
            ("Banco del Litoral Sur", "Banco Patagónico"), "Billetera Pampa"),
    Country("GT", "GTQ", 3, _LATAM, "es", "502", "5### ####", "#############", "#######-#",
            ("S.A.",),
            _c(("Ciudad de Guatemala", 14.63, -90.51), ("Flores", 16.93, -89.89),
               ("Puerto Barrios", 15.73, -88.59)),
            ("Banco Maya Occidental", "Banco del Petén"), "Billetera Quetzal"),
    Country("PA", "USD", 3, _LATAM, "es", "507", "6###-####", "8-###-####", "155######-2-20##",
            ("S.A.", "Inc.", "Corp."),
            _c(("Ciudad de Panamá", 8.98, -79.52), ("Colón", 9.36, -79.90)),
            ("Banco Istmo Internacional", "Canal Trust Bank"), "Billetera Istmo"),
    Country("US", "USD", 7, (("en", 0.72), ("es", 0.22), ("zh", 0.04), ("vi", 0.02)), "en", "1",
            "### ###-####", "#########", "##-#######", ("LLC", "Inc.", "Corp."),
            _c(("Miami", 25.76, -80.19), ("Los Angeles", 34.05, -118.24),
               ("San Diego", 32.72, -117.16), ("Houston", 29.76, -95.37),
               ("New York", 40.71, -74.01)),
            ("First Gulf Coast Bank", "Lone Star Community Bank", "Hudson Federal Savings"),
            "PayNow Wallet"),
    Country("CN", "CNY", 3.5, (("zh", 1.0),), "zh", "86", "1## #### ####", "E########",
            "91440###########@", ("Co., Ltd.",),
            _c(("Guangzhou", 23.13, 113.26), ("Shenzhen", 22.54, 114.06),
               ("Kunming", 25.04, 102.71), ("Shanghai", 31.23, 121.47)),
            ("Lingnan Commerce Bank", "Yangtze Agricultural Bank"), "Zhifu Qianbao"),
    Country("HK", "HKD", 1.5, (("zh", 0.95), ("en", 0.05)), "zh", "852", "9### ####", "@#######",
            "########", ("Limited", "Co., Ltd."),
            _c(("Hong Kong", 22.32, 114.17), ("Kowloon", 22.33, 114.19)),
            ("Victoria Harbour Bank", "Kowloon Mercantile Bank"), "HarbourPay"),
    Country("VN", "VND", 1.5, (("vi", 1.0),), "vi", "84", "9# ### ####", "C#######",
            "03########", ("Co., Ltd",),
            _c(("Ho Chi Minh City", 10.82, 106.63), ("Hanoi", 21.03, 105.85),
               ("Hai Phong", 20.84, 106.69)),
            ("Mekong Commercial Joint Stock Bank", "Red River Joint Stock Bank"), "ViVi Pay"),
    Country("ES", "EUR", 2, (("es", 0.97), ("zh", 0.03)), "es", "34", "6## ### ###", "########@",
            "B########", ("S.L.", "S.A."),
            _c(("Madrid", 40.42, -3.70), ("Barcelona", 41.39, 2.17), ("Valencia", 39.47, -0.38)),
            ("Banco de la Meseta", "Caja del Mediterráneo Norte"), "Monedero Ibérico"),
    Country("DE", "EUR", 0.8, (("de", 0.95), ("zh", 0.05)), "de", "49", "15# #######",
            "@@@@#####", "HRB #####", ("GmbH", "AG"),
            _c(("Frankfurt am Main", 50.11, 8.68), ("Hamburg", 53.55, 9.99)),
            ("Rheinische Handelsbank", "Hanse Sparkasse Nord"), "Zahlbar Mobil"),
    Country("NL", "EUR", 0.8, (("nl_sr", 0.9), ("zh", 0.05), ("en", 0.05)), "nl", "31",
            "6 ########", "@@#######", "########", ("B.V.", "N.V."),
            _c(("Amsterdam", 52.37, 4.90), ("Rotterdam", 51.92, 4.48)),
            ("Zuiderzee Bank", "Hollandse Handelsbank"), "Betaal Direct"),
    Country("AE", "AED", 0.6, (("ar", 0.7), ("en", 0.2), ("zh", 0.1)), "en", "971",
            "5# ### ####", "784-####-#######-#", "CN-#######", ("LLC", "FZE", "FZCO"),
            _c(("Dubai", 25.20, 55.27), ("Sharjah", 25.35, 55.42)),
            ("Gulf Crescent Bank", "Creek Trade Bank"), "Souq Wallet"),
)
# fmt: on

BY_CODE: dict[str, Country] = {c.code: c for c in COUNTRIES}
COUNTRY_CODES: tuple[str, ...] = tuple(c.code for c in COUNTRIES)
CURRENCIES: tuple[str, ...] = (
    "USD",
    "BOB",
    "PEN",
    "BRL",
    "SRD",
    "GYD",
    "MXN",
    "COP",
    "PYG",
    "ARS",
    "GTQ",
    "CNY",
    "HKD",
    "VND",
    "EUR",
    "AED",
)

SOURCE_COUNTRIES = ("BO", "PE", "BR", "SR", "GY", "MX", "CO", "EC", "PY", "GT")
"""Countries where wildlife is taken (and where poachers are paid)."""

DIASPORA_COUNTRIES = ("US", "ES", "AR", "BR", "PA")
"""Countries from which migrants send remittances home."""

UNITS_PER_USD: dict[str, float] = {
    "USD": 1.0,
    "BOB": 6.96,
    "PEN": 3.75,
    "BRL": 5.0,
    "SRD": 35.0,
    "GYD": 209.0,
    "MXN": 17.5,
    "COP": 4000.0,
    "PYG": 7300.0,
    "ARS": 850.0,
    "GTQ": 7.8,
    "CNY": 7.2,
    "HKD": 7.8,
    "VND": 24500.0,
    "EUR": 0.92,
    "AED": 3.67,
}
"""Fixed illustrative exchange rates: units of the currency per US dollar."""

MONTHLY_INCOME_USD: dict[str, float] = {
    "BO": 450,
    "PE": 500,
    "BR": 550,
    "SR": 400,
    "GY": 600,
    "MX": 600,
    "CO": 450,
    "EC": 550,
    "PY": 450,
    "AR": 600,
    "GT": 450,
    "PA": 900,
    "US": 4500,
    "CN": 1200,
    "HK": 3000,
    "VN": 400,
    "ES": 2000,
    "DE": 3800,
    "NL": 3600,
    "AE": 3500,
}
"""Illustrative median monthly salary of an employee, in US dollars."""

CASH_THRESHOLDS: dict[str, float] = {
    "USD": 10_000,
    "BOB": 70_000,
    "PEN": 35_000,
    "BRL": 50_000,
    "SRD": 350_000,
    "GYD": 2_000_000,
    "MXN": 150_000,
    "COP": 10_000_000,
    "PYG": 70_000_000,
    "ARS": 9_000_000,
    "GTQ": 75_000,
    "CNY": 50_000,
    "HKD": 120_000,
    "VND": 300_000_000,
    "EUR": 10_000,
    "AED": 55_000,
}
"""Illustrative cash-transaction reporting thresholds, in units of each currency."""

WHOLE_UNIT_CURRENCIES = frozenset({"PYG", "VND", "COP", "GYD"})
"""Currencies whose amounts are written in whole units (still with '.00')."""

REMITTERS = (
    "Envíos Cóndor",
    "RemesaExpress Américas",
    "Golden Dragon Remit",
    "Quetzal Money Transfer",
)
EXCHANGES = ("CriptoAndes", "PampaCoin Exchange", "Orinoco Digital Assets", "HarbourChain HK")
"""Fictional money-transfer services and virtual-asset service providers."""

HUBS = ("PA", "AE", "US", "NL", "HK", "BR", "ES", "DE")
"""Transit hubs for shipments: airports and ports where cargo changes planes or ships."""


def currency_index(code: str) -> int:
    return CURRENCIES.index(code)


def country_index(code: str) -> int:
    return COUNTRY_CODES.index(code)
