#!/usr/bin/env python3
"""Generate a recorded live-selling stream for Tienda Rayén: Meta webhook bodies, one per line.

Run from the repository root (standard library only, deterministic, seeded with
``random.Random(2026)``)::

    python3 examples/make_live.py

It rewrites two files next to this script:

``examples/catalog.json``
    The evaluation catalog (24 products, ``current_product`` = B3, same products,
    variants and stock as ``data/catalog.json``) plus a top-level
    ``transfer_instructions`` string: the bank-transfer fallback the reply stage can
    send when no payment gateway is available.

``examples/live-rayen.jsonl``
    One line per webhook POST body, compact JSON in UTF-8, exactly as Meta would POST
    it to the ingest endpoint, in delivery order. Lines are bodies only: no headers and
    no signature (a replay tool signs each line with the app secret it is given).

The live
--------
* Facebook Page ``104857600123456`` ("Tienda Rayén"), live video post
  ``104857600123456_880011223344``; the linked Instagram professional account
  ``17841400000000001`` streams the same live as media ``18000000000000042``.
* About 60 minutes from unix time 1764097200 (2025-11-25T19:00:00Z).
* Facebook comments arrive as ``object: page`` / ``field: feed`` changes with
  ``item: comment`` and ``verb`` ``add`` | ``edited`` | ``remove``. For ``edited`` and
  ``remove`` the ``created_time`` is the time of the edit/removal; the comment id is the
  key. Instagram comments arrive as ``object: instagram`` / ``field: live_comments``
  (plus a few ``field: comments`` on a FEED post, media ``18000000000000777``); they
  carry no time of their own, ``entry.time`` is the comment's time.
* Messenger entries carry ``time``/``timestamp`` in **milliseconds**, as Messenger does;
  feed and Instagram times are in seconds.

Product shown (set through the seller API, not by a webhook; a replay should switch
``current_product`` at these offsets)::

    +00:00  1764097200  B3   Sandalias de plataforma   (catalog current_product)
    +15:00  1764098100  A12  Polera básica algodón
    +22:00  1764098520  A3   Polera estampada oversize
    +28:00  1764098880  A6   Polerón canguro
    +33:00  1764099180  B1   Zapatillas urbanas
    +39:00  1764099540  C1   Labial mate (then C2, C3, C4 on the same table)
    +46:00  1764099960  A1   Vestido midi floral (next to A7, A5, A8)
    +52:00  1764100320  B5   Aros de plata (accessories: B6, B4, B8, B7; A9, A11)
    +57:00  1764100620  none (closing: payment and thanks)

Bare claims ("mío", "yo", "eu quero", "mine", "sold") are all made while B3 is shown.

What is in it (the tally printed to stderr gives the exact numbers)
-----------------------------------------------------------------
* ~360 unique buyer comments: ~55 % Spanish (Chile/LatAm), ~30 % Portuguese (Brazil),
  ~15 % English; ~45 % purchases, ~10 % cancellations, ~20 % questions, ~25 % noise.
* A rush on B3 38 negro (stock 4): 25+ different buyers claim it in the first minutes,
  so a waitlist forms; some holders cancel or delete their comment later.
* Other variants that sell out: A12-M (8), A3-XL-NEGRO (1), B1-38-NEGRO (3),
  C1-VINO (6), A1-L-AZUL (1). Claims on zero-stock SKUs (A1-L-ROSADO, A6-L-NEGRO,
  A9-XL-BEIGE, A11-L-LILA), unknown codes (Z9, A99, D4) and variants that do not exist
  (A12 XXS, B3 35, A3 roja, B1 42, C1 rosado). Ambiguous names ("el vestido en M").
* Multi-item claims, quantities, Brazilian sizes P/M/G/GG, code spellings (a-3, #B1,
  cod C1), product names in three languages.
* Cancellations, mostly by buyers who claimed earlier in this live, some naming no
  product (to be resolved against the buyer's latest claim), three from buyers with no
  claim at all.
* Delivery realism: batched entries (2-5 changes), POSTs with 2 entries, exact
  redeliveries of earlier POSTs (Meta retries), a few comments repeated inside a later
  different batch (same comment id), a few POSTs delivered out of order, 5 edits,
  5 removals (4 claims, 1 spam), one sticker comment with no ``message``.
* Events the product must ignore: reactions, shares (one with a message that names a
  product), 3 Messenger entries, 5 comments written by the Page itself (one of them a
  reply to a buyer), and replies between buyers.
"""

import copy
import json
import os
import random
import re
import sys
import unicodedata
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_JSONL = os.path.join(HERE, "live-rayen.jsonl")
OUT_CATALOG = os.path.join(HERE, "catalog.json")

PAGE_ID = "104857600123456"
PAGE_NAME = "Tienda Rayén"
IG_ACCOUNT_ID = "17841400000000001"
VIDEO_ID = "880011223344"
POST_ID = PAGE_ID + "_" + VIDEO_ID
PERMALINK = "https://www.facebook.com/104857600123456/videos/880011223344"
IG_LIVE_MEDIA = "18000000000000042"
IG_FEED_MEDIA = "18000000000000777"
T0 = 1764097200

rng = random.Random(2026)

# --------------------------------------------------------------------------- catalog

CATALOG_HEAD = [
    ("seller", "Tienda Rayén (live de evaluación)"),
    ("live_id", "live-eval-001"),
    ("currency", "CLP"),
    ("current_product", "B3"),
]
TRANSFER_INSTRUCTIONS = (
    "Transferencia bancaria a Tienda Rayén SpA · Banco de Chile · Cuenta Corriente "
    "N° 00-123-45678-09 · RUT 76.543.210-3 · Email: pagos@tiendarayen.cl. "
    "En el asunto pon tu nombre y el número de pedido, y envía el comprobante a ese "
    "email. Tienes 24 horas para pagar; después la reserva se libera."
)

# code, name, category, price, sizes, colors, stock (color outer, size inner, as the SKUs)
PRODUCTS = [
    ("A1", "Vestido midi floral", "ropa", 24990, "S M L", ["azul", "rosado"], [2, 3, 1, 2, 2, 0]),
    ("A2", "Jeans mom fit", "ropa", 29990, "38 40 42 44", [], [3, 4, 2, 1]),
    ("A3", "Polera estampada oversize", "ropa", 14990, "S M L XL", ["blanco", "negro"], [4, 5, 3, 2, 3, 4, 2, 1]),
    ("A4", "Chaleco de lana", "ropa", 27990, "S M L", ["beige", "gris", "verde"], [2, 3, 1, 2, 2, 2, 1, 2, 2]),
    ("A5", "Blusa de seda", "ropa", 19990, "S M L", ["blanco", "negro"], [2, 3, 2, 2, 3, 1]),
    ("A6", "Polerón canguro", "ropa", 22990, "S M L XL", ["gris", "negro"], [3, 4, 3, 2, 3, 4, 0, 2]),
    ("A7", "Vestido largo de fiesta", "ropa", 39990, "S M L", ["negro", "rojo"], [2, 2, 1, 2, 1, 1]),
    ("A8", "Falda plisada", "ropa", 17990, "S M L", ["negro", "verde"], [3, 3, 2, 2, 2, 1]),
    ("A9", "Pantalón palazzo", "ropa", 24990, "S M L XL", ["negro", "beige"], [3, 3, 2, 1, 2, 3, 2, 0]),
    ("A10", "Chaqueta de mezclilla", "ropa", 34990, "S M L XL", [], [2, 3, 3, 1]),
    ("A11", "Top deportivo", "ropa", 11990, "S M L", ["negro", "rosado", "lila"], [3, 4, 2, 3, 3, 1, 2, 2, 0]),
    ("A12", "Polera básica algodón", "ropa", 12990, "S M L XL", [], [6, 8, 5, 3]),
    ("B1", "Zapatillas urbanas", "calzado", 39990, "36 37 38 39 40 41", ["blanco", "negro"], [1, 2, 3, 2, 2, 1, 2, 2, 3, 3, 2, 1]),
    ("B2", "Botines de cuero", "calzado", 49990, "36 37 38 39 40 41", ["negro", "café"], [1, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 1]),
    ("B3", "Sandalias de plataforma", "calzado", 27990, "36 37 38 39 40 41", ["negro", "beige"], [2, 3, 4, 4, 3, 2, 2, 3, 4, 3, 2, 2]),
    ("B4", "Cartera de cuero", "accesorios", 34990, "", ["negro", "café"], [4, 3]),
    ("B5", "Aros de plata", "accesorios", 12990, "", [], [10]),
    ("B6", "Collar de perlas", "accesorios", 15990, "", [], [6]),
    ("B7", "Bufanda tejida", "accesorios", 13990, "", ["gris", "rojo", "beige"], [4, 3, 2]),
    ("B8", "Lentes de sol", "accesorios", 19990, "", [], [5]),
    ("C1", "Labial mate", "cosmética", 8990, "", ["rojo", "nude", "vino"], [10, 8, 6]),
    ("C2", "Base líquida", "cosmética", 15990, "", ["claro", "medio", "oscuro"], [5, 6, 4]),
    ("C3", "Paleta de sombras", "cosmética", 18990, "", [], [8]),
    ("C4", "Esmalte de uñas", "cosmética", 4990, "", ["rojo", "rosado", "negro", "nude"], [12, 10, 8, 9]),
]


def strip_accents(s):
    return "".join(ch for ch in unicodedata.normalize("NFD", s) if unicodedata.category(ch) != "Mn")


def build_products():
    out = []
    for code, name, cat, price, sizes, colors, stock in PRODUCTS:
        sizes = sizes.split() or [None]
        colors = colors or [None]
        variants = []
        if sizes != [None] or colors != [None]:
            for color in colors:
                for size in sizes:
                    parts = [code] + [x for x in (size, strip_accents(color).upper() if color else None) if x]
                    variants.append({"sku": "-".join(parts), "size": size, "color": color})
        keys = [v["sku"] for v in variants] or [code]
        assert len(keys) == len(stock), code
        out.append({
            "code": code, "name": name, "category": cat, "price_cents": price, "currency": "CLP",
            "variants": variants, "stock": dict(zip(keys, stock)),
        })
    return out


CATALOG = build_products()
BY_CODE = {p["code"]: p for p in CATALOG}


def write_catalog(path):
    """Write the catalog in the same layout as data/catalog.json (one variant per line)."""
    d = lambda v: json.dumps(v, ensure_ascii=False)
    lines = ["{"]
    for k, v in CATALOG_HEAD:
        lines.append("  %s: %s," % (d(k), d(v)))
    lines.append("  %s: %s," % (d("transfer_instructions"), d(TRANSFER_INSTRUCTIONS)))
    lines.append('  "products": [')
    for i, p in enumerate(CATALOG):
        lines.append("    {")
        head = ", ".join("%s: %s" % (d(k), d(p[k])) for k in ("code", "name", "category", "price_cents", "currency"))
        lines.append("      " + head + ",")
        if p["variants"]:
            lines.append('      "variants": [')
            for j, v in enumerate(p["variants"]):
                lines.append("        " + d(v) + ("," if j < len(p["variants"]) - 1 else ""))
            lines.append("      ],")
        else:
            lines.append('      "variants": [],')
        lines.append('      "stock": ' + d(p["stock"]))
        lines.append("    }" + ("," if i < len(CATALOG) - 1 else ""))
    lines.append("  ]")
    lines.append("}")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


# --------------------------------------------------------------------------- people

ES_NAMES = [
    "Camila Rojas", "Valentina Muñoz", "Javiera González", "Constanza Soto", "Fernanda Díaz",
    "Catalina Contreras", "Daniela Silva", "Francisca Morales", "María José Araya", "Paula Sepúlveda",
    "Antonia Espinoza", "Macarena Fuentes", "Carolina Reyes", "Josefa Torres", "Isidora Castillo",
    "Trinidad Vargas", "Florencia Pérez", "Martina López", "Lucía Fernández", "Sofía Ramírez",
    "Gabriela Torres", "Andrea Quispe", "Natalia Gutiérrez", "Paola Herrera", "Ximena Cárdenas",
    "Romina Aguilera", "Bárbara Navarro", "Claudia Vera", "Pía Riquelme", "Karina Bravo",
    "Yessenia Tapia", "Marcela Orellana", "Nicole Cáceres", "Jocelyn Pizarro", "Rocío Jara",
    "Verónica Salinas", "Tamara Figueroa", "Jorge Muñoz", "Felipe Rojas", "Cristián Alarcón",
    "Daniela Parra", "Camila Saavedra", "Javiera Lagos", "Ignacia Valenzuela", "Belén Cortés",
    "Solange Meza", "Alejandra Campos", "Carla Poblete", "Mónica Henríquez", "Valeria Sandoval",
    "Scarlett Vidal", "Ana María Olivares",
]
PT_NAMES = [
    "Mariana Fernandes", "Ana Beatriz Souza", "Juliana Oliveira", "Larissa Santos", "Camila Pereira",
    "Beatriz Lima", "Fernanda Costa", "Gabriela Alves", "Letícia Rodrigues", "Amanda Carvalho",
    "Bruna Ribeiro", "Patrícia Gomes", "Aline Martins", "Thaís Barbosa", "Jéssica Araújo",
    "Renata Melo", "Vanessa Cardoso", "Priscila Rocha", "Natália Dias", "Raquel Nascimento",
    "Luana Teixeira", "Débora Moreira", "Tatiane Freitas", "Rafaela Castro", "Carolina Mendes",
    "Isabela Almeida",
]
EN_NAMES = [
    "Jessica Miller", "Ashley Johnson", "Emily Davis", "Sarah Thompson", "Brittany Wilson",
    "Megan Brown", "Lauren Garcia", "Kayla Martinez", "Rachel Anderson", "Taylor Moore",
    "Nicole Jackson", "Amanda White", "Samantha Harris", "Olivia Clark", "Madison Lewis",
]
IG_USERS = {
    "es": ["javi.gonzalez", "cote_soto", "fran.moralesb", "la.pia.riquelme", "mane_fuentes",
           "vale.munoz.c", "ro.jara", "isi.castillo_", "cata.contreras.r"],
    "pt": ["mari.fernandes", "bia_souza", "ju.oliveira", "lari.santos", "nat.dias_", "re.melo",
           "aline.martinss", "thaisbarbosa", "bru.ribeiro"],
    "en": ["jess.miller", "ash.j_style", "emdavis_", "sarah.t.closet"],
}

_used_ids = set()


def new_id(prefix, total_len):
    while True:
        s = prefix + "".join(rng.choice("0123456789") for _ in range(total_len - len(prefix)))
        if s not in _used_ids:
            _used_ids.add(s)
            return s


class Buyer:
    def __init__(self, platform, bid, name, lang):
        self.platform, self.id, self.name, self.lang = platform, bid, name, lang
        self.weight = min(rng.paretovariate(1.3), 8.0)

    def fb_from(self):
        return {"id": self.id, "name": self.name}

    def ig_from(self):
        return {"id": self.id, "username": self.name}


BUYERS = {"fb": {"es": [], "pt": [], "en": []}, "ig": {"es": [], "pt": [], "en": []}}
for lang, names in (("es", ES_NAMES), ("pt", PT_NAMES), ("en", EN_NAMES)):
    for n in names:
        BUYERS["fb"][lang].append(Buyer("fb", new_id(rng.choice("1256789"), 16), n, lang))
for lang, users in IG_USERS.items():
    for u in users:
        BUYERS["ig"][lang].append(Buyer("ig", new_id("1785", 17), u, lang))


SPAMMERS = {  # throwaway accounts that only post links
    "es": Buyer("fb", new_id("6", 16), "Inversiones Online Chile", "es"),
    "pt": Buyer("fb", new_id("6", 16), "Seguidores Brasil Oficial", "pt"),
    "en": Buyer("fb", new_id("6", 16), "Followers Boost", "en"),
}
IG_SPAMMERS = {
    "es": Buyer("ig", new_id("1785", 17), "moda.outlet.ofertas", "es"),
    "pt": Buyer("ig", new_id("1785", 17), "seguidores_gratis.br", "pt"),
    "en": Buyer("ig", new_id("1785", 17), "free.followers.now", "en"),
}


def is_spam(text):
    return any(k in text for k in ("bit.ly", "wa.me", "www.", "@moda.outlet"))


def pick_buyer(platform, lang, exclude=()):
    pool = [b for b in BUYERS[platform][lang] if b.id not in exclude] or BUYERS[platform][lang]
    return rng.choices(pool, weights=[b.weight for b in pool])[0]


# --------------------------------------------------------------------------- words

ES_ART = {  # code -> (article, name, gender)
    "A1": ("el", "vestido floral", "m"), "A2": ("los", "jeans mom", "mp"), "A3": ("la", "polera estampada", "f"),
    "A4": ("el", "chaleco", "m"), "A5": ("la", "blusa de seda", "f"), "A6": ("el", "polerón", "m"),
    "A7": ("el", "vestido de fiesta", "m"), "A8": ("la", "falda", "f"), "A9": ("el", "palazzo", "m"),
    "A10": ("la", "chaqueta de mezclilla", "f"), "A11": ("el", "top", "m"), "A12": ("la", "polera básica", "f"),
    "B1": ("las", "zapatillas", "fp"), "B2": ("los", "botines", "mp"), "B3": ("las", "sandalias", "fp"),
    "B4": ("la", "cartera", "f"), "B5": ("los", "aros de plata", "mp"), "B6": ("el", "collar de perlas", "m"),
    "B7": ("la", "bufanda", "f"), "B8": ("los", "lentes de sol", "mp"), "C1": ("el", "labial", "m"),
    "C2": ("la", "base", "f"), "C3": ("la", "paleta de sombras", "f"), "C4": ("el", "esmalte", "m"),
}
PT_ART = {
    "A6": ("o", "moletom", "m"), "A7": ("o", "vestido de festa", "m"), "A8": ("a", "saia", "f"),
    "A9": ("a", "calça palazzo", "f"), "A10": ("a", "jaqueta jeans", "f"), "A11": ("o", "top", "m"),
    "A12": ("a", "camiseta básica", "f"), "B1": ("o", "tênis", "m"), "B2": ("a", "bota", "f"),
    "B3": ("a", "sandália", "f"), "B4": ("a", "bolsa", "f"), "B5": ("os", "brincos de prata", "mp"),
    "B6": ("o", "colar de pérolas", "m"), "B7": ("o", "cachecol", "m"), "B8": ("os", "óculos de sol", "mp"),
    "C1": ("o", "batom", "m"), "C2": ("a", "base", "f"), "C3": ("a", "paleta", "f"), "C4": ("o", "esmalte", "m"),
}
EN_NAME = {
    "A6": "hoodie", "A7": "party dress", "A12": "basic tee", "B1": "sneakers", "B3": "sandals",
    "B4": "bag", "B5": "earrings", "B6": "necklace", "B7": "scarf", "B8": "sunglasses",
    "C1": "lipstick", "C3": "palette", "C4": "nail polish",
}
PT_LETTER = {"S": "P", "M": "M", "L": "G", "XL": "GG"}


def es_color(color, gender):
    if color is None:
        return ""
    if color in ("negro", "blanco", "rojo", "rosado"):
        if color == "rosado" and rng.random() < 0.3:
            return "rosa"
        if rng.random() < 0.25:
            return color
        return color[:-1] + {"m": "o", "f": "a", "mp": "os", "fp": "as"}[gender]
    return rng.choice({
        "café": ["café", "cafe"], "vino": ["vino", "vino", "burdeo"], "claro": ["claro", "tono claro"],
        "medio": ["medio", "tono medio"], "oscuro": ["oscuro", "tono oscuro"],
    }.get(color, [color]))


def pt_color(color, gender):
    if color is None:
        return ""
    stems = {"negro": "pret", "blanco": "branc", "rojo": "vermelh"}
    if color in stems:
        return stems[color] + {"m": "o", "f": "a", "mp": "os", "fp": "as"}[gender]
    return rng.choice({
        "rosado": ["rosa", "rosinha"], "beige": ["bege"], "gris": ["cinza"], "café": ["marrom"],
        "lila": ["lilás", "lilas"], "vino": ["vinho"], "claro": ["tom claro", "claro"],
        "medio": ["tom médio"], "oscuro": ["tom escuro", "escuro"],
    }.get(color, [color]))


def en_color(color):
    if color is None:
        return ""
    return rng.choice({
        "negro": ["black"], "blanco": ["white"], "rojo": ["red"], "rosado": ["pink"], "beige": ["beige"],
        "gris": ["grey", "gray"], "verde": ["green"], "azul": ["blue"], "café": ["brown"],
        "lila": ["lilac"], "nude": ["nude"], "vino": ["wine", "burgundy"], "claro": ["light"],
        "medio": ["medium"], "oscuro": ["dark"],
    }[color])


def color_txt(color, lang, code):
    if lang == "es":
        return es_color(color, ES_ART.get(code, ("", "", "m"))[2])
    if lang == "pt":
        return pt_color(color, PT_ART.get(code, ("", "", "m"))[2])
    return en_color(color)


def size_txt(size, lang):
    if size is None:
        return ""
    num = size.isdigit()
    if lang == "es":
        forms = ["{s}", "{s}", "talla {s}", "número {s}", "n° {s}", "en {s}"] if num else \
            ["talla {s}", "talla {s}", "{s}", "{s}", "en {s}", "talla {s}", "tlla {s}"]
        return rng.choice(forms).format(s=size)
    if lang == "pt":
        if num:
            return rng.choice(["{s}", "no {s}", "numeração {s}", "tam {s}"]).format(s=size)
        return rng.choice(["tam {s}", "tamanho {s}", "{s}", "no {s}", "{s}"]).format(s=PT_LETTER[size])
    if not num and rng.random() < 0.2 and size in ("S", "M"):
        return {"S": "small", "M": "medium"}[size]
    return rng.choice(["size {s}", "{s}", "sz {s}"] if num else ["size {s}", "{s}", "{s}"]).format(s=size)


def code_txt(code, lang):
    L, N = code[0], code[1:]
    if lang == "es":
        forms = [code, code, code, code.lower(), code.lower(), "%s-%s" % (L, N), "%s-%s" % (L.lower(), N),
                 "#" + code, "#" + code.lower(), "%s %s" % (L, N), "cod " + code, "código " + code.lower(),
                 "el " + code.lower(), "ref " + code, "%s.%s" % (L, N)]
    elif lang == "pt":
        forms = [code, code, code, code.lower(), "#" + code, "o " + code, "cód " + code, "%s-%s" % (L, N),
                 "ref " + code.lower()]
    else:
        forms = [code, code, code, code.lower(), "#" + code, "item " + code, "%s-%s" % (L, N)]
    return rng.choice(forms)


def qty_txt(qty, lang, code):
    if qty == 1:
        return "", ""
    words = {"es": {2: "dos", 3: "tres"}, "en": {2: "two", 3: "three"}}
    if lang == "pt":
        fem = PT_ART.get(code, ("", "", "m"))[2].startswith("f")
        word = {2: "duas" if fem else "dois", 3: "três"}[qty]
    else:
        word = words[lang][qty]
    style = rng.randrange(4)
    if style == 0:
        return "%d " % qty, ""
    if style == 1:
        return word + " ", ""
    if style == 2:
        return "", " x%d" % qty
    return "", " %dx" % qty if lang != "pt" else " x %d" % qty


def tidy(s):
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\s+([,!?])", r"\1", s)
    s = re.sub(r",\s*,", ",", s)
    s = re.sub(r"^,\s*", "", s)
    return s.strip(" ,")


EMOJI_TAIL = ["🙋‍♀️", "🙌", "😍", "🙏", "❤️", "✨", "🥰", "!!", "!", "🔥", "💕"]


def style(s, allow_upper=True):
    r = rng.random()
    if allow_upper and r < 0.06 and len(s) < 30:
        s = s.upper()
    elif r < 0.18:
        s = strip_accents(s)
    if rng.random() < 0.14 and not s.endswith(tuple(EMOJI_TAIL)):
        tail = [e for e in EMOJI_TAIL if "!" not in e] if s.endswith("?") else EMOJI_TAIL
        s = s + " " + rng.choice(tail)
    return s


# --------------------------------------------------------------------------- purchase text

CODE_TPL = {
    "es": ["{q}{c} {s} {k}{x}", "{q}{c} {k} {s}{x}", "quiero {q}{c} {k} {s}{x}", "{q}{c} {s}, {k}{x} porfa",
           "anótame {q}{c} {k} {s}{x}", "para mí {q}{c} {k} {s}{x}", "yo {q}{c} {k} {s}{x}",
           "me llevo {q}{c} {k} {s}{x}", "apártame {q}{c} {s} {k}{x} plis", "resérvame {q}{c} {k} {s}{x}",
           "{q}{c} {k} {s}{x} para mí", "{q}{c} {s} {k}{x}"],
    "pt": ["{q}{c} {k} {s}{x}", "quero {q}{c} {k} {s}{x}", "eu quero {q}{c} {k} {s}{x}",
           "separa {q}{c} {k} {s}{x} pra mim", "{q}{c} {k} {s}{x} pra mim", "quero {q}{c} {s} {k}{x}",
           "reserva {q}{c} {k} {s}{x} pra mim", "{q}{c} {s} {k}{x} por favor"],
    "en": ["{q}{c} {s} {k}{x}", "{q}{c} {k} {s}{x} please", "I'll take {q}{c} {k} {s}{x}", "sold {q}{c} {k} {s}{x}",
           "mine {q}{c} {k} {s}{x}", "can I get {q}{c} {k} {s}{x}", "{q}{c} {k} {s}{x} for me"],
}
NAME_TPL = {
    "es": ["quiero {a} {n} {k} {s}", "{a} {n} {k} {s} para mí", "me llevo {a} {n} {k} {s}",
           "anótame {a} {n} {k} {s}", "{n} {k} {s} para mí porfa", "yo quiero {a} {n} {k} {s}"],
    "pt": ["quero {a} {n} {k} {s}", "separa {a} {n} {k} {s} pra mim", "eu quero {a} {n} {k} {s}",
           "{a} {n} {k} {s} pra mim"],
    "en": ["I'll take the {k} {n} {s}", "the {k} {n} {s} for me please", "{n} in {k} {s}, mine",
           "want the {k} {n} {s}"],
}


def claim_core(code, size, color, qty, lang):
    """Short form without a verb: used inside multi-claim comments."""
    q, x = qty_txt(qty, lang, code)
    return tidy("%s%s %s %s%s" % (q, code, size_txt(size, lang), color_txt(color, lang, code), x))


def render_code(code, size, color, qty, lang):
    q, x = qty_txt(qty, lang, code)
    tpl = rng.choice(CODE_TPL[lang])
    k = color_txt(color, lang, code)
    if lang == "en" and k and "{c} {k}" in tpl and rng.random() < 0.4:
        k = "in " + k
    return tidy(tpl.format(q=q, c=code_txt(code, lang), s=size_txt(size, lang), k=k, x=x))


def can_name(code, lang):
    if lang == "es":
        return code in ES_ART
    if lang == "pt":
        return code in PT_ART
    return code in EN_NAME


def render_name(code, size, color, qty, lang):
    tpl = rng.choice(NAME_TPL[lang])
    if lang == "es":
        a, n, _ = ES_ART[code]
    elif lang == "pt":
        a, n, _ = PT_ART[code]
    else:
        a, n = "the", EN_NAME[code]
    k = color_txt(color, lang, code)
    s = size_txt(size, lang)
    if lang == "en" and not k:
        tpl = tpl.replace("in {k} ", "").replace("{k} ", "")
    text = tidy(tpl.format(a=a, n=n, k=k, s=s))
    if qty > 1:
        text += {"es": " x%d", "pt": " x%d", "en": " x%d"}[lang] % qty
    return text


RUSH_BARE = {
    "es": ["mío 38 negra", "yo 38 negro!", "lo quiero en negro 38", "yo las quiero en 38 negras",
           "para mí 38 negra", "me las llevo 38 negro", "mías!! 38 negras", "yo yo 38 negra",
           "quiero unas 38 negras", "38 negra para mí porfa", "lo quiero 38 negro 🙏", "negra 38 yo!!",
           "yo la negra 38", "miooo 38 negras", "las negras en 38 pa mí"],
    "pt": ["eu quero a preta 38", "quero a preta no 38", "minha! preta 38", "separa uma preta 38 pra mim",
           "eu 38 preta", "quero essa no 38 preta 🙏", "preta 38 pra mim", "minhas 38 pretas",
           "eu quero, preta 38"],
    "en": ["mine 38 black", "sold! 38 black", "me!! black 38", "I want the black ones in 38",
           "mine, size 38 black please", "black 38 for me"],
}
RUSH_NAME = {
    "es": ["las sandalias negras 38 para mí", "quiero las sandalias negras en 38", "sandalias negras 38 porfa 🙌",
           "anótame sandalias 38 negras", "sandalias de plataforma negras n° 38 para mí"],
    "pt": ["quero a sandália preta 38", "sandália preta 38 pra mim", "separa a sandália preta no 38"],
    "en": ["the black sandals in 38 please", "I'll take the sandals, black size 38"],
}
BARE_PLAIN = {
    "es": ["mío", "mio!!", "yo", "yooo", "lo quiero", "me lo llevo", "mías!", "yo quiero 🙋‍♀️", "las quiero!!",
           "me las llevo 😍", "yo yo yo", "MÍO"],
    "pt": ["eu quero", "quero!!", "minha", "eu!", "eu quero 😍", "separa pra mim", "quero essa"],
    "en": ["mine", "sold", "me!!", "mine!", "I'll take them", "SOLD"],
}
BARE_VAR_TPL = {
    "es": ["mío {s} {k}", "lo quiero en {k} {s}", "yo {k} {s}", "para mí {s} {k}", "me las llevo en {k} {s}",
           "quiero unas {k} {s}"],
    "pt": ["quero a {k} {s}", "eu quero a {k} no {s}", "minha {k} {s}", "separa uma {k} {s} pra mim"],
    "en": ["mine {s} {k}", "me! {k} size {s}", "sold, {k} {s}", "yes please, size {s} {k}"],
}


class Pool:
    """Draw texts without repetition until the pool runs out, then start over."""

    def __init__(self, items):
        self.items, self.left = list(items), []

    def draw(self):
        if not self.left:
            self.left = self.items[:]
            rng.shuffle(self.left)
        return self.left.pop()


POOLS = {}


def draw(name, lang, table):
    key = (name, lang)
    if key not in POOLS:
        POOLS[key] = Pool(table[lang])
    return POOLS[key].draw()


def b3_var_text(size, color, lang):
    if rng.random() < 0.45:
        return render_code("B3", size, color, 1, lang)
    tpl = draw("b3var", lang, BARE_VAR_TPL)
    if lang == "es":
        k = es_color(color, "fp")
        s = rng.choice(["{s}", "talla {s}", "número {s}"]).format(s=size) if "{s} {k}" in tpl or tpl.endswith("{s}") else size
    elif lang == "pt":
        k, s = pt_color(color, "f"), size
    else:
        k, s = en_color(color), size
    return tidy(tpl.format(s=s, k=k))


# --------------------------------------------------------------------------- cancels, questions, noise

CANCEL_CODE = {
    "es": ["ya no quiero el {c}", "cancela el {c} porfa", "me bajo del {c}", "bórrame del {c} 🙏", "anula mi {c}",
           "no quiero el {c} al final, sorry", "cancelo el {c}", "sácame del {c} porfa", "al final no el {c}"],
    "pt": ["desisto do {c}", "não quero mais o {c}", "cancela o {c} por favor", "pode tirar meu {c}",
           "tira meu nome do {c}"],
    "en": ["cancel my {c}", "scratch the {c}", "never mind the {c}", "please cancel {c}", "drop my {c}"],
}
CANCEL_NONE = {
    "es": ["cancela porfa", "ya no lo quiero", "desisto, sorry 😔", "mejor no, cancela lo mío", "anula lo mío porfa",
           "me arrepentí, cancela"],
    "pt": ["cancela o meu", "desisto", "não quero mais, desculpa", "pode cancelar, mudei de ideia"],
    "en": ["I'm out, cancel mine", "cancel please", "never mind, cancel", "changed my mind sorry"],
}
CANCEL_NAME = {
    "es": ["ya no quiero {a} {n}", "mejor no {a} {n}, me equivoqué de talla 🙈", "cancela {a} {n} porfa"],
    "pt": ["deixa {a} {n} pra lá", "não quero mais {a} {n}", "pode cancelar {a} {n}"],
    "en": ["never mind the {n}", "cancel the {n} please"],
}
CANCEL_PARTIAL = {"es": "cancelo uno de los dos {c}", "pt": "tira um dos {c}", "en": "drop one of the {c}s"}
CANCEL_ORPHAN = {"es": ["cancela lo mío", "bórrame porfa"], "pt": ["desisto"], "en": ["cancel mine pls"]}

CITIES_CL = ["Valparaíso", "Concepción", "Temuco", "Antofagasta", "La Serena", "Puerto Montt", "Rancagua",
             "Arica", "Viña", "Talca", "Chillán", "Punta Arenas"]
CITIES_BR = ["São Paulo", "Rio", "BH", "Curitiba", "Porto Alegre", "Floripa", "Recife", "Salvador"]

QUESTIONS = {
    "es": ["precio?", "precio del {cur}?", "cuánto sale {a} {n}?", "valor??", "hay en {sz}?", "tiene talla {sz}?",
           "queda {a} {n} en {sz}?", "hacen envíos a {city}?", "cuánto cuesta el envío a {city}?", "cómo se paga?",
           "aceptan transferencia?", "se puede pagar con tarjeta?", "hasta cuándo hay plazo para pagar?",
           "de qué material es?", "la horma es chica o normal?", "qué talla usa la modelo?",
           "quiero ver el {cur} de nuevo porfa", "puedes mostrar la parte de atrás?", "el {cur} ya se vendió?",
           "tienen retiro en Providencia?", "hacen cambios si no me queda?", "en cuántos días llega a {city}?",
           "hay otro color?", "el precio incluye envío?", "tienen tienda física?", "cuál es el precio del {cur}??",
           "me muestras el {cur} más de cerca?", "queda {cur} en {sz}?", "se puede pagar en cuotas?",
           "envían por Starken o Chilexpress?"],
    "pt": ["quanto custa?", "qual o valor do {cur}?", "tem no {szpt}?", "tem {n} em outra cor?", "aceita pix?",
           "envia pro Brasil?", "qual o frete pra {citybr}?", "parcela no cartão?", "é couro legítimo?",
           "mostra de novo o {cur}?", "a forma é pequena?", "ainda tem o {cur}?",
           "quanto tempo demora pra chegar em {citybr}?", "qual tamanho a modelo tá usando?",
           "vocês trocam se não servir?", "valor?", "tem tabela de medidas?", "vocês mandam pra Portugal?",
           "qual o prazo pra pagar?", "o pix é pra qual chave?", "tem desconto levando dois?",
           "o {cur} é bom mesmo?", "frete grátis acima de quanto?", "dá pra ver de perto?"],
    "en": ["how much?", "price for {cur}?", "do you ship to the US?", "what sizes are left?", "is it true to size?",
           "can you show the back?", "do you take paypal?", "how long does shipping to Miami take?",
           "is the {cur} still available?", "what's the material?", "any other colors?"],
}
WINDOW_QUESTIONS = {
    "B3": {"es": ["las sandalias son cómodas para caminar?", "qué alto tiene la plataforma?"],
           "pt": ["a sandália é confortável?"], "en": ["how tall is the platform?"]},
    "A12": {"es": ["la polera es 100% algodón?", "la A12 encoge al lavarla?"], "pt": ["a camiseta encolhe?"],
            "en": []},
    "C1": {"es": ["el labial es de larga duración?", "la base sirve para piel grasa?"],
           "pt": ["o batom sai fácil?"], "en": ["is the lipstick transfer-proof?"]},
    "A1": {"es": ["cuál es el largo del vestido?"], "pt": ["o vestido tem forro?"], "en": []},
    None: {"es": ["cuándo es el próximo live?", "a qué correo mando el comprobante?"],
           "pt": ["quando é a próxima live?"], "en": ["when's the next live?"]},
}

NOISE = {
    "es": ["hola hola 👋", "buenas noches desde {city}!!", "holaa chicas", "llegué!! 🙌", "hola Rayén!",
           "saludos desde Lima 🇵🇪", "buenas desde Mendoza", "😍😍😍", "🔥🔥🔥", "❤️❤️", "👏👏👏", "🙌",
           "jajaja", "jajajaja", "jsjsjs", "JAJAJA", "que lindo todo", "me encanta", "precioso!!",
           "@cami.rojas mira 😍", "@javi_gonzalez mira el {cur} 👀", "@Fran Morales ven a ver", "@mane_f corre",
           "Gana $500.000 al mes desde tu casa 💸 info wa.me/56987654321",
           "Sígueme y te sigo 👉 @moda.outlet.cl", "PRÉSTAMOS RÁPIDOS sin aval http://bit.ly/prest4mo",
           "no se escucha", "se congeló", "se ve pixelado", "se cortó?", "volvió!", "la imagen se ve muy oscura",
           "ya transferí ✅", "el mes pasado compré el A12 y me encantó", "alguien de Viña por aquí?",
           "alguien de Conce?", "quiero todo 😂😂", "no quiero, solo estoy mirando", "yo no gracias 😅",
           "ojalá tuviera plata jaja", "quiero todo pero estoy pobre 🥲", "qué lindas las sandalias 😍",
           "la Rayén siempre con cosas lindas", "compartido! ❤️", "te amo Rayén jaja", "ando mirando nomás",
           "🥰", "uff", "buenísimo el live", "primera vez que veo el live, hola!"],
    "pt": ["boa noite!!", "olá meninas", "oi oi de SP 👋", "kkkkkk", "kkkk", "rsrs", "amei", "que lindo",
           "perfeito 😍", "@carol.mendes olha isso", "@bruna_r olha as sandálias 👀", "tá travando",
           "sem som aqui", "caiu?", "já fiz o pix ✅", "alguém de BH?", "nem quero olhar o preço kkkk",
           "quero tudo kkkk", "Ganhe seguidores grátis 👉 bit.ly/segu1dores", "comprei na última live e amei",
           "boa noite de {citybr}", "😍😍", "lindo demais", "amo essa loja", "só olhando hoje rsrs"],
    "en": ["hi from Miami 👋", "hello!!", "lol", "haha", "so cute", "love it 😍", "@jess look at this",
           "audio is out of sync", "screen froze", "paid ✅", "Get 10k followers FREE 👉 www.fr33follow.com",
           "just browsing lol", "bought the A12 last time, love it", "😍", "hi everyone"],
}
CLOSING_NOISE = {
    "es": ["gracias Rayén!! 💕", "ya transferí, te mando el comprobante", "listo el pago ✅",
           "hasta la próxima!!", "gracias, buenas noches", "transferido!!", "chao chicas 👋"],
    "pt": ["obrigada!! ❤️", "já paguei ✅", "boa noite meninas", "até a próxima"],
    "en": ["thank you!!", "paid, thanks ✅", "bye everyone 👋"],
}


def fill(tpl, cur, lang):
    code = cur or "B3"
    if lang == "pt" and code in PT_ART:
        a, n, _ = PT_ART[code]
    elif lang == "en":
        a, n = "the", EN_NAME.get(code, "item")
    else:
        a, n, _ = ES_ART[code]
    sz = rng.choice(["M", "L", "S", "38", "39", "37"])
    if a in ("los", "las"):
        tpl = tpl.replace("queda ", "quedan ")
    return tidy(tpl.format(
        cur=cur or "A12", a=a, n=n, sz=sz, szpt=rng.choice(["P", "M", "G", "GG", "38"]),
        city=rng.choice(CITIES_CL), citybr=rng.choice(CITIES_BR)))


# --------------------------------------------------------------------------- the plan

WINDOWS = [
    # start_s, end_s, shown, featured codes, purchases, cancels, questions, other
    (0, 900, "B3", ["B3", "B2"], 62, 9, 18, 34),
    (900, 1320, "A12", ["A12", "A3"], 22, 4, 9, 8),
    (1320, 1680, "A3", ["A3", "A12"], 16, 4, 8, 6),
    (1680, 1980, "A6", ["A6", "A4", "A10"], 11, 3, 6, 5),
    (1980, 2340, "B1", ["B1", "B2", "A2"], 14, 3, 8, 7),
    (2340, 2760, "C1", ["C1", "C2", "C3", "C4"], 17, 4, 8, 9),
    (2760, 3120, "A1", ["A1", "A7", "A5", "A8"], 11, 3, 7, 7),
    (3120, 3420, "B5", ["B5", "B6", "B4", "B8", "B7", "A9", "A11"], 8, 3, 5, 6),
    (3420, 3640, None, [], 2, 2, 4, 8),
]
LANG_W = [("es", 0.55), ("pt", 0.30), ("en", 0.15)]


def rand_lang():
    return rng.choices([l for l, _ in LANG_W], weights=[w for _, w in LANG_W])[0]


def C(code, size=None, color=None, qty=1):
    return (code, size, color, qty)


def S(lang, text, claims, fb_only=False):
    return {"kind": "scripted", "lang": lang, "text": text, "claims": claims, "fb_only": fb_only}


def E(lang, text, edited, claims, edited_claims, delay):
    return {"kind": "edit", "lang": lang, "text": text, "edited": edited, "claims": claims,
            "edited_claims": edited_claims, "delay": delay}


def P(kind, **kw):
    d = {"kind": kind}
    d.update(kw)
    return d


FORCED = {
    0: [P("rush")] * 27
    + [E("es", "B3 38 negra", "B3 39 negra", [C("B3", "38", "negro")], [C("B3", "39", "negro")], 50)]
    + [P("bare")] * 8 + [P("b3var")] * 8 + [P("code", claim=C("B2", None, None))] * 2
    + [S("es", "B3 38 negra y un C4 rojo", [C("B3", "38", "negro"), C("C4", None, "rojo")]),
       S("es", "B3 35 negra", [C("B3", "35", "negro")]),
       S("pt", "quero a preta 35", [C("B3", "35", "negro")]),
       S("es", "quiero el Z9 talla M", [C("Z9", "M")])],
    1: [E("es", "A12 talla M", "A12 talla L", [C("A12", "M")], [C("A12", "L")], 35),
        E("pt", "quero o A21 M", "quero o A12 M", [C("A21", "M")], [C("A12", "M")], 25)]
    + [P("code", claim=C("A12", "M"))] * 8 + [P("code", claim=C("A12"))] * 3
    + [S("es", "A12 talla XXS", [C("A12", "XXS")]),
       S("es", "A12 M y B5", [C("A12", "M"), C("B5")]),
       S("pt", "quero duas do A12, uma P e uma M", [C("A12", "S"), C("A12", "M")]),
       S("en", "A12 M and B5 please", [C("A12", "M"), C("B5")]),
       S("es", "quiero el A99 en L", [C("A99", "L")]),
       S("es", "para mí la polera en talla L", [C(None, "L")])],
    2: [P("code", claim=C("A3", "XL", "negro"))] * 3 + [P("code", claim=C("A3"))] * 5
    + [S("es", "A3 blanca M + A3 negra S", [C("A3", "M", "blanco"), C("A3", "S", "negro")]),
       S("es", "A3 roja M", [C("A3", "M", "rojo")]),
       S("pt", "quero a camiseta M", [C(None, "M")]),
       S("es", "2 A4 gris S", [C("A4", "S", "gris", 2)]),
       S("es", "A12 una S y una M", [C("A12", "S"), C("A12", "M")])],
    3: [P("code", claim=C("A6", "L", "negro"))] * 2 + [P("code", claim=C("A6"), name=0.5)] * 4
    + [P("code", claim=C("A4")), P("code", claim=C("A4", qty=2)), P("code", claim=C("A10"))],
    4: [P("code", claim=C("B1", "38", "negro"))] * 5 + [P("code", claim=C("B1"))] * 4
    + [P("code", claim=C("B2")), P("code", claim=C("A2")),
       S("es", "B1 42 blanco", [C("B1", "42", "blanco")]),
       S("es", "si todavía hay B3 38 negra me anotan porfa", [C("B3", "38", "negro")])],
    5: [P("code", claim=C("C1", None, "vino"), name=0.5)] * 7
    + [E("en", "C1 nude please", "C1 nude x2 please", [C("C1", None, "nude")], [C("C1", None, "nude", 2)], 60)]
    + [P("code", claim=C("C1"), name=0.4)] * 2
    + [S("es", "pa mí esmalte negro y uno nude", [C("C4", None, "negro"), C("C4", None, "nude")]),
       S("pt", "batom vinho e o esmalte vermelho", [C("C1", None, "vino"), C("C4", None, "rojo")]),
       S("en", "2 C4 red and 1 nude", [C("C4", None, "rojo", 2), C("C4", None, "nude")]),
       P("code", claim=C("C2")), P("code", claim=C("C2")), P("code", claim=C("C3"), name=0.5),
       S("es", "C1 rosado", [C("C1", None, "rosado")])],
    6: [E("es", "quiero el vestido en M", "quiero el vestido azul en M", [C(None, "M")], [C("A1", "M", "azul")], 40)]
    + [P("code", claim=C("A1", "L", "rosado"))] * 3 + [P("code", claim=C("A1", "L", "azul"))] * 3
    + [S("en", "want the dress in S", [C(None, "S")]),
       S("es", "el vestido rojo de fiesta talla S", [C("A7", "S", "rojo")]),
       S("es", "quiero el 4", [C(None)])],
    7: [S("pt", "os brincos de prata pra mim", [C("B5")]), S("es", "el collar de perlas 🙋‍♀️", [C("B6")]),
        S("es", "la cartera café para mí", [C("B4", None, "café")]), S("en", "the sunglasses, mine", [C("B8")]),
        S("es", "bufanda roja para mí", [C("B7", None, "rojo")]), P("code", claim=C("A9", "XL", "beige")),
        P("code", claim=C("A11", "L", "lila")), S("pt", "quero o D4", [C("D4")])],
    8: [],
}


def random_claim(featured):
    if featured and rng.random() < 0.6:
        code = rng.choice(featured)
    else:
        code = rng.choice([p["code"] for p in CATALOG])
    return C(code)


def complete_claim(claim):
    """Fill size/color of a claim from the catalog when they are None (sometimes leave gaps)."""
    code, size, color, qty = claim
    p = BY_CODE.get(code)
    if not p or not p["variants"]:
        return claim
    v = rng.choice(p["variants"])
    if size is None and v["size"] is not None and rng.random() < 0.9:
        size = v["size"]
    if color is None and v["color"] is not None and rng.random() < 0.85:
        color = v["color"]
    if qty == 1 and rng.random() < 0.06:
        qty = 2
    return (code, size, color, qty)


def build_slots():
    slots = []
    for wi, (start, end, shown, featured, np_, nc, nq, no) in enumerate(WINDOWS):
        plans = list(FORCED[wi])
        while len(plans) < np_:
            plans.append(P("code", claim=random_claim(featured), name=0.2))
        assert len(plans) == np_, (wi, len(plans), np_)
        items = [("purchase", p) for p in plans] + [("cancel", None)] * nc + [("question", None)] * nq \
            + [("other", None)] * no
        for intent, plan in items:
            span = end - start
            if plan and plan["kind"] == "rush":
                # the seller says "¡la 38 negra!": most claims land in a 90-second burst
                t = start + (180 + int(rng.random() * 90) if rng.random() < 0.65 else 60 + int(rng.random() * 780))
            elif wi == 0 and intent == "cancel":
                t = start + 200 + int(rng.random() * (span - 200))  # nothing to cancel before the rush
            elif wi == 0 and intent == "other":
                t = start + int(span * rng.random() ** 2)  # greetings pile up at the start
            elif plan and plan["kind"] == "edit":
                t = start + 30 + int(rng.random() * (span - 140))
            else:
                t = start + 5 + int(rng.random() * (span - 5))
            slots.append({"t": T0 + t, "intent": intent, "plan": plan, "window": wi, "shown": shown,
                          "featured": featured})
    # orphan cancels (buyers with no claim in this live)
    orphan_idx = [i for i, s in enumerate(slots) if s["intent"] == "cancel" and s["window"] in (1, 4, 7)]
    for i in orphan_idx[::3][:3]:
        slots[i]["orphan"] = True
    # 30 Instagram comments, 3 of them on the FEED post
    eligible = [i for i, s in enumerate(slots)
                if s["intent"] != "cancel" and not (s["plan"] and s["plan"]["kind"] == "edit")]
    ig = sorted(rng.sample(eligible, 30))
    for i in ig:
        slots[i]["platform"] = "ig"
    feed = [i for i in ig if slots[i]["window"] >= 1]
    for i in rng.sample(feed, 3):
        slots[i]["ig_field"] = "comments"
    for s in slots:
        s.setdefault("platform", "fb")
        s.setdefault("ig_field", "live_comments")
    # languages by quota (55/30/15 over all comments), not by chance; cancels take their buyer's language
    fixed = [s["plan"]["lang"] for s in slots if s["plan"] and s["plan"]["kind"] in ("scripted", "edit")]
    free = [s for s in slots if s["intent"] != "cancel" and not (s["plan"] and s["plan"]["kind"] in ("scripted", "edit"))]
    total = len(fixed) + len(free)
    quota = {l: round(total * w) - fixed.count(l) for l, w in LANG_W}
    quota["es"] += len(free) - sum(quota.values())
    langs = [l for l, _ in LANG_W for _ in range(quota[l])]
    rng.shuffle(langs)
    for s, l in zip(free, langs):
        s["lang"] = l
    slots.sort(key=lambda s: s["t"])
    return slots


# --------------------------------------------------------------------------- walk the live

def render_purchase(slot, lang, buyer, rush_buyers):
    plan = slot["plan"]
    k = plan["kind"]
    if k == "rush":
        r = rng.random()
        if r < 0.45:
            text = style(draw("rush_bare", lang, RUSH_BARE))
        elif r < 0.78:
            text = style(render_code("B3", "38", "negro", 1, lang))
        else:
            text = style(draw("rush_name", lang, RUSH_NAME))
        return text, [C("B3", "38", "negro")]
    if k == "bare":
        return draw("bare", lang, BARE_PLAIN), [C("B3")]
    if k == "b3var":
        while True:
            v = rng.choice(BY_CODE["B3"]["variants"])
            if v["sku"] != "B3-38-NEGRO":
                break
        return style(b3_var_text(v["size"], v["color"], lang)), [C("B3", v["size"], v["color"])]
    if k in ("scripted", "edit"):
        return plan["text"], list(plan["claims"])
    claim = complete_claim(plan["claim"])
    if can_name(claim[0], lang) and rng.random() < plan.get("name", 0.0):
        text = render_name(*claim, lang=lang)
    else:
        text = render_code(*claim, lang=lang)
    return style(text), [claim]


def render_cancel(lang, claim):
    code, size, color, qty = claim["claim"]
    if code is None:
        return draw("cnone", lang, CANCEL_NONE), "none"
    if qty > 1 and rng.random() < 0.7:
        return CANCEL_PARTIAL[lang].format(c=code), "partial"
    r = rng.random()
    if r < 0.25:
        return draw("cnone", lang, CANCEL_NONE), "none"
    art = {"es": ES_ART, "pt": PT_ART}.get(lang)
    if r < 0.45 and can_name(code, lang):
        tpl = draw("cname", lang, CANCEL_NAME)
        if lang == "en":
            return tpl.format(n=EN_NAME[code]), "name"
        a, n, _ = art[code]
        return tpl.format(a=a, n=n), "name"
    c = code if rng.random() < 0.7 else code.lower()
    if r > 0.85 and (size or color):
        c = claim_core(code, size, color, 1, lang)
    return style(draw("ccode", lang, CANCEL_CODE).format(c=c), allow_upper=False), "code"


def walk(slots):
    comments = []   # every buyer comment (FB or IG), in creation order
    active = {}     # buyer id -> list of claim records
    rush_holders = []
    fb_seq = [1029384756]
    used_extra = set()

    def fb_cid():
        fb_seq[0] += rng.randint(20000, 2400000)
        return VIDEO_ID + "_" + str(fb_seq[0])

    for s in slots:
        platform = s["platform"]
        intent = s["intent"]
        plan = s["plan"]
        if intent == "purchase" and plan["kind"] in ("scripted", "edit"):
            lang = plan["lang"]
        else:
            lang = s.get("lang") or rand_lang()
        buyer = None
        claims = []
        text = None
        cancel_of = None
        if intent == "cancel":
            if not s.get("orphan") and not any(r["t"] <= s["t"] - 30 for recs in active.values() for r in recs):
                s["orphan"] = True  # nobody has an old enough claim yet
            if s.get("orphan"):
                claimless = [b for b in BUYERS["fb"][lang] if not active.get(b.id)]
                buyer = rng.choice(claimless)
                text = rng.choice(CANCEL_ORPHAN[lang])
            else:
                cands = [(b, [r for r in recs if r["t"] <= s["t"] - 30]) for b, recs in active.items()]
                cands = [(b, recs) for b, recs in cands if recs]
                if s["window"] == 0 and rush_holders and rng.random() < 0.6:
                    old = {b: recs for b, recs in cands}
                    held = [h for h in rush_holders[:6] if any(r["claim"][0] == "B3" for r in old.get(h.id, []))]
                    if held:
                        cands = [(h.id, old[h.id]) for h in held]
                bid, recs = rng.choice(sorted(cands, key=lambda x: x[0]))
                buyer = recs[0]["buyer"]
                all_recs = active[bid]
                lang = buyer.lang
                platform = buyer.platform
                rec = recs[-1] if rng.random() < 0.7 else rng.choice(recs)
                text, form = render_cancel(lang, rec)
                if form == "none":
                    rec = recs[-1]
                rec["cancelled"] = True
                if form != "partial":
                    all_recs.remove(rec)
                cancel_of = rec["cid"]
        else:
            exclude = {b.id for b in rush_holders} if plan and plan["kind"] in ("rush",) else ()
            buyer = pick_buyer(platform, lang, exclude)
            if intent == "purchase":
                text, claims = render_purchase(s, lang, buyer, rush_holders)
                if plan["kind"] == "rush" or (plan["kind"] in ("scripted", "edit") and C("B3", "38", "negro") in claims):
                    rush_holders.append(buyer)
            elif intent == "question":
                extra = WINDOW_QUESTIONS.get(s["shown"], {}).get(lang, [])
                extra = [q for q in extra if q not in used_extra]
                if extra and rng.random() < 0.3:
                    text = rng.choice(extra)
                    used_extra.add(text)
                else:
                    text = style(fill(draw("q", lang, QUESTIONS), s["shown"], lang), allow_upper=False)
            else:
                if s["shown"] is None and rng.random() < 0.7:
                    text = draw("close", lang, CLOSING_NOISE)
                else:
                    text = fill(draw("noise", lang, NOISE), s["shown"], lang)
                    if is_spam(text):
                        buyer = (SPAMMERS if platform == "fb" else IG_SPAMMERS)[lang]
        cid = fb_cid() if platform == "fb" else new_id("178", 17)
        rec = {"cid": cid, "t": s["t"], "buyer": buyer, "lang": lang, "intent": intent, "text": text,
               "claims": claims, "platform": platform, "ig_field": s["ig_field"], "plan": plan,
               "cancel_of": cancel_of, "window": s["window"], "orphan": bool(s.get("orphan"))}
        comments.append(rec)
        for c in claims:
            active.setdefault(buyer.id, []).append({"cid": cid, "claim": c, "buyer": buyer, "t": s["t"]})
    return comments, fb_cid


# --------------------------------------------------------------------------- wire values

def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


def fb_comment_value(frm, cid, t, verb, message=None, parent=None, photo=None):
    v = {"from": frm,
         "post": {"status_type": "added_video", "is_published": True, "updated_time": iso(t),
                  "permalink_url": PERMALINK, "promotion_status": "inactive", "id": POST_ID}}
    if message is not None:
        v["message"] = message
    if photo is not None:
        v["photo"] = photo
    v.update({"post_id": POST_ID, "comment_id": cid, "created_time": t, "item": "comment",
              "parent_id": parent or POST_ID, "verb": verb})
    return {"field": "feed", "value": v}


def ig_comment_value(buyer, cid, text, field):
    media = {"id": IG_LIVE_MEDIA, "media_product_type": "LIVE"} if field == "live_comments" \
        else {"id": IG_FEED_MEDIA, "media_product_type": "FEED"}
    return {"field": field, "value": {"from": buyer.ig_from(), "media": media, "id": cid, "text": text}}


class Ev:
    seq = 0

    def __init__(self, t, obj, kind, payload, cid=None, verb=None, tag=None):
        Ev.seq += 1
        self.n = Ev.seq
        self.t, self.obj, self.kind, self.payload = t, obj, kind, payload
        self.cid, self.verb, self.tag = cid, verb, tag


def build_events(comments, fb_cid):
    evs = []
    page = {"id": PAGE_ID, "name": PAGE_NAME}
    by_cid = {c["cid"]: c for c in comments}

    # buyer comments
    for c in comments:
        if c["platform"] == "fb":
            evs.append(Ev(c["t"], "page", "change", fb_comment_value(c["buyer"].fb_from(), c["cid"], c["t"], "add", c["text"]),
                          c["cid"], "add", "comment"))
        else:
            evs.append(Ev(c["t"], "instagram", "change", ig_comment_value(c["buyer"], c["cid"], c["text"], c["ig_field"]),
                          c["cid"], "add", "comment"))

    # edits
    edits = []
    for c in comments:
        if c["plan"] and c["plan"]["kind"] == "edit":
            t = c["t"] + c["plan"]["delay"]
            evs.append(Ev(t, "page", "change", fb_comment_value(c["buyer"].fb_from(), c["cid"], t, "edited",
                                                                c["plan"]["edited"]), c["cid"], "edited", "edit"))
            edits.append(c["cid"])

    # removals: four claims that were never cancelled or edited, and one spam comment
    cancelled = {c["cancel_of"] for c in comments if c["cancel_of"]}
    cancellers = {c["buyer"].id for c in comments if c["intent"] == "cancel"}

    def removable(c, code):
        return (c["platform"] == "fb" and c["intent"] == "purchase" and c["cid"] not in cancelled
                and c["cid"] not in edits and c["buyer"].id not in cancellers and len(c["claims"]) == 1
                and c["claims"][0][0] == code)

    removed = []
    rush_fb = [c for c in comments if removable(c, "B3") and c["claims"][0][1:3] == ("38", "negro")]
    picks = [rush_fb[1]]
    for code in ("A12", "B1", "C1"):
        cands = [c for c in comments if removable(c, code)]
        picks.append(cands[len(cands) // 2])
    spam = [c for c in comments if c["platform"] == "fb" and c["text"] and is_spam(c["text"])]
    picks.append(spam[0])
    for c in picks:
        t = c["t"] + rng.randint(90, 260)
        evs.append(Ev(t, "page", "change", fb_comment_value(c["buyer"].fb_from(), c["cid"], t, "remove"),
                      c["cid"], "remove", "remove"))
        removed.append(c["cid"])

    # the Page's own comments
    rush_first = [c for c in comments if c["platform"] == "fb" and c["intent"] == "purchase" and c["window"] == 0]
    e1 = [c for c in comments if c["plan"] and c["plan"]["kind"] == "edit" and c["text"] == "A12 talla M"][0]
    page_comments = [
        (T0 + 40, "Bienvenidas!! 🎉 Partimos con las sandalias de plataforma B3, $27.990. Comenten talla y color", None),
        (T0 + 300, "Quedan pocas B3 negras 🔥 la 38 negra ya se agotó, las que siguen quedan en lista de espera", None),
        (T0 + 905, "Ahora les muestro el A12! polera básica 100% algodón, $12.990", None),
        (e1["t"] + 95, "%s te anoté la A12 talla L ✅" % e1["buyer"].name.split()[0], e1["cid"]),
        (T0 + 3480, "Gracias a todas!! 💕 Les llega el link de pago por interno. Si no, transferencia: datos en el perfil", None),
    ]
    page_cids = []
    for t, text, parent in page_comments:
        cid = fb_cid()
        page_cids.append(cid)
        evs.append(Ev(t, "page", "change", fb_comment_value(page, cid, t, "add", text, parent), cid, "add", "page"))

    # replies between people (buyer comments too, counted with the buyers)
    b = pick_buyer("fb", "es")
    cid = fb_cid()
    t = T0 + 330
    reply1 = {"cid": cid, "t": t, "buyer": b, "lang": "es", "intent": "question", "text": "y en 39 quedan?",
              "claims": [], "platform": "fb", "plan": None, "reply": True}
    evs.append(Ev(t, "page", "change", fb_comment_value(b.fb_from(), cid, t, "add", reply1["text"], page_cids[1]),
                  cid, "add", "comment"))
    target = [c for c in rush_first if c["t"] > T0 + 180][0]
    b2 = pick_buyer("fb", "es", {target["buyer"].id})
    cid2 = fb_cid()
    t2 = target["t"] + 20
    reply2 = {"cid": cid2, "t": t2, "buyer": b2, "lang": "es", "intent": "other", "text": "jajaja somos dos 😂",
              "claims": [], "platform": "fb", "plan": None, "reply": True}
    evs.append(Ev(t2, "page", "change", fb_comment_value(b2.fb_from(), cid2, t2, "add", reply2["text"], target["cid"]),
                  cid2, "add", "comment"))
    comments.extend([reply1, reply2])

    # a sticker comment: no message, only a photo
    b3 = pick_buyer("fb", "es")
    cid3 = fb_cid()
    t3 = T0 + 251
    evs.append(Ev(t3, "page", "change", fb_comment_value(
        b3.fb_from(), cid3, t3, "add",
        photo="https://scontent.xx.fbcdn.net/v/t39.1997-6/851557_369239266556155_759568595_n.png"),
        cid3, "add", "sticker"))
    comments.append({"cid": cid3, "t": t3, "buyer": b3, "lang": None, "intent": "other", "text": None,
                     "claims": [], "platform": "fb", "plan": None, "sticker": True})

    # reactions and shares on the live video
    for kind, rt, offs in [("reaction", "love", 70), ("reaction", "like", 212), ("reaction", "wow", 244),
                           ("reaction", "love", 760), ("reaction", "haha", 1405), ("reaction", "like", 2210),
                           ("reaction", "care", 3030), ("share", None, 130), ("share", None, 1880),
                           ("share", None, 2950)]:
        lang = rand_lang()
        who = pick_buyer("fb", lang)
        t = T0 + offs
        if kind == "reaction":
            v = {"item": "reaction", "verb": "add", "reaction_type": rt, "from": who.fb_from(), "post_id": POST_ID,
                 "created_time": t, "parent_id": POST_ID}
        else:
            msg = {130: "Miren este live chicas 😍 quiero las sandalias B3", 1880: "🔥🔥",
                   2950: "vejam essa live"}[offs]
            v = {"item": "share", "verb": "add", "share_id": who.id + "_" + new_id("1", 16), "from": who.fb_from(),
                 "post_id": POST_ID, "created_time": t, "link": PERMALINK, "message": msg}
        evs.append(Ev(t, "page", "change", {"field": "feed", "value": v}, None, None, kind))

    # Messenger (times in milliseconds)
    for offs, text in [(712, "hola"), (2455, "hola! a qué cuenta transfiero lo de las sandalias?"),
                       (3515, "ya transferí, te mando el comprobante por aquí")]:
        ms = (T0 + offs) * 1000 + rng.randint(0, 999)
        mid = "m_" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
                             for _ in range(86))
        m = {"sender": {"id": new_id(rng.choice("23456789"), 16)}, "recipient": {"id": PAGE_ID},
             "timestamp": ms, "message": {"mid": mid, "text": text}}
        evs.append(Ev(T0 + offs, "page", "messaging", m, None, None, "messaging"))
        evs[-1].ms = ms

    evs.sort(key=lambda e: (e.t, e.n))
    return evs, edits, removed, page_cids


# --------------------------------------------------------------------------- delivery

def make_entry(group):
    e0 = group[0]
    if e0.obj == "instagram":
        return {"id": IG_ACCOUNT_ID, "time": e0.t, "changes": [g.payload for g in group]}
    if e0.kind == "messaging":
        return {"id": PAGE_ID, "time": e0.ms, "messaging": [e0.payload]}
    return {"id": PAGE_ID, "time": max(g.t for g in group) + rng.choice([0, 0, 0, 1, 1, 2]),
            "changes": [g.payload for g in group]}


def batch(evs):
    """Group events into POST bodies the way Meta does: a few changes per entry, sometimes 2 entries."""
    posts = []
    i, n = 0, len(evs)

    def take_entry(i):
        e = evs[i]
        group = [e]
        j = i + 1
        if e.kind == "change" and e.obj == "page":
            while (j < n and len(group) < 5 and evs[j].obj == "page" and evs[j].kind == "change"
                   and evs[j].t - e.t <= 3 and rng.random() < 0.55):
                group.append(evs[j])
                j += 1
        return group, j

    while i < n:
        group, j = take_entry(i)
        entries = [group]
        e = group[-1]
        if (e.kind == "change" and j < n and evs[j].obj == e.obj and evs[j].kind == "change"
                and evs[j].t - e.t <= 8 and rng.random() < (0.5 if e.obj == "instagram" else 0.18)):
            g2, j = take_entry(j)
            entries.append(g2)
        posts.append({"object": e.obj, "entries": entries})
        i = j
    return posts


def post_body(p):
    return {"object": p["object"], "entry": [make_entry(g) for g in p["entries"]]}


def post_cids(p):
    return {ev.cid for g in p["entries"] for ev in g if ev.cid}


def deliver(evs, late_cids):
    posts = batch(evs)
    bodies = [post_body(p) for p in posts]
    cids = [post_cids(p) for p in posts]
    tags = [[ev.tag for g in p["entries"] for ev in g] for p in posts]

    # a few POSTs delivered late (2-6 positions after their turn)
    moved = 0
    for i in sorted(rng.sample(range(20, len(bodies) - 10), 14)):
        if moved == 6:
            break
        if cids[i] & late_cids or not cids[i] or len(bodies[i]["entry"]) > 1:
            continue
        k = rng.randint(2, 6)
        if any(cids[j] & cids[i] for j in range(i + 1, i + k + 1)):
            continue
        for lst in (bodies, cids, tags):
            lst.insert(i + k, lst.pop(i))
        moved += 1

    # a few comments repeated inside a later, different batch (same comment id)
    rebatched = []
    fb_src = [i for i in range(len(bodies)) if bodies[i]["object"] == "page" and "changes" in bodies[i]["entry"][0]
              and cids[i] and not (cids[i] & late_cids)]
    for i in sorted(rng.sample(fb_src[10:-40], 3)):
        ch = [c for c in bodies[i]["entry"][0]["changes"] if c["value"].get("item") == "comment"
              and c["value"]["comment_id"] not in late_cids][0]
        for j in range(i + 5 + rng.randrange(20), len(bodies)):
            if bodies[j]["object"] == "page" and "changes" in bodies[j]["entry"][0] and len(bodies[j]["entry"]) == 1:
                chs = bodies[j]["entry"][0]["changes"]
                chs.insert(rng.randrange(len(chs) + 1), copy.deepcopy(ch))
                cids[j].add(ch["value"]["comment_id"])
                rebatched.append(ch["value"]["comment_id"])
                break
    ig_src = [i for i in range(len(bodies)) if bodies[i]["object"] == "instagram"]
    i = ig_src[len(ig_src) // 3]
    for j in ig_src:
        if j > i + 10:
            bodies[j]["entry"].append(copy.deepcopy(bodies[i]["entry"][0]))
            cids[j] |= cids[i]
            rebatched.append(bodies[i]["entry"][0]["changes"][0]["value"]["id"])
            break

    lines = [json.dumps(b, ensure_ascii=False, separators=(",", ":")) for b in bodies]

    # exact redeliveries (Meta retries a POST it thinks failed): ~8 % of all lines
    n_redeliver = round(len(lines) * 0.087)
    src = [i for i in range(len(lines)) if not (cids[i] & late_cids)
           or all(t in ("edit", "remove") for t in tags[i] if t in ("comment", "edit", "remove"))]
    chosen = sorted(rng.sample(src, n_redeliver))
    keyed = [(float(i), l) for i, l in enumerate(lines)]
    for i in chosen:
        keyed.append((i + rng.choice([1, 1, 2, 3, 4, 6, 9, 14, 22]) + 0.5, lines[i]))
    keyed.sort(key=lambda x: x[0])
    return [l for _, l in keyed], n_redeliver, moved, rebatched


# --------------------------------------------------------------------------- checks and tally

def check_and_tally(lines, comments, edits, removed, page_cids, n_redeliver, moved, rebatched):
    seen_first = {}
    seen_lines = set()
    redeliveries = 0
    multi_change = multi_entry = 0
    reactions = shares = messaging = 0
    out_of_order = 0
    last_t = 0
    ig_by_field = {"live_comments": 0, "comments": 0}
    for line in lines:
        assert line == line.rstrip() and "\n" not in line
        body = json.loads(line)
        if line in seen_lines:
            redeliveries += 1
            continue
        seen_lines.add(line)
        if len(body["entry"]) > 1:
            multi_entry += 1
        for entry in body["entry"]:
            if "messaging" in entry:
                messaging += 1
                continue
            if len(entry["changes"]) > 1:
                multi_change += 1
            for ch in entry["changes"]:
                v = ch["value"]
                if body["object"] == "instagram":
                    cid, verb, t = v["id"], "add", entry["time"]
                    if cid not in seen_first:
                        ig_by_field[ch["field"]] += 1
                elif v["item"] == "comment":
                    cid, verb, t = v["comment_id"], v["verb"], v["created_time"]
                else:
                    reactions += v["item"] == "reaction"
                    shares += v["item"] == "share"
                    continue
                if cid not in seen_first:
                    assert verb == "add", (cid, verb)
                    seen_first[cid] = t
                    if t < last_t:
                        out_of_order += 1
                    last_t = max(last_t, t)
    buyers = [c for c in comments]
    all_cids = {c["cid"] for c in buyers} | set(page_cids)
    assert set(seen_first) == all_cids, (len(seen_first), len(all_cids))
    by_lang = {}
    by_intent = {}
    for c in buyers:
        by_lang[c["lang"] or "none (sticker)"] = by_lang.get(c["lang"] or "none (sticker)", 0) + 1
        by_intent[c["intent"]] = by_intent.get(c["intent"], 0) + 1
    rush = {c["buyer"].id for c in buyers if ("B3", "38", "negro", 1) in c["claims"]}
    ntot = len(buyers)
    pct = lambda d: ", ".join("%s %d (%.0f%%)" % (k, v, 100.0 * v / ntot) for k, v in sorted(d.items(), key=lambda x: -x[1]))
    ig_n = sum(1 for c in buyers if c["platform"] == "ig")
    err = sys.stderr
    print("live-rayen.jsonl", file=err)
    print("  lines                 %d" % len(lines), file=err)
    print("  unique comments       %d (%d buyer comments: %d Facebook, %d Instagram [%d live_comments, %d comments];"
          " %d by the Page)" % (len(all_cids), ntot, ntot - ig_n, ig_n, ig_by_field["live_comments"],
                                ig_by_field["comments"], len(page_cids)), file=err)
    print("  redeliveries          %d exact duplicate lines; %d comments repeated in a later batch; %d POSTs delivered late"
          % (redeliveries, len(rebatched), moved), file=err)
    print("  edits                 %d" % len(edits), file=err)
    print("  removals              %d (4 claims, 1 spam)" % len(removed), file=err)
    print("  by language           %s" % pct(by_lang), file=err)
    print("  by intent             %s" % pct(by_intent), file=err)
    print("  cancels               %d, %d of them by buyers with no earlier claim in this live"
          % (by_intent["cancel"], sum(1 for c in buyers if c.get("orphan"))), file=err)
    print("  non-comment events    %d reactions, %d shares, %d Messenger entries" % (reactions, shares, messaging), file=err)
    print("  batching              %d entries with 2+ changes, %d POSTs with 2+ entries; %d comments first seen out of"
          " time order" % (multi_change, multi_entry, out_of_order), file=err)
    print("  B3 38 negro           %d different buyers claim it (stock %d)"
          % (len(rush), BY_CODE["B3"]["stock"]["B3-38-NEGRO"]), file=err)
    assert redeliveries == n_redeliver


def main():
    write_catalog(OUT_CATALOG)
    slots = build_slots()
    comments, fb_cid = walk(slots)
    evs, edits, removed, page_cids = build_events(comments, fb_cid)
    late_cids = set(edits) | set(removed)
    lines, n_redeliver, moved, rebatched = deliver(evs, late_cids)
    with open(OUT_JSONL, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(line + "\n")
    check_and_tally(lines, comments, edits, removed, page_cids, n_redeliver, moved, rebatched)


if __name__ == "__main__":
    main()
