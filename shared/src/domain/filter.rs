//! Cheap noise filter run before any rule or model. It only drops comments that cannot be a
//! claim, a cancellation or a question; anything doubtful passes through.

use super::text;
use regex::Regex;
use std::sync::LazyLock;

/// One regex from a list of alternatives, so each family reads as a word list.
fn any_of(alternatives: &[&str]) -> Regex {
    Regex::new(&alternatives.join("|")).expect("valid regex")
}

#[rustfmt::skip]
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"https?://", r"www\.",
        r"\b[a-z0-9-]{2,}\.(?:com|cl|br|net|org|ly|me|co|io|link|shop|store|info|ar|pe|mx|xyz|top|site|online|club|biz|vip)\b",
    ])
});

#[rustfmt::skip]
static SPAM: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:gana|ganhe|ganha|earn|make)\b.{0,40}(?:\$|dinero|dinheiro|money|casa|home|diarios|por dia|per day|a day)",
        r"\b(?:seguidores|followers|likes|curtidas)\b.{0,15}\b(?:gratis|free|gratuitos?)\b",
        r"\b(?:gana|ganhe|ganha|gane|earn)\b.{0,20}\b(?:seguidores|followers|likes|curtidas)\b",
        r"\b(?:dm|inbox) me\b", r"\bcrypto", r"\bbitcoin",
    ])
});

static TAG: LazyLock<Regex> = LazyLock::new(|| any_of(&[r"@[\w.]+"]));

/// Vocabulary that keeps a laughing or stream-note comment: claims, cancels, questions, sizes.
#[rustfmt::skip]
static SIGNAL: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\?", r"\d",
        r"\b(?:quier\w*|quer\w*|quis\w*|want|wanna|take|mine|mi[oa]s?|minha|meu|sold|vend\w*|dibs|gimme|yo|eu)\b",
        r"\b(?:para mi|pra mim|for me|reserv\w*|apart\w*|separ\w*|anot\w*|guard\w*|llev\w*|lev[oa]|levar|pego|fico)\b",
        r"\b(?:compr\w*|cancel\w*|desist\w*|precio|preco|price|cuanto|quanto|how much|tiene|tienen|tem|hay)\b",
        r"\b(?:talla|tam|size)\b",
    ])
});

/// A claim strong enough to keep a comment that tags a friend ("@ana yo quiero el A1").
#[rustfmt::skip]
static CLAIM: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\?",
        r"\b(?:quiero|quero|want|mine|mi[oa]|minha|para mi|pra mim|for me|sold|dibs|ill take|vou levar)\b",
        r"\b(?:reserv\w*|apart\w*|separa\w*|anota\w*|guarda\w*|me (?:lo |la )?llevo|cancel\w*|desist\w*)\b",
    ])
});

static LAUGH_WORD: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"^(?:a?(?:ja|je|ji|jo|ha|he|hi|js|sj|ks|rs){2,}[jhsk]?|kk+|lol|lmao|lmfao|rofl|xd+)$"]));

#[rustfmt::skip]
static GREETING: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"^(?:hola|holi|holis|holaa|buenas|buenos dias|buen dia|saludos|saludo|wena|wenas|que tal|bienvenid[oa]s?)\b",
        r"^(?:oi|ola|bom dia|boa tarde|boa noite|alo)\b",
        r"^(?:hi|hello|hey|hiya|good morning|good afternoon|good evening|good night|greetings)\b",
    ])
});

/// Words that may follow a greeting without making it anything else ("oi gente, boa noite").
#[rustfmt::skip]
const VOCATIVES: &[&str] = &[
    "gente", "chicas", "chiquillas", "amigas", "amigos", "amiga", "todas", "todos", "a", "everyone",
    "everybody", "guys", "girls", "ladies", "all", "yall", "pessoal", "galera", "meninas", "amores",
    "lindas", "hermosas", "bellas", "reina", "reinas", "querida", "queridas", "familia", "fam",
    "people", "mis", "linda", "bella", "tarde", "noite", "noches", "dias", "boa", "buenas",
    "buenos", "good", "evening", "morning", "night", "to", "you", "tardes", "dia", "ustedes",
    "voces", "vcs", "de", "nuevo", "again", "hola", "oi", "hi", "hello", "saludos",
];

/// Presence words: "viendo desde", "watching from".
const PRESENCE_WORD: &str =
    r"(?:aqui|aca|here|presente|conectad[ao]s?|viendo(?:te|los)?|mirando|assistindo|vendo|watching|saludando|saludos)";

/// "desde Temuco", "watching from Lima": a place, after a greeting or a presence word.
static PRESENCE: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[&format!(r"^(?:{PRESENCE_WORD}\s+)*(?:desde|de|from|da|do|direto de|directo desde)\s+\S+(?:\s+\S+){{0,3}}$")])
});

/// Without a greeting, a presence word must open the comment ("do you ship…" is not one).
static PRESENCE_ALONE: LazyLock<Regex> = LazyLock::new(|| any_of(&[&format!(r"^{PRESENCE_WORD}\b")]));

#[rustfmt::skip]
static STREAM: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\bno se (?:escucha|oye|ve)\b", r"\bno (?:escucho|oigo)\b", r"\bsin (?:audio|sonido|imagen)\b",
        r"\bsem (?:som|audio|imagem)\b", r"\bse (?:corta|corto|congelo|pego|cae|cayo|traba|trabo)\b",
        r"\bse ve (?:muy |re |super )?(?:oscuro|borroso|mal|pixelado|cortado|lento)\b",
        r"\bse escucha (?:mal|bajo|cortado|feo)\b",
        r"\b(?:som|audio|video|live|imagem|sonido|transmision) (?:ta |esta |is )?(?:cortando|travando|ruim|baixo|mudo|falhando|lagging|frozen|choppy|cortado|congelado|pegado|mal)\b",
        r"\b(?:travou|travando|caiu a live|cant hear|cannot hear|no sound|no audio|buffering)\b",
        r"\b(?:sube el volumen|aumenta o volume|turn up the volume)\b",
    ])
});

/// Reason to drop `text` as noise, or None to keep it.
pub fn noise(text: &str) -> Option<&'static str> {
    if text.trim().is_empty() {
        return Some("empty");
    }
    let folded = text::fold(text);
    let norm = text::normalize(text);
    let words: Vec<&str> = text::words(&norm).collect();
    let asks = folded.contains('?');

    if words.is_empty() {
        // A raised hand is a common "me!" on lives: keep it for the rules to weigh.
        let hand = text.contains(['🙋', '✋', '☝']);
        return (!asks && !hand).then_some("emoji_only");
    }
    if LINK.is_match(&folded) {
        return Some("link");
    }
    if SPAM.is_match(&norm) {
        return Some("spam");
    }
    if TAG.is_match(&folded) {
        // A comment that opens with a mention talks to that viewer, so its "?" is not for the
        // seller ("@dani cachai el A8? te quedaría bacán"); only a claim keeps it.
        let rest = TAG.replace_all(&norm, " ");
        let to_viewer = folded.trim_start().starts_with('@');
        let keeps = if to_viewer { CLAIM.is_match(&rest.replace('?', " ")) } else { CLAIM.is_match(&rest) };
        return (!keeps).then_some("tag");
    }
    if !asks && is_laughter(&folded) {
        return Some("laughter");
    }
    let plain = words.join(" ");
    if !asks && is_greeting(&plain) {
        return Some("greeting");
    }
    if STREAM.is_match(&plain) && !SIGNAL.is_match(&STREAM.replace_all(&plain, " ")) {
        return Some("stream");
    }
    None
}

/// One word of written laughter: jajaja, kkkk, rsrs, jsjs, haha, lol.
pub fn is_laugh_word(word: &str) -> bool {
    LAUGH_WORD.is_match(word)
}

/// Laughter alone, or laughter opening a comment that carries no claim vocabulary.
/// Works on the unsqueezed text, where "kkkk" is still recognisable.
fn is_laughter(folded: &str) -> bool {
    let words: Vec<&str> = text::words(folded).collect();
    if !words.first().is_some_and(|w| is_laugh_word(w)) {
        return false;
    }
    let rest: Vec<&str> = words.into_iter().skip_while(|w| is_laugh_word(w)).collect();
    !SIGNAL.is_match(&rest.join(" "))
}

/// A greeting followed only by vocatives or a place, or a presence note ("viendo desde Lima").
fn is_greeting(plain: &str) -> bool {
    let Some(m) = GREETING.find(plain) else {
        return PRESENCE_ALONE.is_match(plain) && PRESENCE.is_match(plain) && !SIGNAL.is_match(plain);
    };
    let rest: Vec<&str> = plain[m.end()..].split_whitespace().collect();
    let vocatives = rest.iter().take_while(|w| VOCATIVES.contains(w)).count();
    // "de" is both a vocative ("hola de nuevo") and the start of a place ("boa tarde de
    // Floripa"), so the place may begin anywhere inside the vocative run.
    vocatives == rest.len()
        || (0..=vocatives).any(|k| {
            let tail = rest[k..].join(" ");
            PRESENCE.is_match(&tail) && !SIGNAL.is_match(&tail)
        })
}

#[cfg(test)]
mod tests {
    use super::noise;

    #[test]
    fn greetings_with_a_place_or_vocative_are_noise() {
        for t in [
            "hola desde Lima 👋",
            "oi gente, boa noite",
            "hi from Miami",
            "buenas noches a todas!",
            "saludos desde Temuco",
            "assistindo de Porto Alegre 👋",
            "holaaa chicas",
            "boa tarde de Floripa 🌊",
            "buenas noches de Mendoza",
            "oi gente de Sampa",
            "hola chicas desde Iquique",
            "good evening from Austin",
        ] {
            assert_eq!(noise(t), Some("greeting"), "{t}");
        }
    }

    #[test]
    fn greetings_that_go_on_to_claim_or_ask_pass() {
        for t in [
            "hola! quiero el A12 M",
            "hola, cuánto cuesta?",
            "buenas, A3 negra L",
            "hi, mine!",
            "hola de nuevo, quiero el A12",
            "boa tarde de novo, tem o A3?",
        ] {
            assert_eq!(noise(t), None, "{t}");
        }
    }

    #[test]
    fn emoji_only_is_noise_but_a_raised_hand_or_question_mark_passes() {
        assert_eq!(noise("❤️❤️"), Some("emoji_only"));
        assert_eq!(noise("👏👏👏"), Some("emoji_only"));
        assert_eq!(noise("🙋‍♀️"), None);
        assert_eq!(noise("??"), None);
    }

    #[test]
    fn laughter_is_noise_unless_it_carries_a_claim() {
        for t in ["jajaja", "kkkkkk", "rsrs", "jsjsjs", "lol", "jajaja me muero con el perrito"] {
            assert_eq!(noise(t), Some("laughter"), "{t}");
        }
        assert_eq!(noise("jajaja yo quiero el A1"), None);
        assert_eq!(noise("kkkk quero"), None);
    }

    #[test]
    fn tags_are_noise_even_with_a_code_unless_they_claim() {
        assert_eq!(noise("@maria mira"), Some("tag"));
        assert_eq!(noise("@cami mira el A1 😍"), Some("tag"));
        assert_eq!(noise("@cami yo quiero el A1"), None);
    }

    #[test]
    fn a_comment_opening_with_a_mention_keeps_only_a_claim() {
        for t in ["@dani cachai el A8? te quedaría bacán", "@caro viste la bufanda? te queda regia", "@ana this one? for your mom"] {
            assert_eq!(noise(t), Some("tag"), "{t}");
        }
        for t in ["@jose yo quiero el A12 M", "@tienda me guardas el A5?", "hola @tienda tiene el A12 en M?"] {
            assert_eq!(noise(t), None, "{t}");
        }
    }

    #[test]
    fn links_and_spam_are_noise() {
        assert_eq!(noise("Ganhe 1000 seguidores 👉 seguidoresbr.top"), Some("link"));
        assert_eq!(noise("gana 500 seguidores hoy mismo"), Some("spam"));
        assert_eq!(noise("Gana $500 diarios desde tu casa 👉 bit.ly/gana-ya"), Some("link"));
        assert_eq!(noise("Earn money from home, DM me"), Some("spam"));
        assert_eq!(noise("seguidores gratis aquí"), Some("spam"));
    }

    #[test]
    fn stream_notes_are_noise() {
        assert_eq!(noise("no se escucha nada"), Some("stream"));
        assert_eq!(noise("se ve muy oscuro el video"), Some("stream"));
        assert_eq!(noise("o som tá cortando"), Some("stream"));
    }

    #[test]
    fn short_claims_always_pass() {
        for t in ["yo", "mío", "sold", "me!!", "eu quero", "A12", "minha!", "mine", "desisto"] {
            assert_eq!(noise(t), None, "{t}");
        }
    }
}
