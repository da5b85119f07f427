"""Party records at scale for entity resolution: N records with planted duplicates and the truth.

Each real person or company is one original record; about 20% of them also have 1 to 3 records
written by another source (a second bank, customs, the police) with the variants of
``onca.synth._identity``: the name as another source writes it, day and month of birth swapped
or a digit off, an ID digit changed, the phone in another style, the address abbreviated, and
some fields left out. About 4% of persons are relatives of another (same surnames and often the
same address; a few sons carry their father's full name): different people who look alike.

Mix: 85% persons, 15% companies, in the Americas plus China, Hong Kong and Vietnam, named per
culture (Spanish two surnames, Portuguese particles, pinyin, Vietnamese, Surinamese...). Onca's
name pools are widened here and drawn with Zipf-like weights, so common names are common but a
real person stays mostly unique by name and birth date. IDs are unique per country.

Vectorised with NumPy and Arrow except the per-duplicate variants (plain Python, ~280k at 1M).
The same (n, seed) always gives the same tables.

    .venv/bin/python benchmarks/parties_scale.py --records 1000000 --seed 7 --out DIR [--csv]

writes DIR/parties.parquet (or parties.csv) in Onca's data contract and DIR/truth.csv
(party_id, person_key), then prints a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from onca.synth._identity import (
    address_variant,
    addresses,
    birth_days,
    birth_variant,
    company_variant,
    id_variant,
    name_variant,
    phone_numbers,
    phone_variant,
)
from onca.synth._industries import INDUSTRIES
from onca.synth._name_pools import (
    COMPANY_CORES,
    GIVEN,
    OCCUPATIONS,
    PT_PARTICLES,
    SURNAMES,
    VI_MIDDLE,
)
from onca.synth._names import company_style
from onca.synth._places import BY_CODE, COUNTRIES, Country
from onca.synth._population import _nationalities  # the scenario's own nationality mix
from onca.synth._text import concat, fill_pattern, pick, prefixed_ids, when

COUNTRIES_USED: tuple[Country, ...] = tuple(
    c for c in COUNTRIES if c.code not in ("ES", "DE", "NL", "AE")
)
PERSON_SHARE = 0.85
DUPLICATED_SHARE = 0.20
COPIES, COPY_P = np.array([1, 2, 3]), np.array([0.7, 0.2, 0.1])
RELATIVE_SHARE = 0.04
SOURCES = ("BNK", "CUS", "POL")


# -- wider name pools: Onca's pools first (the common names), then these -------------------
# fmt: off
_MORE_GIVEN: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "es": (
        ("Antonio", "Manuel", "Francisco", "Javier", "Rafael", "Daniel", "Eduardo", "Jesús",
         "Alberto", "Arturo", "Enrique", "Felipe", "Gerardo", "Héctor", "Ignacio", "Jaime",
         "Leonardo", "Martín", "Mauricio", "Orlando", "Pablo", "Ramón", "Rodrigo", "Salvador",
         "Santiago", "Tomás", "Vicente", "Adrián", "Agustín", "Alfredo", "Armando", "Benjamín",
         "César", "Cristian", "Emilio", "Esteban", "Fabián", "Gonzalo", "Guillermo", "Humberto",
         "Joaquín", "Lorenzo", "Marcelo", "Nicolás", "Octavio", "Patricio", "Samuel", "Teodoro",
         "Ulises", "Wilfredo", "Yamil", "Edwin", "Efraín", "Abel", "Jhonny", "Limbert", "Grover",
         "Reynaldo", "Percy", "Alexis", "Brayan", "Kevin", "Jhon", "Elmer", "Wilmer", "Darwin",
         "Ángel", "Saúl", "Isaac", "Gilberto", "Rigoberto", "Porfirio", "Celestino", "Evaristo"),
        ("Guadalupe", "Margarita", "Leticia", "Alejandra", "Adriana", "Araceli", "Blanca",
         "Cecilia", "Diana", "Esperanza", "Graciela", "Irma", "Karina", "Laura", "Lorena",
         "Martha", "Natalia", "Norma", "Olga", "Pilar", "Raquel", "Rocío", "Sandra", "Susana",
         "Victoria", "Viviana", "Wendy", "Yesenia", "Zulema", "Carolina", "Catalina", "Cristina",
         "Dolores", "Estela", "Eugenia", "Gloria", "Isabel", "Jimena", "Liliana", "Luz",
         "Marcela", "Miriam", "Nancy", "Pamela", "Rosario", "Sara", "Tatiana", "Vanesa", "Mayra",
         "Lizeth", "Jhoselin", "Nélida", "Eva", "Abigail", "Antonia", "Brenda", "Delia", "Elvira",
         "Fabiola", "Hilda", "Ivonne", "Janeth", "Karen", "Lidia", "Maribel", "Nora", "Reina",
         "Sonia", "Gregoria", "Florencia", "Micaela", "Candelaria", "Erika"),
    ),
    "pt": (
        ("Vinícius", "Henrique", "Guilherme", "Leonardo", "Renato", "Ricardo", "Roberto",
         "Sérgio", "Alexandre", "Diego", "Fernando", "Igor", "Júlio", "Márcio", "Maurício",
         "Nelson", "Reinaldo", "Sílvio", "Wagner", "Wellington", "Washington", "Edson", "Cláudio",
         "Caio", "Davi", "Enzo", "Heitor", "Murilo", "Samuel", "Vítor", "Arthur", "Benedito",
         "Geraldo", "Jorge", "Manoel", "Valdir", "Anderson", "Jefferson", "Joaquim", "Luciano",
         "Emerson", "Everton", "Gilberto", "Josué", "Kléber", "Norberto", "Osvaldo", "Ronaldo"),
        ("Luana", "Larissa", "Beatriz", "Isabela", "Natália", "Priscila", "Rafaela", "Renata",
         "Simone", "Tatiane", "Vitória", "Carolina", "Cristiane", "Daniela", "Débora", "Eliane",
         "Fabiana", "Helena", "Joana", "Kátia", "Lúcia", "Marta", "Michele", "Rosângela", "Sônia",
         "Valéria", "Vera", "Alessandra", "Cláudia", "Edna", "Geovana", "Lívia", "Manuela",
         "Sabrina", "Thaís", "Yasmin", "Josefa", "Rita", "Regina", "Silvana", "Elaine", "Gisele"),
    ),
    "en": (
        ("George", "Edward", "Ronald", "Timothy", "Jason", "Jeffrey", "Ryan", "Jacob", "Gary",
         "Nicholas", "Eric", "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon",
         "Benjamin", "Samuel", "Gregory", "Frank", "Alexander", "Raymond", "Patrick", "Jack",
         "Dennis", "Jerry", "Tyler", "Aaron", "Adam", "Henry", "Nathan", "Douglas", "Zachary",
         "Peter", "Kyle", "Walter", "Ethan", "Jeremy", "Harold", "Keith", "Christian", "Roger",
         "Noah", "Gerald", "Carl", "Terry", "Sean", "Austin", "Arthur", "Lawrence", "Jesse",
         "Dylan", "Bryan", "Joe", "Jordan", "Billy", "Bruce", "Albert", "Willie", "Gabriel",
         "Logan", "Alan", "Wayne", "Roy", "Ralph", "Randy", "Eugene", "Vincent", "Russell",
         "Elijah", "Louis", "Bobby", "Philip", "Johnny", "Trevor", "Marlon", "Deon", "Shane"),
        ("Margaret", "Betty", "Dorothy", "Kimberly", "Donna", "Carol", "Stephanie", "Rebecca",
         "Sharon", "Laura", "Cynthia", "Kathleen", "Amy", "Angela", "Shirley", "Anna", "Brenda",
         "Pamela", "Emma", "Nicole", "Helen", "Samantha", "Katherine", "Christine", "Debra",
         "Rachel", "Carolyn", "Janet", "Catherine", "Heather", "Diane", "Ruth", "Julie",
         "Olivia", "Joyce", "Virginia", "Victoria", "Kelly", "Lauren", "Christina", "Joan",
         "Evelyn", "Judith", "Megan", "Andrea", "Cheryl", "Hannah", "Jacqueline", "Martha",
         "Gloria", "Teresa", "Ann", "Sara", "Madison", "Frances", "Kathryn", "Janice", "Jean",
         "Abigail", "Alice", "Judy", "Sophia", "Grace", "Denise", "Amber", "Doris", "Marilyn",
         "Danielle", "Beverly", "Isabella", "Theresa", "Diana", "Natalie", "Brittany",
         "Charlotte", "Marie", "Kayla", "Alexis", "Lori", "Tamika", "Keisha"),
    ),
    "zh": (
        ("Yi", "Hao", "Yu", "Xin", "Jiahao", "Zihao", "Haoran", "Yuxuan", "Junjie", "Zhiwei",
         "Wenbo", "Guoqiang", "Jianhua", "Chunlin", "Tianyi", "Ruilong", "Mingyu", "Shuai",
         "Peng", "Bin", "Hui", "Zhen", "Kun", "Liang", "Feng", "Jianjun", "Yunfei", "Zhenyu",
         "Dewei", "Kaiwen", "Xiaodong", "Haoyu", "Weiming", "Guohua", "Jinhai", "Shaohua"),
        ("Xiaoyan", "Yuting", "Jiayi", "Zixuan", "Xinyi", "Yanan", "Meiling", "Shuhua",
         "Hongmei", "Lanying", "Qiong", "Wenjing", "Yuhan", "Ruoxi", "Siyu", "Tingting", "Jiaqi",
         "Xue", "Dan", "Juan", "Rong", "Qing", "Lijuan", "Xiuying", "Guiying", "Xiulan",
         "Yumei", "Chunmei", "Haiyan", "Shuang", "Yiwen", "Mengyao", "Xiaohong", "Lili"),
    ),
    "vi": (
        ("Đạt", "Hiếu", "Huy", "Khánh", "Lâm", "Lộc", "Nghĩa", "Phúc", "Tâm", "Thành", "Thịnh",
         "Toàn", "Trí", "Trung", "Vinh", "Hòa", "Kiên", "Tùng", "Duy", "Hoàng", "Kiệt", "Tài"),
        ("Châu", "Diệp", "Giang", "Hà", "Hằng", "Hạnh", "Hiền", "Huyền", "Loan", "My", "Nga",
         "Oanh", "Quỳnh", "Thư", "Uyên", "Vân", "Xuân", "Thủy", "Dung", "Hồng", "Ly", "Nhi"),
    ),
    "nl_sr": (
        ("Ashwin", "Rishi", "Harry", "Errol", "Ronnie", "Stanley", "Iwan", "Roy", "Jerry",
         "Gregory", "Dilip", "Gerrit", "Ruben", "Hans", "Edgar", "Orlando", "Rakesh", "Ramon",
         "Kenneth", "Wilfred", "Sergio", "Mohamed", "Krishna", "Amar"),
        ("Indira", "Sita", "Reshma", "Melissa", "Jennifer", "Gwendolyn", "Ruth", "Carla",
         "Joan", "Sarita", "Nirmala", "Yvonne", "Sunita", "Miriam", "Astrid", "Lucia", "Renate",
         "Rita", "Cynthia", "Anjali", "Wendy", "Kirsten"),
    ),
}

_MORE_SURNAMES: dict[str, tuple[str, ...]] = {
    "es": ("Hernández", "González", "Díaz", "Reyes", "Moreno", "Álvarez", "Ruiz", "Alvarado",
           "Castillo", "Ramos", "Guerrero", "Molina", "Delgado", "Ortega", "Rubio", "Marín",
           "Iglesias", "Medrano", "Navarro", "Domínguez", "Vázquez", "Gil", "Serrano", "Blanco",
           "Campos", "Vega", "Fuentes", "Carrasco", "Caballero", "Nieto", "Santana", "Lozano",
           "Cortés", "Guzmán", "Sandoval", "Figueroa", "Acosta", "Benítez", "Cárdenas", "Miranda",
           "Ponce", "Pacheco", "Valencia", "Carrillo", "Osorio", "Bustos", "Sepúlveda",
           "Valenzuela", "Contreras", "Araya", "Rivera", "Ayala", "Bautista", "Calderón",
           "Cisneros", "Estrada", "Galindo", "Ibarra", "Lara", "Luna", "Maldonado", "Meléndez",
           "Montoya", "Navarrete", "Olivares", "Orozco", "Padilla", "Palacios", "Quintero",
           "Rangel", "Rosales", "Salinas", "Solís", "Trujillo", "Valdez", "Velasco", "Villarreal",
           "Zamora", "Zúñiga", "Arias", "Barrientos", "Callisaya", "Copa", "Poma", "Yupanqui",
           "Ccama", "Tito", "Chura", "Nina", "Colque", "Quiroga", "Guarachi", "Alanoca", "Cusi",
           "Mercado", "Villarroel", "Rocha", "Camacho", "Antezana", "Coronado", "Aguirre",
           "Bravo", "Cano", "Duarte", "Escalante", "Franco", "Gallardo", "Hidalgo", "Leiva",
           "Mejía", "Mora", "Ochoa", "Prado", "Quiroz", "Robles", "Santos",
           "Toledo", "Urquidi", "Vera", "Zeballos", "Aramayo", "Balderrama", "Choquehuanca",
           "Huarachi", "Jaldín", "Loayza", "Pinto", "Saavedra", "Tapia", "Uriona", "Vaca",
           "Zurita", "Ccahuana", "Huillca"),
    "pt": ("Pinto", "Teixeira", "Moura", "Correia", "Cunha", "Campos", "Pires", "Reis",
           "Azevedo", "Borges", "Brito", "Castro", "Coelho", "Duarte", "Farias", "Fonseca",
           "Guimarães", "Jesus", "Leite", "Lacerda", "Macedo", "Magalhães", "Medeiros", "Melo",
           "Miranda", "Morais", "Nogueira", "Paiva", "Pacheco", "Queiroz", "Rezende", "Sales",
           "Sampaio", "Siqueira", "Tavares", "Torres", "Vasconcelos", "Xavier", "Bezerra",
           "Cavalcante", "Aguiar", "Amaral", "Bastos", "Bento", "Brandão", "Caldeira", "Dantas",
           "Esteves", "Figueiredo", "Garcia", "Matos", "Neves", "Prado", "Santana", "Valente",
           "Assis", "Luz", "Paula", "Souto", "Albuquerque", "Barros", "Cordeiro", "Lins",
           "Maia", "Mota", "Peixoto", "Porto", "Sousa", "Viana", "Louro", "Cruz"),
    "en": ("Garcia", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Lee", "Perez",
           "Sanchez", "Ramirez", "Torres", "Hill", "Flores", "Nguyen", "Mitchell", "Carter",
           "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards",
           "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers",
           "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly",
           "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez",
           "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez",
           "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
           "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler",
           "Henderson", "Barnes", "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan",
           "Patterson", "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace",
           "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran",
           "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens",
           "Harrison", "Fernandez", "McDonald", "Woods", "Washington", "Kennedy", "Wells",
           "Vargas", "Henry", "Chen", "Freeman", "Webb", "Tucker", "Guzman", "Burns", "Crawford",
           "Olson", "Simpson", "Porter", "Hunter", "Gordon", "Mendez", "Silva", "Shaw", "Snyder",
           "Mason", "Dixon", "Munoz", "Hunt", "Hicks", "Holmes", "Palmer", "Black", "Robertson",
           "Boyd", "Rose", "Stone", "Salazar", "Fox", "Warren", "Mills", "Rice", "Garza",
           "Daniels", "Ferguson", "Nichols", "Stephens", "Soto", "Weaver", "Ryan", "Gardner",
           "Payne", "Grant", "Dunn", "Ramdass", "Narine", "Khan", "Mohamed", "Ali", "O'Brien",
           "McKenzie", "DeFreitas", "Rampersaud", "Chung", "Gonsalves", "Da Silva"),
    "zh": ("Song", "Tan", "Han", "Fu", "Shi", "Yao", "Zou", "Xiong", "Jin", "Qin", "Fan",
           "Fang", "Kong", "Bai", "Cui", "Kang", "Mao", "Qiu", "Qian", "Dai", "Xue", "Hou",
           "Lei", "Long", "Duan", "Hao", "Shao", "Wan", "Gu", "Lai", "Lam", "Ho", "Yip", "Tse",
           "Chow", "Kwok", "Tam", "Fung", "Meng", "Wen", "Mo", "Ren", "Jia", "Xia", "Yin"),
    "vi": ("Trương", "Đinh", "Lâm", "Mai", "Tô", "Trịnh", "Đoàn", "Lương", "Hà", "Cao", "Quách",
           "Tạ", "Châu", "Văn", "La"),
    "nl_sr": ("Bouterse", "Venetiaan", "Santokhi", "Doekhie", "Ramdayal", "Lachmon", "Hoost",
              "Biswamitre", "Chin A Sen", "Redjosentono", "Soemita", "Sardjoe", "Baldewsingh",
              "Gajadhar", "Kalloe", "Zaalman", "Vreden", "Naarendorp", "Kensmil", "Emanuels",
              "Wijdenbosch", "Soekhoe", "Mahabier", "Bhagwandin", "Jiawan", "Abrahams",
              "Rustveld", "Sabajo", "Pengel", "Adhin", "Kartosen", "Nurmohamed", "Ferrier"),
}

_ZH_FIRST = ("Jia", "Zi", "Yu", "Hao", "Xin", "Yi", "Ming", "Jun", "Wen", "Hong", "Xiao", "Li",
             "Chun", "Zhi", "Jian", "Guo", "Hai", "Shu", "Mei", "Yan", "Ya", "Rui", "Qing", "Si",
             "Tian", "Yong", "De", "Kai", "Bo", "Lan", "Hui", "Jing", "Xue", "Chen", "Yun", "Zhen")
_ZH_SECOND = ("Hua", "Wei", "Ming", "Jie", "Yu", "Xuan", "Ting", "Hao", "Lin", "Qiang", "Ning",
              "Yang", "Fei", "Hui", "Fang", "Long", "Jun", "Kang", "Xin", "Chen", "Yi", "Feng",
              "Lei", "Tao", "Bin", "Li", "Na", "Juan", "Mei", "Ying", "Xia", "Han", "Rong", "Qi",
              "Peng", "Yan")

CORE_SUFFIXES: dict[str, tuple[str, ...]] = {
    "es": ("e Hijos", "Hermanos", "y Asociados", "y Cía.", "Hnos."),
    "pt": ("e Filhos", "Irmãos", "& Cia.", "e Associados"),
    "en": ("& Sons", "Brothers", "& Associates", "Family", "Group"),
    "nl_sr": ("en Zonen", "& Co.", "Gebroeders"),
}
# fmt: on


@cache
def given_pool(culture: str, female: bool) -> tuple[str, ...]:
    """Given names of ``culture``: Onca's pool, then the wider one, without repeats."""
    base = GIVEN[culture][int(female)] + _MORE_GIVEN.get(culture, ((), ()))[int(female)]
    return tuple(dict.fromkeys(base))


@cache
def surname_pool(culture: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(SURNAMES[culture] + _MORE_SURNAMES.get(culture, ())))


@cache
def zh_two_syllables() -> tuple[str, ...]:
    """Chinese given names of two syllables in pinyin, written as one word: 'Jiahua'."""
    names = (a + b.lower() for a in _ZH_FIRST for b in _ZH_SECOND if a != b)
    return tuple(dict.fromkeys(names))


@cache
def zipf_weights(n: int) -> np.ndarray:
    """Probabilities of a pool of ``n`` words, each less common than the one before."""
    w = 1.0 / (np.arange(n) + 8.0) ** 0.7
    return w / w.sum()


def _rng(seed: int, *keys: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=keys)))


def _draw(rng: np.random.Generator, pool: tuple[str, ...], n: int) -> pa.Array:
    """``n`` words of ``pool``, the first ones (the common ones) most often."""
    return pick(pool, rng.choice(len(pool), n, p=zipf_weights(len(pool))))


def _given(rng: np.random.Generator, culture: str, female: np.ndarray) -> pa.Array:
    return when(
        female,
        _draw(rng, given_pool(culture, True), len(female)),
        _draw(rng, given_pool(culture, False), len(female)),
    )


def _maybe(rng: np.random.Generator, p: float, part: pa.Array, before: str = " ") -> pa.Array:
    return when(rng.random(len(part)) < p, concat(before, part), "")


def _pt_surname(rng: np.random.Generator, n: int, p_particle: float) -> pa.Array:
    pool = surname_pool("pt")
    idx = rng.choice(len(pool), n, p=zipf_weights(len(pool)))
    with_particle = [f"{PT_PARTICLES[s]} {s}" if s in PT_PARTICLES else s for s in pool]
    return when(rng.random(n) < p_particle, pick(with_particle, idx), pick(pool, idx))


def _inherit(values: pa.Array, relative_of: np.ndarray) -> pa.Array:
    """Rows with a relative (``relative_of`` >= 0) take that relative's value."""
    rows = np.arange(len(relative_of))
    return pc.take(values, pa.array(np.where(relative_of >= 0, relative_of, rows)))


def person_names(rng: np.random.Generator, culture: str, relative_of: np.ndarray) -> pa.Array:
    """Full names of ``culture``, built the way ``onca.synth._names.person_names`` builds them.

    Rows with a relative (index into the same batch, else -1) share the relative's surnames;
    15% of those (sons named after their father) the whole name.
    """
    n = len(relative_of)
    female = rng.random(n) < 0.5
    given = _given(rng, culture, female)
    if culture == "es":
        second = _given(rng, culture, female)
        use = (rng.random(n) < 0.33) & np.asarray(pc.not_equal(given, second))
        given = concat(given, when(use, concat(" ", second), ""))
        family = concat(
            _draw(rng, surname_pool("es"), n), _maybe(rng, 0.95, _draw(rng, surname_pool("es"), n))
        )
    elif culture == "pt":
        second = _given(rng, culture, female)
        use = (rng.random(n) < 0.33) & np.asarray(pc.not_equal(given, second))
        given = concat(given, when(use, concat(" ", second), ""))
        first = when(rng.random(n) < 0.6, concat(_pt_surname(rng, n, 0.3), " "), "")
        family = concat(first, _pt_surname(rng, n, 0.4))
    elif culture == "en":
        initials = pick([f"{c}." for c in "ABCDEFGHJKLMNPRSTW"], rng.integers(0, 18, n))
        given = concat(given, _maybe(rng, 0.3, initials))
        family = _draw(rng, surname_pool("en"), n)
    elif culture == "vi":
        middle = when(female, _draw(rng, VI_MIDDLE[1], n), _draw(rng, VI_MIDDLE[0], n))
        given = concat(middle, " ", given)
        family = _draw(rng, surname_pool("vi"), n)
    elif culture == "zh":  # most given names are two syllables, drawn from many
        two = pick(zh_two_syllables(), rng.integers(0, len(zh_two_syllables()), n))
        given = when(rng.random(n) < 0.25, given, two)
        family = _draw(rng, surname_pool(culture), n)
    else:  # nl_sr
        family = _draw(rng, surname_pool(culture), n)
    family = _inherit(family, relative_of)
    if culture in ("zh", "vi"):
        given_first = (rng.random(n) < 0.1) if culture == "zh" else np.zeros(n, bool)
        names = when(given_first, concat(given, " ", family), concat(family, " ", given))
    else:
        names = concat(given, " ", family)
    junior = (relative_of >= 0) & (rng.random(n) < 0.15)  # a son with his father's name
    return when(junior, _inherit(names, relative_of), names)


def _relatives(rng: np.random.Generator, n: int) -> np.ndarray:
    """For each row, the row of a relative in the same batch (-1 for most rows)."""
    relative_of = np.full(n, -1)
    if n < 10:
        return relative_of
    rows = rng.permutation(n)
    k = int(n * RELATIVE_SHARE)
    relative_of[rows[:k]] = rows[k + rng.integers(0, n - k, k)]
    return relative_of


def _ids_by_code(rng: np.random.Generator, codes: np.ndarray, pattern_of: dict) -> pa.Array:
    out = pa.nulls(len(codes), pa.large_string())
    for code in sorted(set(codes)):
        rows = codes == code
        ids = fill_pattern(rng, pattern_of[code], int(rows.sum()))
        out = pc.replace_with_mask(out, pa.array(rows), ids)
    return out


def _unique_ids(rng: np.random.Generator, codes: np.ndarray, pattern_of: dict) -> pa.Array:
    """IDs by the pattern of each row's code, redrawn until no two rows of a code share one."""
    ids = _ids_by_code(rng, codes, pattern_of)
    for _ in range(20):
        dup = _repeated(concat(pa.array(codes.tolist(), pa.large_string()), "|", ids))
        if not dup.any():
            break
        ids = pc.replace_with_mask(ids, pa.array(dup), _ids_by_code(rng, codes[dup], pattern_of))
    return ids


def _repeated(values: pa.Array) -> np.ndarray:
    """True for each row whose value already appeared in an earlier row."""
    codes = np.asarray(pc.dictionary_encode(values).indices)
    first = np.unique(codes, return_index=True)[1]
    dup = np.ones(len(codes), bool)
    dup[first] = False
    return dup


def _persons(rng: np.random.Generator, country: Country, n: int) -> dict[str, object]:
    cultures_, weights = zip(*country.cultures, strict=True)
    counts = rng.multinomial(n, np.array(weights) / sum(weights))
    names, culture, relative_of = [], [], []
    for c, k in zip(cultures_, counts, strict=True):
        rel = _relatives(rng, int(k))
        names.append(person_names(rng, c, rel))
        culture += [c] * int(k)
        relative_of.append(np.where(rel >= 0, rel + len(culture) - k, -1))
    cultures = np.array(culture, dtype=object)
    rel = np.concatenate(relative_of)
    nationality = _nationalities(rng, country, cultures)
    lang = country.language if country.language in OCCUPATIONS else "en"
    shared_address = (rel >= 0) & (rng.random(n) < 0.8)
    shared_phone = (rel >= 0) & (rng.random(n) < 0.3)
    rows = np.arange(n)
    return {
        "kind": "person",
        "name": pa.concat_arrays(names),
        "birth_day": birth_days(rng, n),
        "birth_valid": np.ones(n, bool),
        "nationality": nationality,
        "address": pc.take(
            addresses(rng, country, n), pa.array(np.where(shared_address, rel, rows))
        ),
        "phone": pc.take(
            phone_numbers(rng, country, n), pa.array(np.where(shared_phone, rel, rows))
        ),
        "industry": pa.nulls(n, pa.large_string()),
        "occupation": _draw(rng, OCCUPATIONS[lang], n),
        "is_pep": rng.random(n) < 0.004,
        "culture": cultures,
    }


def _company_cores(rng: np.random.Generator, country: Country, n: int) -> pa.Array:
    """What a company is called after: a place or virtue, a founder, two partners, a family."""
    style = company_style(country)
    culture = {"es": "es", "pt": "pt", "zh": "zh", "vi": "vi"}.get(style, "en")
    if country.code == "SR":
        culture = "nl_sr"
    if culture in ("zh", "vi"):  # Huaxing, Phú Thịnh: two given-name syllables
        pool = given_pool(culture, False) + given_pool(culture, True)
        a, b = _draw(rng, pool, n), _draw(rng, pool, n)
        two = concat(a, " ", b) if culture == "vi" else concat(a, pc.utf8_lower(b))
        return when(rng.random(n) < 0.2, _draw(rng, COMPANY_CORES[style], n), two)
    founder, partner = _draw(rng, surname_pool(culture), n), _draw(rng, surname_pool(culture), n)
    suffix = _draw(rng, CORE_SUFFIXES[culture if culture in CORE_SUFFIXES else "en"], n)
    place = _draw(rng, COMPANY_CORES[style], n)
    initials = fill_pattern(rng, "@@@", n)
    choice = rng.choice(5, n, p=[0.25, 0.35, 0.15, 0.15, 0.10]).astype(np.int8)
    return pc.choose(
        pa.array(choice),
        place,
        founder,
        concat(founder, " & ", partner),
        concat(founder, " ", suffix),
        initials,
    )


def _company_names(rng: np.random.Generator, country: Country, industry: np.ndarray) -> pa.Array:
    n = len(industry)
    style = company_style(country)
    words = pick([i.word(country.language) for i in INDUSTRIES], industry)
    english = pick([i.word("en") for i in INDUSTRIES], industry)
    core = _company_cores(rng, country, n)
    legal = _draw(rng, country.legal_forms, n)
    if style in ("es", "pt"):
        return concat(words, " ", core, " ", legal)
    if style == "zh":
        city = _draw(rng, tuple(c.name for c in country.cities), n)
        return concat(city, " ", core, " ", english, " ", legal)
    if style == "vi":
        return concat(core, " ", english, " ", legal)
    return concat(core, " ", words, " ", legal)


def _companies(rng: np.random.Generator, country: Country, n: int) -> dict[str, object]:
    weights = np.array([i.weight for i in INDUSTRIES])
    industry = rng.choice(len(INDUSTRIES), n, p=weights / weights.sum())
    names = _company_names(rng, country, industry)
    for _ in range(10):  # a registry gives no two companies the same name
        dup = _repeated(names)
        if not dup.any():
            break
        names = pc.replace_with_mask(
            names, pa.array(dup), _company_names(rng, country, industry[dup])
        )
    return {
        "kind": "company",
        "name": names,
        "birth_day": np.zeros(n, np.int64),
        "birth_valid": np.zeros(n, bool),
        "nationality": np.full(n, None, dtype=object),
        "address": addresses(rng, country, n),
        "phone": phone_numbers(rng, country, n),
        "industry": pick([i.key for i in INDUSTRIES], industry),
        "occupation": pa.nulls(n, pa.large_string()),
        "is_pep": np.zeros(n, bool),
        "culture": np.full(n, None, dtype=object),
    }


# -- the originals: one record per real person or company ----------------------------------

_TEXT = ("name", "address", "phone", "id_number", "industry", "occupation")


def _originals(seed: int, n: int) -> dict[str, object]:
    """``n`` records, one per real party; text as Arrow, the rest as NumPy arrays."""
    rng = _rng(seed, 1)
    weights = np.array([c.weight for c in COUNTRIES_USED])
    parts: list[dict[str, object]] = []
    for country, k in zip(COUNTRIES_USED, rng.multinomial(n, weights / weights.sum()), strict=True):
        n_person = int(rng.binomial(k, PERSON_SHARE))
        for build, count in ((_persons, n_person), (_companies, int(k) - n_person)):
            if count:
                cols = build(rng, country, count)
                cols["kind"] = np.full(count, cols["kind"], dtype=object)
                cols["country"] = np.full(count, country.code, dtype=object)
                parts.append(cols)
    cols = {
        name: pa.concat_arrays([p[name] for p in parts])
        if name in _TEXT
        else np.concatenate([p[name] for p in parts])
        for name in parts[0]
        if name != "id_number"
    }
    person = cols["kind"] == "person"
    ids = pa.nulls(n, pa.large_string())
    for rows, codes, pattern in (
        (person, cols["nationality"], {c.code: c.person_id for c in COUNTRIES}),
        (~person, cols["country"], {c.code: c.company_id for c in COUNTRIES}),
    ):
        ids = pc.replace_with_mask(ids, pa.array(rows), _unique_ids(rng, codes[rows], pattern))
    cols["id_number"] = ids
    cols["key"] = np.arange(n)
    return cols


# -- the duplicates: another source's record of the same party -----------------------------


def _vary(values: list, rows: np.ndarray, variant: Callable[[str], str]) -> None:
    """Replace ``values[rows]`` (where present) by a variant of each."""
    for i in rows:
        if values[i] is not None:
            values[i] = variant(values[i])


def _renew(
    values: list,
    rows: np.ndarray,
    countries: np.ndarray,
    build: Callable[[np.random.Generator, Country, int], pa.Array],
    rng: np.random.Generator,
) -> None:
    """A new value (the party moved, or changed phone) for ``rows``, built per country."""
    for code in sorted(set(countries[rows])):
        these = rows[countries[rows] == code]
        for i, v in zip(these, build(rng, BY_CODE[code], len(these)).to_pylist(), strict=True):
            values[i] = v


def _copies(seed: int, orig: dict[str, object], c: int) -> dict[str, object]:
    """``c`` noisy records: 1 to 3 each for randomly chosen originals."""
    rng = _rng(seed, 2)
    m = len(orig["key"])
    chosen = rng.permutation(m)
    copies = rng.choice(COPIES, m, p=COPY_P)
    upto = np.cumsum(copies)
    last = int(np.searchsorted(upto, c))
    if last >= m:
        raise ValueError(f"{c} duplicates of {m} originals is more than {COPIES[-1]} each")
    copies[last] -= upto[last] - c
    src = np.repeat(chosen[: last + 1], copies[: last + 1])
    take = pa.array(src)
    out = {k: (pc.take(v, take) if k in _TEXT else v[src]) for k, v in orig.items()}
    person = out["kind"] == "person"
    cultures, countries = out["culture"], out["country"]
    text = {k: out[k].to_pylist() for k in ("name", "address", "phone", "id_number")}
    roll = rng.random((c, 6))

    names = text["name"]
    for i in np.flatnonzero(roll[:, 0] >= np.where(person, 0.35, 0.4)):
        names[i] = (
            name_variant(names[i], cultures[i] or "en", rng)
            if person[i]
            else company_variant(names[i], rng)
        )

    days, valid = out["birth_day"].copy(), out["birth_valid"].copy()
    for i in np.flatnonzero(valid & (roll[:, 1] < 0.2)):
        days[i] = birth_variant(int(days[i]), rng)
    valid &= (roll[:, 1] < 0.2) | (roll[:, 1] >= 0.35)

    nationality = out["nationality"].copy()
    nationality[roll[:, 2] < 0.15] = None

    r = roll[:, 3]
    _vary(
        text["address"], np.flatnonzero((r >= 0.45) & (r < 0.7)), lambda a: address_variant(a, rng)
    )
    _renew(text["address"], np.flatnonzero(r >= 0.85), countries, addresses, rng)
    missing_address = (r >= 0.7) & (r < 0.85)

    r = roll[:, 4]
    phones = text["phone"]
    for i in np.flatnonzero((r >= 0.4) & (r < 0.65)):
        phones[i] = phone_variant(phones[i], BY_CODE[countries[i]].dial, rng)
    _renew(phones, np.flatnonzero(r >= 0.85), countries, phone_numbers, rng)
    missing_phone = (r >= 0.65) & (r < 0.85)

    r = roll[:, 5]
    keep = np.where(person, 0.55, 0.6)
    _vary(
        text["id_number"],
        np.flatnonzero((r >= keep) & (r < keep + 0.15)),
        lambda v: id_variant(v, rng),
    )
    missing_id = r >= keep + 0.15

    def nulled(values: list, missing: np.ndarray) -> pa.Array:
        return pc.if_else(
            pa.array(missing),
            pa.scalar(None, pa.large_string()),
            pa.array(values, pa.large_string()),
        )

    more = rng.random((c, 2))
    return {
        **out,
        "name": pa.array(names, pa.large_string()),
        "birth_day": days,
        "birth_valid": valid,
        "nationality": nationality,
        "address": nulled(text["address"], missing_address),
        "phone": nulled(phones, missing_phone),
        "id_number": nulled(text["id_number"], missing_id),
        "occupation": pc.if_else(
            pa.array(more[:, 0] < 0.25), pa.scalar(None, pa.large_string()), out["occupation"]
        ),
        "industry": pc.if_else(
            pa.array(more[:, 1] < 0.2), pa.scalar(None, pa.large_string()), out["industry"]
        ),
    }


# -- the tables ------------------------------------------------------------------------------


def generate(n: int, seed: int = 7) -> tuple[pa.Table, pa.Table]:
    """``n`` party records (contract columns) and the truth (party_id, person_key).

    The originals are n / 1.28 real parties; the rest are their duplicates, 1 to 3 each for
    about ``DUPLICATED_SHARE`` of them.
    """
    if n < 100:
        raise ValueError(f"n must be at least 100 party records, got {n}")
    m = round(n / (1 + DUPLICATED_SHARE * float(COPIES @ COPY_P)))
    orig = _originals(seed, m)
    extra = n - m
    dups = _copies(seed, orig, extra)
    rng = _rng(seed, 3)
    cols = {
        k: pa.concat_arrays([orig[k], dups[k]])
        if k in _TEXT
        else np.concatenate([orig[k], dups[k]])
        for k in orig
    }
    source = np.concatenate(
        [rng.choice(3, m, p=[0.9, 0.07, 0.03]), rng.choice(3, extra, p=[0.5, 0.35, 0.15])]
    )
    shuffled = rng.permutation(len(source))
    order = shuffled[np.argsort(source[shuffled], kind="stable")]
    counts = np.bincount(source, minlength=len(SOURCES))
    party_id = pa.concat_arrays(
        [prefixed_ids(p, np.arange(1, k + 1), 8) for p, k in zip(SOURCES, counts, strict=True)]
    )
    idx = pa.array(order)

    def col(name: str) -> pa.Array:
        v = cols[name]
        return pc.take(v, idx) if isinstance(v, pa.Array) else pa.array(v[order], pa.large_string())

    days = cols["birth_day"][order].astype(np.int32)
    parties = pa.table(
        {
            "party_id": party_id,
            "kind": col("kind"),
            "name": col("name"),
            "birth_date": pa.array(days, pa.int32(), mask=~cols["birth_valid"][order]).cast(
                pa.date32()
            ),
            "nationality": col("nationality"),
            "country": col("country"),
            "address": col("address"),
            "phone": col("phone"),
            "id_number": col("id_number"),
            "industry": col("industry"),
            "occupation": col("occupation"),
            "is_pep": pa.array(cols["is_pep"][order]),
        }
    )
    truth = pa.table({"party_id": party_id, "person_key": prefixed_ids("E", cols["key"][order], 8)})
    return parties, truth


def summary(parties: pa.Table, truth: pa.Table) -> dict[str, object]:
    """Counts, the commonest names and how often two real persons share name and birth date."""
    import duckdb

    con = duckdb.connect()
    con.register("p", parties)
    con.register("t", truth)
    keys = con.execute("SELECT count(DISTINCT person_key) FROM t").fetchone()[0]
    top = con.execute(
        "SELECT name, count(*) AS n, count(DISTINCT person_key) FROM p JOIN t USING (party_id)"
        " WHERE kind = 'person' GROUP BY name ORDER BY n DESC, name LIMIT 20"
    ).fetchall()
    shared = con.execute(
        "SELECT count(*) FROM (SELECT name, birth_date FROM p JOIN t USING (party_id)"
        " WHERE kind = 'person' GROUP BY ALL HAVING count(DISTINCT person_key) > 1)"
    ).fetchone()[0]
    kinds = dict(con.execute("SELECT kind, count(*) FROM p GROUP BY kind").fetchall())
    return {
        "records": parties.num_rows,
        "real_parties": keys,
        "duplicate_records": parties.num_rows - keys,
        "duplicate_rate": round((parties.num_rows - keys) / parties.num_rows, 4),
        "by_kind": kinds,
        "top_person_names": [f"{name}: {n} records, {k} persons" for name, n, k in top],
        "name_and_birth_date_shared_by_different_persons": shared,
    }


def write(parties: pa.Table, truth: pa.Table, out: Path, *, csv: bool = False) -> list[Path]:
    """Write DIR/parties.parquet (or parties.csv) and DIR/truth.csv; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    options = pacsv.WriteOptions(quoting_style="needed")
    if csv:
        path = out / "parties.csv"
        pacsv.write_csv(parties, path, write_options=options)
    else:
        path = out / "parties.parquet"
        pq.write_table(parties, path)
    pacsv.write_csv(truth, out / "truth.csv", write_options=options)
    return [path, out / "truth.csv"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--csv", action="store_true", help="write parties.csv, not Parquet")
    parser.add_argument("--stats", action="store_true", help="add name statistics to the summary")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    parties, truth = generate(args.records, args.seed)
    seconds = time.perf_counter() - started
    paths = write(parties, truth, args.out, csv=args.csv)
    result: dict[str, object] = {
        "files": [str(p) for p in paths],
        "records": parties.num_rows,
        "generate_seconds": round(seconds, 2),
        "records_per_s": round(parties.num_rows / seconds),
    }
    if args.stats:
        result |= summary(parties, truth)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
