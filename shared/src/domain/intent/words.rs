//! Word lists for the token walk.
use super::*;

pub(super) const FILLER: &[&str] = &[
    "porfa",
    "porfis",
    "porfavor",
    "favor",
    "pf",
    "pls",
    "plz",
    "please",
    "plis",
    "pliss",
    "pfv",
    "pfvr",
    "porfi",
    "xfa",
    "xfavor",
    "fa",
    "gracias",
    "grax",
    "thanks",
    "thx",
    "ty",
    "obrigada",
    "obrigado",
    "obg",
    "valeu",
    "amiga",
    "amigas",
    "amor",
    "reina",
    "querida",
    "miga",
    "hola",
    "holi",
    "holis",
    "buenas",
    "buenos",
    "dias",
    "tardes",
    "noches",
    "oi",
    "ola",
    "hi",
    "hello",
    "hey",
    "bom",
    "boa",
    "noite",
    "tarde",
    "dia",
    "tono",
    "tom",
    "tone",
    "color",
    "colour",
    "cor",
    "par",
    "pares",
    "pair",
    "pairs",
    "unidad",
    "unidades",
    "units",
    "piezas",
    "pzas",
    "pecas",
    "pieces",
    "pcs",
    "unid",
    "und",
    "uds",
    "tambien",
    "tb",
    "tbm",
    "tmb",
    "tambem",
    "too",
    // echoing another buyer: "same here!! 38 in beige", "lo mismo en 38"
    "same",
    "mismo",
    "misma",
    "mesmo",
    "mesma",
    "also",
    "ok",
    "oki",
    "okay",
    "bueno",
    "dale",
    "listo",
    "va",
    "plus",
    "cod",
    "codigo",
    "ref",
    "just",
    "only",
    "solo",
    "cada",
    "igual",
    "es",
    "soy",
    "n",
    "qualquer",
    "cualquier",
    "cualquiera",
    "whichever",
    "either",
];

/// Words after which a bare number is a code ("el 12", "del 10", "nº 12"), not a quantity.
pub(super) const CODE_ARTICLES: &[&str] = &[
    "el", "la", "lo", "los", "las", "del", "al", "o", "a", "os", "as", "do", "da", "the", "#", "no", "numero", "nro", "num", "n", "cod",
    "codigo", "ref", "item", "producto", "produto",
];

/// Words after which a size word ("chica", "medium") is trusted.
pub(super) const SIZE_PREPS: &[&str] = &["en", "em", "in", "na", "no", "de", "la", "el", "una", "un", "a", "the"];

pub(super) const SEPARATORS: &[&str] = &[",", "y", "e", "and", "plus", "mas", "&"];

/// Indefinite words that make a next or previous "uno"/"one" point back at the item already
/// named ("qualquer uma", "whichever one", "una cualquiera"), not at a new one.
pub(super) const INDEFINITES: &[&str] = &["qualquer", "quaisquer", "cualquier", "cualquiera", "whichever", "any", "either"];

/// Quantity words that always add a further item ("y otro en M").
pub(super) const ANOTHER: &[&str] = &["otro", "otra", "outro", "outra", "another"];

/// Qualifiers too common to name a product on their own ("plata" is also money).
pub(super) const WEAK_ALONE: &[&str] = &["plat", "larg", "sol", "mat", "fit", "mom", "lan", "sed"];

/// Real words one typo away from a product or colour word; never fuzzy-matched.
pub(super) const FUZZY_BLOCK: &[&str] = &[
    "falta", "faltan", "tenes", "cuerpo", "botones", "short", "shorts", "sobra", "sobran", "sobre", "matter", "point", "shows", "weather",
    "calma", "cargo", "casada", "plaza", "pisada", "gente", "porfa", "quiero", "quero", "gracias", "talla", "tallas", "tienes", "tiene",
];

/// Words a bare claim may contain besides items: function words, politeness, size cues, "mío".
pub(super) fn is_filler(w: &str) -> bool {
    text::is_stopword(w) || FILLER.contains(&w) || text::is_size_cue(w) || WEAK.is_match(w)
}
