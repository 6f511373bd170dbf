//! The intent decision (the first rule that fires wins), and the language of the comment.
use super::*;

pub(super) fn decide(p: &Prepared, ex: &Extraction, clause: ClauseClaim, lang: Lang) -> (Intent, f32) {
    let t = p.clean.as_str();
    let names_item = ex.has_code || ex.has_name;
    let named = names_item || ex.has_attr;
    let bare = ex.unknown == 0;

    if p.tokens.iter().all(|w| w == "?" || w == ",") {
        // Emoji the filter let through (a raised hand): let a model decide.
        return (if p.qmark { Intent::Question } else { Intent::Other }, 0.4);
    }
    if CANCEL.is_match(t) || (CANCEL_OBJ.is_match(t) && !SHOW.is_match(t)) {
        return (Intent::Cancel, 0.9);
    }
    if REFUSE.is_match(t) {
        return (Intent::Other, 0.8);
    }
    if let Some(m) = NEG_WANT.captures(t) {
        let object = m.get(2).is_some_and(|w| OBJECT_WORDS.contains(&w.as_str()));
        let pronoun = m.get(1).is_some() || m[0].split(' ').any(|x| matches!(x, "lo" | "la" | "los" | "las"));
        return if NEG_MORE.is_match(t) || object || pronoun || names_item { (Intent::Cancel, 0.8) } else { (Intent::Other, 0.8) };
    }
    if let Some(m) = NEG_AFTER.captures(t).filter(|m| m.get(3).is_none()) {
        let withdraws = m.get(1).is_some() || m.get(2).is_some();
        return if withdraws { (Intent::Cancel, 0.8) } else { (Intent::Other, 0.8) };
    }
    if JOKE.is_match(t) || social(t, named) {
        return (Intent::Other, 0.8);
    }
    if SHOW.is_match(t) || ASK.is_match(t) {
        return (Intent::Question, 0.85);
    }
    // "tênis preto 40 pra mim, pode ser?" asks to confirm a claim, not for information.
    let confirm_only = CONFIRM_TAG.find(t).is_some_and(|m| !t[..m.start()].contains('?'));
    let qmark = p.qmark && !confirm_only;
    let conditional = COND_BUY.is_match(t);
    let topic_text = NOT_ASKING.replace_all(t, " ");
    let asks = qmark || Q_TOPIC.is_match(&topic_text) || Q_LEAD.is_match(&topic_text) || (conditional && WH.is_match(t));
    // "si compro hoy, cuándo llega?": the buying verb only sets up the question.
    let claim_text = if asks { COND_BUY.replace_all(t, " ") } else { t.into() };
    let ct = claim_text.as_ref();
    let story = PAST_OR_PAID.is_match(t);
    let gift = FOR_OTHER.is_match(ct) && !praises(t) && !NOT_NOW.is_match(t);
    let picks = named && !story && !negated(t, lang) && (PICK.is_match(ct) || gift);
    let charge = CHARGE.is_match(ct) && !HOW_MUCH_CHARGE.is_match(t) && (named || !asks);
    let give = GIVE.is_match(ct) && !GIVE_NOT_BUY.is_match(ct);
    let claims =
        RESERVE.is_match(ct) || WANT.is_match(ct) || OWN.is_match(ct) || (BUY_NOW.is_match(ct) && !story) || picks || charge || give;
    let explicit = (claims || clause.item || clause.sized) && named;
    if HEDGE.is_match(t) && !explicit {
        return (Intent::Other, 0.8);
    }
    if claims {
        // "lo quiero jajaja" or "quero é ganhar na mega sena" with nothing named is banter or a
        // wish, not an order.
        if !named && (p.laughs || wants_another_thing(ct)) {
            return (Intent::Other, 0.6);
        }
        return (Intent::Purchase, if qmark { 0.7 } else { 0.9 });
    }
    if FOR_ME.is_match(t) && !qmark {
        return (Intent::Purchase, 0.85);
    }
    if asks {
        return (Intent::Question, if qmark { 0.85 } else { 0.7 });
    }
    if story {
        return (Intent::Other, 0.85);
    }
    if praises(t) {
        // Praise is not an order, unless it comes with a variant of a code ("A7 negro M 😍
        // hermoso"), a size or count ("me encantó el chaleco verde!! uno en L xfa"), or a polite
        // request ("o batom nude pfvr, amo essa cor").
        let ordered = (ex.has_code && ex.has_attr) || clause.sized || (clause.names && POLITE.is_match(t));
        return if ordered { (Intent::Purchase, 0.65) } else { (Intent::Other, 0.8) };
    }
    if bare && p.tokens.iter().any(|w| WEAK.is_match(w)) {
        return (Intent::Purchase, 0.8);
    }
    if bare && names_item {
        return (Intent::Purchase, 0.85);
    }
    if bare && ex.has_attr {
        // "38 negra": a variant of the item on screen.
        return (Intent::Purchase, 0.65);
    }
    if (clause.item || clause.sized) && !negated(t, lang) {
        // "A-9 bege M, já faço o pix": one clause is an order by itself; the chatter around it
        // (hopes, payment plans) carries no cue against it.
        return (Intent::Purchase, 0.7);
    }
    if names_item && ex.unknown <= 1 && ex.has_code {
        return (Intent::Purchase, 0.5);
    }
    if names_item && ex.has_attr && ex.unknown <= 2 && !negated(t, lang) {
        // "me voy con el polerón plomo en L": an item with its variant and little else is an
        // order even when the claim verb is slang the lists lack.
        return (Intent::Purchase, 0.5);
    }
    if names_item {
        return (Intent::Other, 0.45);
    }
    (Intent::Other, if ex.unknown > 0 { 0.75 } else { 0.6 })
}

/// Clauses that are a claim on their own: nothing but an item and its variant or count, or a
/// size or count for an item named elsewhere or on screen.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ClauseClaim {
    /// An item and nothing else ("o colar pfv" in "…, que lindo").
    pub(super) names: bool,
    /// An item with its variant or count ("el A2 talla 44 porfis" in "…, ojalá me quede").
    pub(super) item: bool,
    /// "uno en L xfa" after praise, or "numeração 37" when 37 exists on the item on screen.
    pub(super) sized: bool,
}

pub(super) fn clause_claim(p: &Prepared, ex: &Extraction, index: &CatalogIndex, lang: Lang, current: Option<usize>) -> ClauseClaim {
    // With no item named, the variant refers to the item on screen, so it must exist there.
    let anchored = ex.has_code || ex.has_name || fits_current(ex, index, current);
    let mut out = ClauseClaim::default();
    for clause in &p.clauses {
        let c = extract(clause, index, lang, &p.names);
        if c.unknown > 0 {
            continue;
        }
        out.names |= c.has_code || c.has_name;
        out.item |= (c.has_code || c.has_name) && (c.has_attr || c.has_count);
        out.sized |= anchored && (c.has_size || (c.has_count && (ex.has_code || ex.has_name)));
    }
    out
}

/// Every size and colour the comment gives exists on the product on screen.
pub(super) fn fits_current(ex: &Extraction, index: &CatalogIndex, current: Option<usize>) -> bool {
    current.is_some_and(|cur| {
        group(&ex.items).iter().all(|d| {
            let c = resolve(d, index, Some(cur));
            d.size.is_some() == c.size.is_some() && d.colour.is_some() == c.color.is_some()
        })
    })
}

/// The first want verb in `t` is aimed at an action other than buying ("quero é ganhar…").
pub(super) fn wants_another_thing(t: &str) -> bool {
    const CLITICS: [&str; 9] = ["melo", "mela", "melos", "melas", "me", "lo", "la", "los", "las"];
    let Some(m) = WANT_TO.captures(t) else {
        return false;
    };
    if let Some(verb) = m.get(2) {
        return !BUY_VERBS.contains(&verb.as_str());
    }
    let Some(word) = m.get(1).map(|w| w.as_str()) else {
        return false;
    };
    // "llevármelo" → "llevar": drop a glued clitic before looking for the infinitive ending.
    let bare = CLITICS.iter().find_map(|c| word.strip_suffix(c).filter(|v| v.ends_with('r'))).unwrap_or(word);
    ["ar", "er", "ir"].iter().any(|e| bare.ends_with(e)) && !BUY_VERBS.contains(&bare)
}

// ---------------------------------------------------------------------------------------------
// Language: count marker words; accents only Portuguese or Spanish use break ties.

pub(super) const ES_WORDS: &[&str] = &[
    "quiero", "el", "los", "las", "yo", "mio", "mia", "para", "por", "hola", "talla", "porfa", "gracias", "cuanto", "tiene", "hay", "jaja",
    "ya", "mi", "lo", "una", "uno", "desde", "y", "del", "en", "con", "precio", "llevo", "cancela", "todo", "muy", "pero", "solo", "estoy",
    "hacen", "sale", "vale", "puedes", "favor", "me", "se", "es", "la", "que", "negra", "negro", "blanca", "rojo", "roja", "quedo", "cual",
];
pub(super) const PT_WORDS: &[&str] = &[
    "quero", "eu", "nao", "voce", "vc", "pra", "tem", "do", "da", "um", "uma", "duas", "dois", "oi", "gente", "boa", "obrigada",
    "obrigado", "kkk", "rsrs", "tamanho", "tam", "preto", "preta", "branco", "branca", "vermelho", "vermelha", "essa", "esse", "isso",
    "olha", "mais", "bolsa", "batom", "brincos", "com", "fico", "vou", "levar", "ainda", "ta", "meu", "minha", "cinza", "bege", "marrom",
    "tira", "aceita", "faz", "qual", "custa", "pode", "desculpa", "tambem", "muito", "amei", "tudo", "hoje", "nem", "e", "o", "os", "as",
    "no", "na",
];
pub(super) const EN_WORDS: &[&str] = &[
    "the", "i", "you", "want", "please", "pls", "my", "it", "is", "for", "size", "black", "white", "red", "pink", "brown", "how", "much",
    "do", "does", "sold", "mine", "and", "of", "in", "hi", "love", "lol", "take", "ill", "from", "to", "can", "show", "cancel", "dress",
    "bag", "me", "anymore", "dont", "just", "got", "order", "thank", "yes", "still", "need", "this", "that",
];

pub(super) fn detect_lang(raw: &str, tokens: &[String]) -> Lang {
    let count = |list: &[&str]| tokens.iter().filter(|t| list.contains(&t.as_str())).count() as i32;
    let (mut es, mut pt, en) = (count(ES_WORDS), count(PT_WORDS), count(EN_WORDS));
    if raw.contains(['ã', 'õ', 'ç', 'ê', 'ô', 'Ã', 'Ç']) {
        pt += 2;
    }
    if raw.contains(['ñ', '¿', '¡', 'Ñ']) {
        es += 2;
    }
    if pt > es && pt >= en {
        Lang::Pt
    } else if en > es && en > pt {
        Lang::En
    } else {
        Lang::Es
    }
}
