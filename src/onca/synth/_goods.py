"""Ordinary goods in the customs declarations: HS code, description, value and size.

``(hs_code, description in Spanish, Portuguese, English, USD per kg, median kg per shipment,
exporting countries)``. Empty exporters means any country may ship it.
"""

from __future__ import annotations

# Data tables, one row per line so they read as tables (the formatter would break rows apart).
# fmt: off
ORDINARY_GOODS: tuple[tuple[str, str, str, str, float, float, tuple[str, ...]], ...] = (
    ("090111", "café verde en grano", "café verde em grão", "green coffee beans", 4.0, 19_000, ("BR", "PE", "CO", "GT", "BO", "EC")),
    ("100850", "quinua", "quinoa", "quinoa", 3.0, 18_000, ("BO", "PE")),
    ("080122", "castaña amazónica sin cáscara", "castanha-do-brasil", "shelled Brazil nuts", 9.0, 15_000, ("BO", "PE", "BR")),
    ("030617", "camarones congelados", "camarões congelados", "frozen shrimp", 9.0, 18_000, ("EC", "MX", "PE")),
    ("440729", "madera aserrada tropical", "madeira serrada tropical", "tropical sawn wood", 0.8, 24_000, ("BO", "BR", "PE", "SR", "GY")),
    ("060311", "rosas frescas", "rosas frescas", "fresh roses", 5.0, 2_000, ("CO", "EC")),
    ("710812", "oro en bruto", "ouro em bruto", "unwrought gold", 60_000.0, 20, ("PE", "BO", "SR", "GY", "CO")),
    ("740311", "cátodos de cobre", "catodos de cobre", "copper cathodes", 9.0, 24_000, ("PE", "MX")),
    ("180100", "cacao en grano", "cacau em amêndoas", "cocoa beans", 3.0, 18_000, ("EC", "PE", "BR")),
    ("080390", "bananas frescas", "bananas frescas", "fresh bananas", 0.5, 20_000, ("EC", "CO", "GT")),
    ("030489", "filetes de pescado congelados", "filés de peixe congelados", "frozen fish fillets", 6.0, 15_000, ("PE", "EC", "AR", "BR")),
    ("120190", "soya en grano", "soja em grão", "soya beans", 0.45, 30_000, ("BR", "PY", "AR")),
    ("020130", "carne bovina deshuesada", "carne bovina desossada", "boneless beef", 6.0, 20_000, ("BR", "PY", "AR")),
    ("610910", "camisetas de algodón", "camisetas de algodão", "cotton T-shirts", 15.0, 3_000, ("PE", "GT", "CN", "VN")),
    ("847130", "computadoras portátiles", "computadores portáteis", "laptop computers", 300.0, 2_000, ("CN", "US")),
    ("950300", "juguetes", "brinquedos", "toys", 5.0, 3_000, ("CN", "VN")),
    ("851712", "teléfonos celulares", "telefones celulares", "mobile phones", 400.0, 1_000, ("CN", "VN", "US")),
    ("870323", "automóviles", "automóveis", "motor cars", 12.0, 15_000, ("US", "DE", "CN")),
    ("300490", "medicamentos", "medicamentos", "medicaments", 80.0, 800, ("DE", "US", "ES", "NL")),
    ("220421", "vino", "vinho", "wine", 4.0, 12_000, ("ES", "AR")),
    ("460219", "cestería artesanal", "cestaria artesanal", "handmade basketwork", 20.0, 300, ("BO", "PE", "GT", "EC")),
    ("442090", "artesanías de madera", "artesanato de madeira", "wooden handicrafts", 25.0, 400, ("BO", "PE", "BR", "SR")),
    ("960190", "artesanías de hueso y cuerno", "artesanato de osso e chifre", "carved bone and horn crafts", 60.0, 80, ("PE", "BO", "EC")),
    ("711719", "bisutería", "bijuteria", "imitation jewellery", 40.0, 100, ("BO", "PE", "CN")),
    ("030572", "buche de corvina seco", "bexiga natatória seca", "dried fish maws", 150.0, 300, ("MX", "BR", "EC")),
    ("050800", "conchas marinas", "conchas marinhas", "sea shells", 10.0, 500, ("MX", "EC", "PE")),
    ("030799", "moluscos congelados", "moluscos congelados", "frozen molluscs", 8.0, 10_000, ("PE", "MX", "AR")),
    ("030111", "peces ornamentales vivos", "peixes ornamentais vivos", "live ornamental fish", 40.0, 150, ("PE", "CO", "BR")),
)
# fmt: on
