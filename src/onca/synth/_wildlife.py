"""What is trafficked, from where, to where, and how it is disguised.

A ``ProductLine`` describes one trafficking business: the species and goods, the source
countries, buyers' countries, transit routes, the goods it is declared as when mis-declared,
the legally traded species whose permit it borrows, and the words that sometimes slip into
payment narratives. Values are illustrative street values in US dollars per unit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Goods:
    description: str
    hs_code: str
    unit: str  # contract 'units' code
    usd_per_unit: float
    kg_per_unit: float
    per_shipment: tuple[int, int]  # smallest and largest quantity in one consignment


@dataclass(frozen=True)
class Cover:
    """Goods a consignment is declared as, with HS code and declared value per kg (USD)."""

    description: str
    hs_code: str
    usd_per_kg: float


@dataclass(frozen=True)
class ProductLine:
    key: str
    taxon: str
    goods: tuple[Goods, ...]
    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    routes: tuple[tuple[str, ...], ...]
    covers: tuple[Cover, ...]
    permit_taxon: str  # species named on the borrowed permit (may equal ``taxon``)
    permit_source: str  # CITES source code claimed on it
    front_industries: tuple[str, ...]
    modes: tuple[str, ...]
    keywords: tuple[str, ...]
    misdeclared_share: float


# Data tables, one row per line so they read as tables (the formatter would break rows apart).
# fmt: off
PRODUCT_LINES: dict[str, ProductLine] = {
    "jaguar": ProductLine(
        "jaguar", "Panthera onca",
        (Goods("jaguar fangs", "050790", "number", 1_200.0, 0.02, (8, 60)),
         Goods("jaguar skins", "430180", "number", 4_000.0, 2.5, (1, 6)),
         Goods("jaguar claws", "050790", "number", 150.0, 0.005, (20, 120))),
        ("BO", "SR", "PE", "BR"), ("CN",),
        (("BR", "AE"), ("PE", "US"), ("NL",), ("AE",), ("BR", "NL")),
        (Cover("artesanías de madera", "442090", 25.0), Cover("bisutería y collares", "711719", 40.0),
         Cover("cestería artesanal", "460219", 20.0),
         Cover("artesanías de hueso tallado", "960190", 60.0)),
        "Pecari tajacu", "W", ("handicraft exporter", "general trading"), ("post", "air"),
        ("colmillos", "presas", "jaguar", "yaguareté", "onça", "dentes", "cueros", "garras",
         "穿山甲"), 0.8),
    "totoaba": ProductLine(
        "totoaba", "Totoaba macdonaldi",
        (Goods("totoaba swim bladders", "030572", "kg", 20_000.0, 1.0, (5, 60)),),
        ("MX",), ("HK", "CN"), (("US",), ("US", "KR"), ("PA",)),
        (Cover("buche de corvina seco", "030572", 150.0), Cover("pepino de mar seco", "030819", 80.0),
         Cover("pescado seco salado", "030559", 6.0)),
        "Cynoscion othonopterus", "W", ("seafood exporter",), ("air", "road"),
        ("totoaba", "buche", "鱼胶", "花胶", "vejiga"), 0.9),
    "parrots": ProductLine(
        "parrots", "Ara glaucogularis",
        (Goods("live macaws", "010632", "number", 2_500.0, 1.2, (4, 30)),
         Goods("parrot chicks", "010632", "number", 600.0, 0.4, (10, 60))),
        ("BO", "PY", "BR"), ("ES", "NL", "DE"), (("AR",), ("BR",), ("PA",), ()),
        (Cover("aves ornamentales criadas en cautiverio", "010632", 300.0),
         Cover("peces ornamentales", "030111", 40.0)),
        "Amazona aestiva", "C", ("pet shop", "exotic animal breeder"), ("road", "air"),
        ("loros", "papagaios", "guacamayos", "araras", "pichones"), 0.5),
    "turtles": ProductLine(
        "turtles", "Podocnemis unifilis",
        (Goods("live river turtles", "010620", "number", 60.0, 0.3, (100, 800)),),
        ("PE", "CO", "BR"), ("HK", "CN", "US"), (("US",), ("PA",), ("BR", "AE")),
        (Cover("peces ornamentales vivos", "030111", 40.0), Cover("juguetes de plástico", "950300", 5.0)),
        "Chelonoidis carbonarius", "C", ("pet shop", "exotic animal breeder"), ("air",),
        ("tortugas", "taricayas", "tracajás", "quelonios"), 0.6),
    "shark_fin": ProductLine(
        "shark_fin", "Sphyrna lewini",
        (Goods("dried shark fins", "030571", "kg", 350.0, 1.0, (100, 1_500)),),
        ("EC", "PE"), ("HK",), (("MX",), ("US",), ("PA",)),
        (Cover("pescado seco salado", "030559", 6.0), Cover("harina de pescado", "230120", 1.5)),
        "Prionace glauca", "W", ("seafood exporter",), ("sea", "air"),
        ("aleta", "aletas", "鱼翅"), 0.7),
    "sea_cucumber": ProductLine(
        "sea_cucumber", "Isostichopus fuscus",
        (Goods("dried sea cucumbers", "030819", "kg", 450.0, 1.0, (50, 600)),),
        ("EC", "MX", "PE"), ("HK", "CN"), (("US",), ("PA",)),
        (Cover("mariscos congelados", "030799", 8.0), Cover("pescado seco salado", "030559", 6.0)),
        "Isostichopus fuscus", "W", ("seafood exporter",), ("air", "sea"),
        ("pepino de mar", "pepinos", "海参"), 0.3),
}
# fmt: on

NETWORK_ORDER = (
    "jaguar",
    "totoaba",
    "parrots",
    "jaguar",
    "turtles",
    "shark_fin",
    "sea_cucumber",
    "jaguar",
    "parrots",
    "totoaba",
    "turtles",
    "jaguar",
)
"""Product line of network 1, 2, ...: Operation Jaguar's first network trades jaguar parts."""

INNOCUOUS = {
    "es": (
        "artesanías",
        "mercadería",
        "pago pedido",
        "servicios logísticos",
        "flete",
        "consultoría",
        "pago jornal",
        "trabajo chaco",
        "castaña",
        "pago cuenta",
        "encomienda",
        "anticipo",
        "préstamo",
        "varios",
    ),
    "pt": (
        "artesanato",
        "mercadoria",
        "pagamento pedido",
        "frete",
        "serviços",
        "diária",
        "castanha",
        "adiantamento",
        "empréstimo",
    ),
    "en": (
        "handicrafts",
        "goods",
        "consulting",
        "logistics services",
        "freight",
        "invoice",
        "advance",
        "loan repayment",
        "trade settlement",
    ),
    "zh": ("货款", "手工艺品", "服务费", "运费"),
    "nl": ("handwerk", "goederen", "vracht", "diensten"),
    "vi": ("tien hang", "hang thu cong"),
    "de": ("Waren", "Fracht", "Beratung"),
}
"""Narratives of illicit payments: most say nothing suspicious."""

LEGAL_TRADE = (
    # (taxon, goods, HS code, unit, source code, origin countries, USD per unit, kg per unit)
    ("Caiman yacare", "caiman skins", "410330", "number", "R", ("BO",), 120.0, 1.5),
    ("Vicugna vicugna", "vicuña fibre", "510119", "kg", "W", ("PE", "BO"), 400.0, 1.0),
    ("Pecari tajacu", "peccary leather", "410390", "number", "W", ("PE",), 30.0, 0.6),
    ("Amazona aestiva", "live parrots", "010632", "number", "C", ("AR", "PY"), 300.0, 0.4),
    ("Arapaima gigas", "arapaima fillets", "030489", "kg", "C", ("PE", "BR"), 12.0, 1.0),
    ("Chelonoidis carbonarius", "live tortoises", "010620", "number", "C", ("CO", "PE"), 50.0, 0.5),
)
"""Legal CITES trade mixed into ordinary shipments, each with a valid permit."""

BACKGROUND_SEIZURES = (
    # (taxon, commodity, unit, USD per unit, low, high, typical origins, typical destinations)
    ("Panthera onca", "jaguar fangs", "number", 1_200.0, 2, 40, ("BO", "PE", "BR", "SR"), ("CN",)),
    ("Panthera onca", "jaguar skin", "number", 4_000.0, 1, 3, ("BO", "BR", "MX"), ("CN", "US")),
    ("Ara macao", "live parrots", "number", 1_500.0, 1, 25, ("BO", "PE", "GT", "CO"), ("MX", "US")),
    ("Amazona oratrix", "parrot chicks", "number", 800.0, 2, 30, ("MX", "GT"), ("US",)),
    ("Podocnemis expansa", "live turtles", "number", 40.0, 20, 900, ("PE", "CO", "BR"), ("HK",)),
    ("Chelonoidis chilensis", "live tortoises", "number", 60.0, 5, 80, ("AR", "PY"), ("ES",)),
    ("Totoaba macdonaldi", "totoaba swim bladders", "kg", 20_000.0, 1, 80, ("MX",), ("HK", "CN")),
    ("Sphyrna lewini", "dried shark fins", "kg", 350.0, 20, 2_000, ("EC", "PE"), ("HK",)),
    ("Manis spp.", "pangolin scales", "kg", 500.0, 5, 900, ("NG", "CM"), ("CN", "VN", "HK")),
    ("Isostichopus fuscus", "dried sea cucumbers", "kg", 450.0, 10, 500, ("EC", "MX"), ("HK",)),
    ("Tayassu pecari", "peccary skins", "number", 30.0, 10, 300, ("PE", "BO"), ("PE",)),
    ("Lontra longicaudis", "otter pelts", "number", 200.0, 1, 10, ("BO", "PE"), ("CN",)),
)
"""Seizures not tied to any embedded network (other traffickers, opportunists)."""
