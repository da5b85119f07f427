"""Name pools by naming tradition, and the words companies are named with.

Pools are plain tuples; ``onca.synth._names`` builds full names from them. Cultures:
``es`` Spanish (two surnames, Andean surnames included), ``pt`` Portuguese (particles de/da/dos),
``en`` English (Guyanese surnames included), ``zh`` Chinese in pinyin (family name first),
``vi`` Vietnamese, ``nl_sr`` Dutch and Surinamese (Hindustani, Javanese, Creole, Chinese),
``de`` German, ``ar`` Arabic (Gulf).
"""

from __future__ import annotations

# Data tables, one row per line so they read as tables (the formatter would break rows apart).
# fmt: off
GIVEN: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # culture: (male, female)
    "es": (
        ("José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Pedro", "Mario", "Fernando",
         "Ricardo", "Roberto", "Alejandro", "Diego", "Víctor", "Édgar", "Hugo", "Óscar", "Rubén",
         "Freddy", "Wilson", "Rolando", "Germán", "Iván", "Nelson", "Franz", "René", "Sergio",
         "Andrés", "Julio", "Ramiro", "Gustavo", "Álvaro", "Walter", "Eliseo", "Marco", "Raúl"),
        ("María", "Ana", "Rosa", "Carmen", "Juana", "Lucía", "Patricia", "Elena", "Sonia",
         "Silvia", "Gabriela", "Verónica", "Mónica", "Claudia", "Daniela", "Fernanda", "Ximena",
         "Noemí", "Beatriz", "Teresa", "Julia", "Marisol", "Roxana", "Paola", "Lourdes", "Inés",
         "Andrea", "Soledad", "Yolanda", "Mercedes", "Sofía", "Valeria"),
    ),
    "pt": (
        ("João", "José", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz",
         "Marcos", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe",
         "Raimundo", "Rodrigo", "Sebastião", "Thiago", "Mateus", "Gustavo", "André", "Fábio",
         "Leandro", "Cícero", "Otávio"),
        ("Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda",
         "Patrícia", "Aline", "Sandra", "Camila", "Amanda", "Bruna", "Jéssica", "Letícia", "Júlia",
         "Luciana", "Vanessa", "Mariana", "Gabriela", "Raimunda", "Conceição", "Tereza"),
    ),
    "en": (
        ("James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
         "Charles", "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Paul",
         "Andrew", "Kevin", "Brian", "Devon", "Rohan"),
        ("Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
         "Sarah", "Karen", "Lisa", "Nancy", "Sandra", "Ashley", "Emily", "Michelle", "Amanda",
         "Melissa", "Deborah", "Shondell", "Kamala"),
    ),
    "zh": (
        ("Wei", "Qiang", "Lei", "Jun", "Yong", "Jie", "Tao", "Ming", "Chao", "Gang", "Hao",
         "Jian", "Zhiqiang", "Xiaoming", "Jianguo", "Haitao", "Kai", "Long", "Dong", "Bo"),
        ("Fang", "Min", "Jing", "Li", "Yan", "Xiu", "Xia", "Hua", "Ping", "Hui", "Hong", "Lin",
         "Mei", "Yun", "Xiaoling", "Lihua", "Yuqing", "Jingwen", "Na", "Ting"),
    ),
    "vi": (
        ("Anh", "Bảo", "Cường", "Dũng", "Hải", "Hùng", "Khoa", "Long", "Minh", "Nam", "Phong",
         "Quang", "Sơn", "Thắng", "Tuấn", "Việt"),
        ("Hoa", "Hương", "Lan", "Linh", "Mai", "Ngọc", "Nhung", "Phương", "Thảo", "Trang",
         "Tuyết", "Vy", "Yến"),
    ),
    "nl_sr": (
        ("Jan", "Pieter", "Kees", "Willem", "Henk", "Rudi", "Marlon", "Ricardo", "Radjesh",
         "Sunil", "Anand", "Ravi", "Soekarno", "Dennis", "Romeo", "Glenn"),
        ("Dewi", "Sandra", "Anita", "Priya", "Shanti", "Saskia", "Ingrid", "Esther", "Chantal",
         "Kavita", "Sri", "Marianne", "Natasha", "Sharda"),
    ),
    "de": (
        ("Thomas", "Michael", "Andreas", "Stefan", "Klaus", "Jürgen", "Matthias", "Uwe"),
        ("Sabine", "Petra", "Claudia", "Anja", "Katrin", "Ursula", "Jutta", "Birgit"),
    ),
    "ar": (
        ("Mohammed", "Ahmed", "Ali", "Omar", "Khalid", "Hassan", "Saeed", "Rashid", "Yousef"),
        ("Fatima", "Aisha", "Mariam", "Noura", "Hessa", "Layla", "Amna"),
    ),
}

SURNAMES: dict[str, tuple[str, ...]] = {
    "es": ("García", "Rodríguez", "Fernández", "López", "Martínez", "Gómez", "Pérez", "Sánchez",
           "Ramírez", "Flores", "Torres", "Vargas", "Rojas", "Gutiérrez", "Mendoza", "Castro",
           "Ortiz", "Chávez", "Morales", "Romero", "Herrera", "Medina", "Suárez", "Aguilar",
           "Vásquez", "Salazar", "Cruz", "Ríos", "Paredes", "Peña", "Quispe", "Mamani", "Condori",
           "Choque", "Huanca", "Apaza", "Ticona", "Limachi", "Villca", "Cáceres", "Zapata", "Arce",
           "Montaño", "Justiniano", "Saucedo", "Añez", "Núñez", "Ibáñez", "Muñoz", "Gonzáles",
           "Jiménez", "Velásquez", "Escobar", "Cordero", "Cuéllar", "Céspedes", "Roca", "Paz",
           "Soliz", "Terrazas", "Huamán", "Ccori", "Villanueva", "Espinoza", "Cabrera"),
    "pt": ("Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
           "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes",
           "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade",
           "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas", "Cardoso", "Ramos",
           "Gonçalves", "Araújo", "Conceição", "Batista", "Monteiro", "Cavalcanti"),
    "en": ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
           "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Thompson", "White",
           "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "Allen", "King", "Wright",
           "Scott", "Green", "Baker", "Adams", "Nelson", "Persaud", "Singh", "Ramsaroop",
           "Fraser", "Bacchus"),
    "zh": ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
           "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Luo", "Gao", "Zheng", "Liang", "Xie",
           "Tang", "Feng", "Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan",
           "Cai", "Jiang", "Yu", "Du", "Ye", "Cheng", "Wei", "Su", "Lu", "Ding", "Shen", "Chan",
           "Wong", "Cheung", "Lau", "Leung", "Ng"),
    "vi": ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
           "Đỗ", "Hồ", "Ngô", "Dương", "Lý"),
    "nl_sr": ("de Vries", "van den Berg", "Bakker", "Janssen", "Visser", "Smit", "Meijer",
              "de Boer", "Mulder", "van Dijk", "Pinas", "Brunings", "Sewnarain", "Ramdin",
              "Jagessar", "Ramsaran", "Mohan", "Wongsodikromo", "Karijodikoro", "Kromodimedjo",
              "Fung A Loi", "Tjon A Joe", "Linger", "Amafo", "Kasanpawiro", "Sastro"),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
           "Schulz", "Hoffmann", "Koch", "Richter", "Wolf", "Schäfer"),
    "ar": ("Al Mansoori", "Al Hashimi", "Al Falasi", "Al Suwaidi", "Al Nuaimi", "Haddad",
           "Khoury", "Nasser", "Saleh", "Rahman", "Al Marzouqi"),
}

PT_PARTICLES: dict[str, str] = {
    "Silva": "da", "Santos": "dos", "Oliveira": "de", "Souza": "de", "Costa": "da",
    "Nascimento": "do", "Conceição": "da", "Rocha": "da", "Cruz": "da", "Lima": "de",
    "Almeida": "de", "Andrade": "de", "Freitas": "de", "Araújo": "de", "Moreira": "de",
}
VI_MIDDLE = (("Văn", "Hữu", "Đức", "Minh", "Quốc"), ("Thị", "Ngọc", "Thanh", "Kim", "Thu"))

COMPANY_CORES: dict[str, tuple[str, ...]] = {
    "es": ("Los Andes", "El Dorado", "Amazonas", "San Martín", "Santa Rosa", "Del Oriente",
           "La Esperanza", "Tropical", "Illimani", "Chiquitano", "El Sol", "Pacífico",
           "Continental", "Del Valle", "San José", "Imperial", "Horizonte", "Mamoré",
           "Tahuamanu", "Del Sur", "Los Pinos", "El Jaguar", "Los Loros"),
    "pt": ("Atlântico", "Amazônia", "Pantanal", "Cerrado", "Rio Negro", "Boa Vista",
           "Santa Luzia", "Tropical", "Primavera", "Horizonte", "Nordeste", "Vitória",
           "Onça Pintada", "Guaporé"),
    "en": ("Pacific", "Atlantic", "Golden", "Summit", "Evergreen", "Liberty", "Eagle",
           "Pioneer", "Coastal", "Sunrise", "Jaguar", "Harbor"),
    "zh": ("Huaxing", "Jinlong", "Tianli", "Xinhua", "Hengda", "Yuantai", "Fuxing",
           "Longsheng", "Dafu", "Wanli", "Hongfa", "Jiahe", "Wing Fat", "Tai Hing", "Sun Wah"),
    "vi": ("Hải Long", "Phú Thịnh", "Minh Phát", "Thành Công", "Hoàng Gia", "Tân Phú"),
    "nl": ("Marowijne", "Amazone", "Tropica", "Saramacca", "Holland", "Noordzee", "Oranje",
           "Commewijne"),
    "de": ("Rhein", "Hansa", "Nord", "Alpen", "Elbe", "Main"),
    "ar": ("Al Noor", "Al Baraka", "Al Madina", "Golden Falcon", "Desert Rose", "Al Safa"),
}

STREETS: dict[str, tuple[str, ...]] = {
    "es": ("Calle Sucre", "Av. Bolívar", "Calle Junín", "Av. Ayacucho", "Calle Los Pinos",
           "Av. 6 de Agosto", "Av. San Martín", "Calle Independencia", "Av. Arce",
           "Calle Libertad", "Av. Grau", "Jr. Huallaga", "Av. Banzer", "Calle Warnes"),
    "pt": ("Rua das Flores", "Av. Sete de Setembro", "Rua XV de Novembro",
           "Av. Barão do Rio Branco", "Rua Getúlio Vargas", "Travessa São José", "Rua do Comércio"),
    "en": ("Main Street", "Oak Avenue", "Maple Drive", "Washington Blvd", "Lake Road",
           "Brickdam", "Regent Street"),
    "zh": ("Jiefang Lu", "Zhongshan Lu", "Renmin Lu", "Jianshe Lu", "Heping Lu",
           "Nathan Road", "Des Voeux Road"),
    "vi": ("Đường Lê Lợi", "Đường Nguyễn Huệ", "Đường Trần Hưng Đạo", "Đường Hai Bà Trưng"),
    "nl": ("Kerkstraat", "Dorpsstraat", "Keizerstraat", "Waterkant", "Domineestraat",
           "Henck Arronstraat"),
    "de": ("Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Hafenstraße"),
    "ar": ("Sheikh Zayed Road", "Al Wasl Road", "Khalid Bin Walid Road"),
}

OCCUPATIONS: dict[str, tuple[str, ...]] = {
    "es": ("comerciante", "agricultor", "profesor", "empleado", "estudiante", "chofer",
           "ingeniero", "enfermera", "albañil", "abogado", "contador", "ama de casa", "jubilado",
           "médico", "mecánico", "independiente", "funcionario público", "ganadero"),
    "pt": ("comerciante", "agricultor", "professor", "empregado", "estudante", "motorista",
           "engenheiro", "enfermeira", "pedreiro", "advogado", "contador", "aposentado",
           "médico", "autônomo", "servidor público", "pecuarista"),
    "en": ("merchant", "farmer", "teacher", "clerk", "student", "driver", "engineer", "nurse",
           "lawyer", "accountant", "retired", "physician", "mechanic", "self-employed",
           "civil servant", "business owner"),
}
# fmt: on
