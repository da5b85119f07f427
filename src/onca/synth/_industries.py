"""Business sectors of the companies, with the words their names are made of.

``high_risk`` follows the sectors that IWT red-flag guidance names (pet shops, breeders, zoos,
seafood and handicraft exporters, freight forwarders, customs brokers, general trading,
taxidermy, hunting, traditional medicine, jewellery, leather, timber). ``role`` says how the
sector takes part in ordinary payments: ``merchant`` takes card payments, ``utility`` bills
households, ``trader`` ships goods across borders, ``other`` does business-to-business only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Industry:
    key: str
    weight: float
    high_risk: bool
    role: str
    words: dict[str, str]  # language -> word used in company names ('en' always present)

    def word(self, language: str) -> str:
        return self.words.get(language, self.words["en"])


def _i(
    key: str,
    weight: float,
    risk: bool,
    role: str,
    es: str,
    pt: str,
    en: str,
    nl: str = "",
    de: str = "",
) -> Industry:
    words = {"es": es, "pt": pt, "en": en}
    if nl:
        words["nl"] = nl
    if de:
        words["de"] = de
    return Industry(key, weight, risk, role, words)


# fmt: off
INDUSTRIES: tuple[Industry, ...] = (
    _i("supermarket", 8, False, "merchant",
       "Supermercado", "Supermercado", "Market", "Supermarkt", "Markt"),
    _i("restaurant", 9, False, "merchant",
       "Restaurante", "Restaurante", "Restaurant", "Restaurant"),
    _i("pharmacy", 5, False, "merchant",
       "Farmacia", "Farmácia", "Pharmacy", "Apotheek", "Apotheke"),
    _i("fuel station", 4, False, "merchant",
       "Estación de Servicio", "Posto", "Gas Station", "Tankstation", "Tankstelle"),
    _i("clothing retail", 5, False, "merchant",
       "Boutique", "Confecções", "Apparel", "Mode", "Mode"),
    _i("hotel", 3, False, "merchant", "Hotel", "Hotel", "Hotel", "Hotel", "Hotel"),
    _i("electronics retail", 3, False, "merchant",
       "Electrónica", "Eletrônicos", "Electronics", "Elektronica", "Elektronik"),
    _i("electricity", 1, False, "utility",
       "Servicios Eléctricos", "Energia", "Power & Light", "Energie", "Stadtwerke"),
    _i("telecommunications", 1, False, "utility",
       "Telecomunicaciones", "Telecom", "Telecom", "Telecom", "Telekom"),
    _i("water supply", 0.6, False, "utility",
       "Aguas", "Águas", "Water Works", "Waterbedrijf", "Wasserwerke"),
    _i("construction", 6, False, "other",
       "Constructora", "Construtora", "Construction", "Bouw", "Bau"),
    _i("road transport", 5, False, "other",
       "Transportes", "Transportes", "Trucking", "Transport", "Transporte"),
    _i("agriculture", 6, False, "trader",
       "Agropecuaria", "Agropecuária", "Farms", "Landbouw", "Agrar"),
    _i("coffee exporter", 2, False, "trader", "Café", "Café", "Coffee", "Koffie", "Kaffee"),
    _i("textiles", 2, False, "trader", "Textiles", "Têxtil", "Textiles", "Textiel", "Textil"),
    _i("mining", 2, False, "trader", "Minera", "Mineração", "Mining", "Mijnbouw", "Bergbau"),
    _i("software", 2, False, "other", "Sistemas", "Sistemas", "Software", "Software", "Software"),
    _i("real estate", 3, False, "other",
       "Inmobiliaria", "Imobiliária", "Realty", "Vastgoed", "Immobilien"),
    _i("health services", 3, False, "other",
       "Clínica", "Clínica", "Medical Center", "Kliniek", "Klinik"),
    _i("import wholesale", 4, False, "trader",
       "Importadora", "Importadora", "Imports", "Import", "Import"),
    _i("food processing", 3, False, "trader",
       "Alimentos", "Alimentos", "Foods", "Voeding", "Lebensmittel"),
    _i("timber", 1.5, True, "trader", "Maderera", "Madeireira", "Timber", "Hout", "Holz"),
    _i("pet shop", 1.2, True, "merchant",
       "Mascotas", "Pet Shop", "Pet Supplies", "Dierenwinkel", "Zoohandlung"),
    _i("exotic animal breeder", 0.4, True, "trader",
       "Criadero de Fauna", "Criadouro", "Exotic Breeders", "Fokkerij", "Zucht"),
    _i("seafood exporter", 1.2, True, "trader",
       "Pesquera", "Pescados", "Seafood", "Visexport", "Fisch"),
    _i("handicraft exporter", 1.2, True, "trader",
       "Artesanías", "Artesanato", "Handicrafts", "Handwerk", "Kunsthandwerk"),
    _i("freight forwarder", 1.0, True, "trader",
       "Agencia de Carga", "Cargas", "Freight Forwarding", "Expeditie", "Spedition"),
    _i("customs broker", 0.6, True, "other",
       "Despachante de Aduana", "Despachante Aduaneiro", "Customs Brokerage", "Douane-expediteur", "Zollagentur"),
    _i("general trading", 1.5, True, "trader",
       "Comercial", "Comercial", "General Trading", "Handelsonderneming", "Handelsgesellschaft"),
    _i("zoo", 0.15, True, "other", "Zoológico", "Zoológico", "Zoo", "Dierentuin", "Tierpark"),
    _i("taxidermy", 0.15, True, "other",
       "Taxidermia", "Taxidermia", "Taxidermy", "Taxidermie", "Präparation"),
    _i("hunting outfitter", 0.2, True, "other",
       "Safaris y Caza", "Caça e Pesca", "Hunting Outfitters", "Jacht", "Jagd"),
    _i("traditional medicine", 0.6, True, "merchant",
       "Medicina Tradicional", "Medicina Tradicional", "Herbal Medicine", "Kruiden", "Naturheilkunde"),
    _i("jewellery", 0.8, True, "merchant",
       "Joyería", "Joalheria", "Jewellers", "Juwelier", "Juwelier"),
    _i("leather goods", 0.6, True, "trader", "Curtiembre", "Curtume", "Leather", "Leder", "Leder"),
)
# fmt: on

INDUSTRY_KEYS: tuple[str, ...] = tuple(i.key for i in INDUSTRIES)
BY_KEY: dict[str, Industry] = {i.key: i for i in INDUSTRIES}


def industry_index(key: str) -> int:
    return INDUSTRY_KEYS.index(key)


ORGANIZATION_KINDS: tuple[tuple[str, str, dict[str, str]], ...] = (
    # (industry written in the record, name pattern key, words by language)
    (
        "government",
        "authority",
        {
            "es": "Dirección de Biodiversidad",
            "pt": "Secretaria de Meio Ambiente",
            "en": "Wildlife Department",
        },
    ),
    ("government", "customs", {"es": "Aduana Regional", "pt": "Alfândega", "en": "Customs Office"}),
    (
        "government",
        "municipality",
        {"es": "Gobierno Municipal", "pt": "Prefeitura", "en": "County Office"},
    ),
    ("non-profit", "foundation", {"es": "Fundación", "pt": "Fundação", "en": "Foundation"}),
    (
        "non-profit",
        "association",
        {
            "es": "Asociación de Productores",
            "pt": "Associação de Produtores",
            "en": "Growers Association",
        },
    ),
)
"""Organisations: public bodies (which employ officials) and non-profits."""
