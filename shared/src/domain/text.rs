//! Text helpers shared by the noise filter and the intent rules: case/accent folding,
//! tokenising, stemming, fuzzy matching, and the cross-language word lists (product nouns,
//! colours, sizes, numbers) that do not depend on one particular catalog.

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// Lowercase and strip accents ("Sácame" → "sacame", "ñ" → "n", "ç" → "c"); emoji survive.
pub fn fold(s: &str) -> String {
    s.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// Collapse runs of three or more identical letters ("yooo" → "yo", "lindaaa" → "linda").
/// Doubles are kept because real words have them ("llevo", "xxl").
pub fn squeeze(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut j = i + 1;
        while j < chars.len() && chars[j] == c {
            j += 1;
        }
        let run = j - i;
        let keep = if c.is_alphabetic() && run >= 3 { 1 } else { run };
        out.extend(std::iter::repeat_n(c, keep));
        i = j;
    }
    out
}

/// fold + squeeze, with apostrophes dropped so "I'll" → "ill" and "let's" never yields a size "s".
pub fn normalize(s: &str) -> String {
    squeeze(&fold(s)).replace(['\'', '’', '`', '´'], "")
}

/// ASCII alphanumeric runs of an already folded string.
pub fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty())
}

/// Crude es/pt stemmer used to compare nouns: drops diminutives, plurals and a final vowel,
/// so vestidito/vestidos/vestido, polerita/poleras/polera, blusinha/blusa meet.
pub fn stem(word: &str) -> String {
    const DIMINUTIVES: [&str; 16] = [
        "zinhos", "zinhas", "zinho", "zinha", "inhos", "inhas", "inho", "inha", "citos", "citas", "cito", "cita", "itos", "itas", "ito",
        "ita",
    ];
    let mut w = word;
    if let Some(d) = DIMINUTIVES.iter().find(|d| w.len() > d.len() + 2 && w.ends_with(*d)) {
        return w[..w.len() - d.len()].to_string();
    }
    if w.len() > 4 && w.ends_with("es") {
        w = &w[..w.len() - 2];
    } else if w.len() > 3 && w.ends_with('s') {
        w = &w[..w.len() - 1];
    }
    if w.len() > 3 && w.ends_with(['a', 'e', 'o']) {
        w = &w[..w.len() - 1];
    }
    w.to_string()
}

/// True when `a` and `b` differ by at most one insertion, deletion, transposition of neighbours,
/// or a substitution a typist makes (`typo_pair`). Swapping in an unrelated letter makes a
/// different word, not a typo ("floripa"/"florida", "frete"/"arete", "tecido"/"tejido").
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match (ra.len(), rb.len()) {
        (0, 0) | (1, 0) | (0, 1) => true,
        (la, lb) if la == lb => {
            (ra[1..] == rb[1..] && typo_pair(ra[0], rb[0])) || (la >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        (la, lb) if la > lb => ra[1..] == *rb,
        _ => *ra == rb[1..],
    }
}

/// Letters a typist swaps: neighbours on a QWERTY keyboard, or letters es/pt spelling confuses
/// by sound (b/v, s/z/c, c/k, g/j, i/y).
fn typo_pair(x: char, y: char) -> bool {
    const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
    const SOUNDS: [(char, char); 7] = [('b', 'v'), ('s', 'z'), ('c', 's'), ('c', 'z'), ('c', 'k'), ('g', 'j'), ('i', 'y')];
    let key = |c: char| ROWS.iter().enumerate().find_map(|(r, row)| row.find(c).map(|col| (r as i32, col as i32)));
    let keyboard = match (key(x), key(y)) {
        // A lower row sits half a key to the right, so a key touches the same column and the
        // one before it in the row below.
        (Some((r1, c1)), Some((r2, c2))) => match r2 - r1 {
            0 => (c1 - c2).abs() == 1,
            1 => c2 == c1 || c2 == c1 - 1,
            -1 => c2 == c1 || c2 == c1 + 1,
            _ => false,
        },
        _ => false,
    };
    keyboard || SOUNDS.iter().any(|&(p, q)| (x, y) == (p, q) || (x, y) == (q, p))
}

/// Function words that never name a product, colour or size by themselves.
pub const STOPWORDS: &[&str] = &[
    "el", "la", "lo", "los", "las", "le", "les", "un", "una", "uno", "unos", "unas", "de", "del", "en", "con", "y", "e", "o", "a", "al",
    "u", "os", "as", "um", "uma", "do", "da", "dos", "das", "no", "na", "nos", "nas", "em", "com", "pra", "para", "pa", "por", "the", "an",
    "of", "in", "on", "for", "to", "and", "with", "my", "mi", "mis", "me", "te", "se", "su", "sus", "tu", "meu", "minha", "it", "is",
    "that", "this", "que", "q", "ese", "esa", "este", "esta", "esos", "esas", "essa", "esse", "isso", "one", "ones", "mas", "mais", "x",
    "si", "sim", "yes", "ya",
];

pub fn is_stopword(w: &str) -> bool {
    STOPWORDS.contains(&w)
}

/// Cross-language product nouns and qualifiers: (canonical Spanish word as it would appear in a
/// catalog name, other spellings/languages). A surface may feed several canonicals ("jeans" is
/// both the trousers and the denim of a jacket). Compared by `stem`, so plurals come free.
#[rustfmt::skip]
pub const NOUNS: &[(&str, &[&str])] = &[
    ("vestido", &["vestidito", "vestidinho", "dress", "dresses"]),
    ("polera", &["camiseta", "camisetas", "camisetinha", "remera", "playera", "tee", "tees", "tshirt", "shirt", "shirts"]),
    ("poleron", &["moletom", "moleton", "hoodie", "hoodies", "hoody", "sudadera", "buzo", "sweatshirt", "blusao", "canguro"]),
    ("chaleco", &["cardigan", "cardiga", "sweater", "sueter", "jersey", "chompa", "colete", "jumper", "vest"]),
    ("jeans", &["jean", "vaquero", "vaqueros"]),
    ("mezclilla", &["denim", "jeans", "jean"]),
    ("pantalon", &["pantalones", "calca", "calcas", "pants", "trousers"]),
    ("chaqueta", &["jaqueta", "jacket", "campera", "casaca", "chamarra", "chaquetita"]),
    ("falda", &["saia", "saias", "skirt", "skirts", "faldita"]),
    ("blusa", &["blouse", "blouses", "blusinha"]),
    ("top", &["tops", "cropped", "bra"]),
    ("deportivo", &["deportiva", "esportivo", "esportiva", "sport", "sports", "gym", "fitness"]),
    ("zapatillas", &["zapatilla", "zapas", "tenis", "tennis", "sneakers", "sneaker"]),
    ("botines", &["botin", "bota", "botas", "boots", "boot", "booties", "botinha", "botinhas", "coturno"]),
    ("sandalias", &["sandalia", "sandals", "sandal", "sandalinha", "sandalinhas"]),
    ("cartera", &["bolsa", "bolso", "bag", "bags", "purse", "handbag", "bolsinha", "carteira"]),
    ("aros", &["aritos", "brincos", "brinco", "earrings", "earring", "pendientes", "aretes", "arete", "zarcillos"]),
    ("collar", &["colar", "necklace", "necklaces", "gargantilla", "cordao"]),
    ("bufanda", &["cachecol", "scarf", "scarves", "chalina", "echarpe", "pashmina"]),
    ("lentes", &["gafas", "anteojos", "oculos", "sunglasses", "glasses", "shades", "lentinhos"]),
    ("labial", &["batom", "batons", "lipstick", "lipsticks", "pintalabios", "labiales"]),
    ("base", &["foundation"]),
    ("paleta", &["palette", "paletinha"]),
    ("esmalte", &["esmaltes", "polish", "esmaltito", "nail", "nails", "unhas"]),
    ("sombras", &["sombra", "eyeshadow", "eyeshadows", "shadows", "shadow"]),
    ("perlas", &["perla", "perolas", "perola", "pearl", "pearls"]),
    ("plata", &["prata", "silver"]),
    ("cuero", &["couro", "leather", "cuerina"]),
    ("lana", &["wool"]),
    ("seda", &["silk"]),
    ("floral", &["flores", "flower", "flowers", "florido", "florida", "floreado", "flowery"]),
    ("largo", &["long", "longo", "longa", "maxi"]),
    ("fiesta", &["festa", "party", "gala"]),
    ("estampada", &["estampado", "printed", "print", "estampa", "graphic"]),
    ("oversize", &["oversized"]),
    ("basica", &["basico", "basic", "lisa", "liso", "plain"]),
    ("algodon", &["algodao", "cotton"]),
    ("urbanas", &["urbana", "urban"]),
    ("plataforma", &["platform", "plataformas"]),
    ("tejida", &["tejido", "knit", "knitted", "trico"]),
    ("sol", &["sun"]),
    ("mate", &["matte", "fosco"]),
    ("liquida", &["liquido", "liquid"]),
    ("plisada", &["plisado", "plissada", "plissado", "pleated"]),
    // Category words, so "zapatos" narrows to the footwear without naming one. ("calzado", &["zapatos", "zapato", "sapatos", "sapato", "shoes", "calcado"])
    ("cosmetica", &["maquillaje", "maquiagem", "makeup"]),
    ("accesorios", &["acessorios", "accessories"]),
    ("ropa", &["roupa", "clothes"]),
];

/// Multi-word product phrases rewritten to one word before tokenising.
pub const NOUN_PHRASES: &[(&str, &str)] = &[
    ("nail polish", "esmalte"),
    ("nail polishes", "esmaltes"),
    ("t shirt", "tee"),
    ("sun glasses", "sunglasses"),
    ("oculos de sol", "lentes"),
    ("calca jeans", "jeans"),
    ("calca jean", "jeans"),
    ("lip stick", "lipstick"),
    ("eye shadow", "eyeshadow"),
    ("sports bra", "top"),
];

/// Colours across es/pt/en: (catalog colours to try in order, surface words). Surfaces get
/// gender/number/diminutive endings from `inflections`.
#[rustfmt::skip]
pub const COLOURS: &[(&[&str], &[&str])] = &[
    (&["rojo"], &["rojo", "colorado", "vermelho", "red", "rojito"]),
    (&["negro"], &["negro", "preto", "black"]),
    (&["blanco"], &["blanco", "branco", "white", "blanquito", "branquinho"]),
    (&["rosado", "rosa"], &["rosado", "rosa", "pink"]),
    (&["cafe", "marron"], &["cafe", "marron", "marrom", "brown", "chocolate", "cafecito"]),
    (&["gris"], &["gris", "cinza", "grey", "gray", "plomo", "griscito"]),
    (&["beige", "crema"], &["beige", "bege", "beis", "beish", "beje"]),
    (&["crema", "beige"], &["crema", "cream"]),
    (&["lila", "morado"], &["lila", "lilac", "lavanda", "lavender"]),
    (&["morado", "lila"], &["morado", "roxo", "purple", "violeta"]),
    (&["vino", "burdeo"], &["vino", "vinho", "wine", "burdeo", "bordo", "borgona", "burgundy", "guinda", "vinotinto"]),
    (&["nude"], &["nude"]),
    (&["azul"], &["azul", "blue", "azulito"]),
    (&["verde"], &["verde", "green", "verdecito"]),
    (&["amarillo"], &["amarillo", "amarelo", "yellow"]),
    (&["claro"], &["claro", "light", "clarito"]),
    (&["oscuro"], &["oscuro", "escuro", "dark"]),
    (&["medio"], &["medio"]),
];

/// A word for a cosmetic tone ("oscuro", "light", "medium"): before "shade" it makes the
/// shade a tone ("dark shade"), not the "shades" that are sunglasses.
pub fn is_tone_word(word: &str) -> bool {
    const TONES: [&str; 4] = ["claro", "oscuro", "medio", "nude"];
    let tone_surface = |s: &&str| inflections(s).iter().any(|f| f == word);
    matches!(word, "medium" | "deep" | "fair" | "tono" | "tom" | "tone")
        || COLOURS.iter().any(|(canons, surfaces)| canons.iter().any(|c| TONES.contains(c)) && surfaces.iter().any(tone_surface))
}

/// Gender, number and diminutive forms of a colour word: negro → negra, negros, negrita…
pub fn inflections(base: &str) -> Vec<String> {
    let mut out = vec![base.to_string()];
    if let Some(root) = base.strip_suffix('o') {
        for end in ["a", "os", "as", "ito", "ita", "itos", "itas", "inho", "inha", "inhos", "inhas"] {
            out.push(format!("{root}{end}"));
        }
    } else if let Some(root) = base.strip_suffix('a') {
        for end in ["as", "ita", "itas", "inha", "inhas"] {
            out.push(format!("{root}{end}"));
        }
        out.push(format!("{base}s"));
    } else {
        out.push(format!("{base}s"));
        out.push(format!("{base}es"));
    }
    out
}

/// Size letters and words → catalog sizes to try in order (Brazilian P/G/GG fall back to S/L/XL).
pub fn size_candidates(word: &str) -> Option<&'static [&'static str]> {
    Some(match word {
        "xs" | "pp" => &["XS", "PP"],
        "s" => &["S"],
        "m" => &["M"],
        "l" => &["L"],
        "xl" | "gg" => &["XL", "GG"],
        "xxl" | "xg" => &["XXL", "XG"],
        "p" => &["P", "S"],
        "g" => &["G", "L"],
        _ => return None,
    })
}

/// Size said in words ("talla chica", "in small"); only trusted after a size cue or preposition.
pub fn size_word(word: &str) -> Option<&'static str> {
    Some(match word {
        "chica" | "chico" | "small" | "pequena" | "pequeno" | "peque" => "S",
        "mediana" | "mediano" | "medium" | "media" => "M",
        "grande" | "large" => "L",
        "extragrande" | "xlarge" => "XL",
        _ => return None,
    })
}

/// Words that introduce a size ("talla M", "tam G", "size 38", "numeração 38").
pub fn is_size_cue(word: &str) -> bool {
    matches!(
        word,
        "talla"
            | "tala"
            | "tlla"
            | "taya"
            | "talle"
            | "tallas"
            | "tam"
            | "tamanho"
            | "tamano"
            | "size"
            | "sz"
            | "numeracao"
            | "numero"
            | "num"
            | "nro"
            | "calce"
            | "horma"
            | "calzo"
            | "uso"
            | "visto"
    )
}

/// Quantities written as words in es/pt/en.
pub fn number_word(word: &str) -> Option<u32> {
    Some(match word {
        "un" | "uno" | "una" | "um" | "uma" | "one" | "otro" | "otra" | "outro" | "outra" | "another" => 1,
        "dos" | "dois" | "duas" | "two" | "ambos" | "ambas" | "both" => 2,
        "tres" | "three" => 3,
        "cuatro" | "quatro" | "four" => 4,
        "cinco" | "five" => 5,
        "seis" | "six" => 6,
        "siete" | "sete" | "seven" => 7,
        "ocho" | "oito" | "eight" => 8,
        "nueve" | "nove" | "nine" => 9,
        "diez" | "dez" | "ten" => 10,
        _ => return None,
    })
}

/// At most `max_chars` of some text, control characters left out, "…" where it was cut: what
/// an error message or a seller's notice may quote of someone else's input.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let short: String = text.chars().filter(|c| !c.is_control()).take(max_chars).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_lowercases_and_strips_accents_but_keeps_emoji() {
        assert_eq!(fold("Sácame DEL Ñandú 😍"), "sacame del nandu 😍");
        assert_eq!(fold("numeração"), "numeracao");
    }

    #[test]
    fn squeezing_collapses_long_letter_runs_only() {
        assert_eq!(squeeze("yooo lindaaaa"), "yo linda");
        assert_eq!(squeeze("llevo xxl 1000"), "llevo xxl 1000");
    }

    #[test]
    fn normalizing_drops_apostrophes() {
        assert_eq!(normalize("I'll take it, let's go"), "ill take it, lets go");
    }

    #[test]
    fn stemming_joins_plurals_and_diminutives() {
        assert_eq!(stem("vestidito"), stem("vestidos"));
        assert_eq!(stem("polerita"), stem("polera"));
        assert_eq!(stem("blusinha"), stem("blusa"));
        assert_ne!(stem("poleron"), stem("polera"));
    }

    #[test]
    fn one_edit_covers_typos_and_swaps() {
        assert!(within_one_edit("sandalia", "sandlia"));
        assert!(within_one_edit("vestido", "vestdio"));
        assert!(within_one_edit("bufanda", "bufandas"));
        assert!(!within_one_edit("polera", "poleron"));
    }

    #[test]
    fn a_typo_swaps_in_a_neighbouring_key_or_a_letter_of_the_same_sound() {
        assert!(within_one_edit("bufamda", "bufanda"));
        assert!(within_one_edit("zapatillaz", "zapatillas"));
        assert!(within_one_edit("vufanda", "bufanda"));
        assert!(within_one_edit("cartwra", "cartera"));
        assert!(!within_one_edit("floripa", "florida"));
        assert!(!within_one_edit("frete", "arete"));
        assert!(!within_one_edit("tecido", "tejido"));
    }

    #[test]
    fn colour_inflections_cover_gender_number_and_diminutive() {
        let forms = inflections("negro");
        for f in ["negra", "negros", "negritas", "negrinho"] {
            assert!(forms.iter().any(|x| x == f), "{f}");
        }
        assert!(inflections("azul").contains(&"azules".to_string()));
    }

    #[test]
    fn tone_words_cover_es_pt_en_and_inflections() {
        for w in ["dark", "oscura", "escuro", "light", "clarita", "medium", "nude", "tono"] {
            assert!(is_tone_word(w), "{w}");
        }
        for w in ["black", "roja", "the", "shade"] {
            assert!(!is_tone_word(w), "{w}");
        }
    }

    #[test]
    fn brazilian_sizes_fall_back_to_letter_sizes() {
        assert_eq!(size_candidates("gg"), Some(&["XL", "GG"][..]));
        assert_eq!(size_candidates("p"), Some(&["P", "S"][..]));
        assert_eq!(size_word("chica"), Some("S"));
    }

    #[test]
    fn no_noun_surface_collides_with_another_canonical() {
        // "jeans" names both the trousers and a denim jacket on purpose; nothing else may.
        let canon: Vec<String> = NOUNS.iter().map(|(c, _)| stem(c)).collect();
        for (c, surfaces) in NOUNS {
            for s in surfaces.iter() {
                let st = stem(s);
                let clash = canon.iter().any(|k| *k == st && *k != stem(c));
                assert!(!clash || ["jeans", "jean"].contains(s), "{s} of {c}");
            }
        }
    }

    #[test]
    fn number_words_in_three_languages() {
        assert_eq!(number_word("duas"), Some(2));
        assert_eq!(number_word("tres"), Some(3));
        assert_eq!(number_word("two"), Some(2));
        assert_eq!(number_word("talla"), None);
    }

    #[test]
    fn an_excerpt_is_short_and_clean() {
        assert_eq!(super::excerpt("abc", 40), "abc");
        assert_eq!(super::excerpt("ab\u{0000}cdef", 3), "abc…");
    }
}
