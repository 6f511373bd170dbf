//! Normalising a comment and the token walk that turns it into items.
use super::*;

pub(super) struct Prepared {
    pub(super) clean: String,
    pub(super) tokens: Vec<String>,
    /// The tokens split at commas, "?" and sentence punctuation ("!", ".", ":").
    pub(super) clauses: Vec<Vec<String>>,
    pub(super) qmark: bool,
    /// Written or emoji laughter anywhere in the comment.
    pub(super) laughs: bool,
    /// Words written as proper names (`proper_names`).
    pub(super) names: HashSet<String>,
}

pub(super) fn prepare(raw: &str, index: &CatalogIndex) -> Prepared {
    let mut s = text::normalize(raw);
    if let Some(code_re) = &index.code_re {
        s = code_re
            .replace_all(&s, |caps: &regex::Captures| {
                let compact = format!("{}{}", &caps[1], &caps[2]);
                if index.by_code.contains_key(&compact) {
                    // A glued size ("A12M") becomes its own word; a plural "s" ("C4s") is harmless.
                    format!(" {compact} {} ", caps.get(3).map_or("", |m| m.as_str()))
                } else {
                    caps[0].to_string()
                }
            })
            .into_owned();
    }
    let mut spaced = String::with_capacity(s.len() + 8);
    let mut prev = ' ';
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let next_is_digit = chars.peek().is_some_and(char::is_ascii_digit);
        let before = std::mem::replace(&mut prev, c);
        match c {
            // A minus sign ("-2", not "A-12" or "38-40"): what follows is not a quantity.
            '-' if next_is_digit && !before.is_ascii_alphanumeric() => spaced.push_str(&format!(" {MINUS} ")),
            c if c.is_ascii_alphanumeric() => spaced.push(c),
            '?' => spaced.push_str(" ? "),
            '#' => spaced.push_str(" # "),
            ',' | ';' | '+' | '/' | '&' | '\n' => spaced.push_str(" , "),
            // Sentence ends split clauses but are no separator in the item walk.
            '!' | '.' | ':' | '¡' => spaced.push_str(&format!(" {CLAUSE_END} ")),
            _ => spaced.push(' '),
        }
    }
    let mut marked = format!(" {} ", spaced.split_whitespace().collect::<Vec<_>>().join(" "));
    let noun_phrases = text::NOUN_PHRASES.iter().map(|(p, w)| (*p, *w));
    let colour_phrases = index.colour_phrases.iter().map(|(p, w)| (p.as_str(), w.as_str()));
    for (phrase, word) in noun_phrases.chain(colour_phrases) {
        marked = marked.replace(&format!(" {phrase} "), &format!(" {word} "));
    }
    let marked: Vec<&str> = marked.split_whitespace().collect();
    let tokens: Vec<String> = marked.iter().filter(|t| **t != CLAUSE_END).map(|t| t.to_string()).collect();
    let clean = tokens.join(" ");
    let clauses = marked
        .split(|t| matches!(*t, CLAUSE_END | "," | "?"))
        .filter(|c| !c.is_empty())
        .map(|c| c.iter().map(|t| t.to_string()).collect())
        .collect();
    // Laughter is read before squeezing, which turns "kkkk" into a bare "k".
    let folded = text::fold(raw);
    let laughs = text::words(&folded).any(filter::is_laugh_word) || raw.contains(['😂', '🤣', '😆', '😹']);
    Prepared { qmark: clean.contains('?'), laughs, clean, tokens, clauses, names: proper_names(raw) }
}

/// Capitalised words inside a sentence ("boa tarde de Floripa", "envío a Córdoba"): places and
/// people, so a one-typo product or colour match on them is a coincidence. Sentence openers and
/// all-caps shouting are not names.
pub(super) fn proper_names(raw: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut opens_sentence = true;
    for word in raw.split_whitespace() {
        let core = word.trim_matches(|c: char| !c.is_alphanumeric());
        if core.is_empty() {
            continue;
        }
        let mut chars = core.chars();
        let capitalised =
            chars.next().is_some_and(char::is_uppercase) && chars.clone().any(char::is_lowercase) && !chars.any(char::is_uppercase);
        if capitalised && !opens_sentence {
            out.insert(text::normalize(core));
        }
        opens_sentence = word.ends_with(['.', '!', '?', ':']);
    }
    out
}

/// Marks a sentence end between tokens; never a word, since words are ASCII alphanumerics.
pub(super) const CLAUSE_END: &str = "|";

/// What the token walk found, in order.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Item {
    /// Candidate products (one = pinned down).
    Product(Vec<usize>),
    /// A bare number several codes share ("el 3": A3, B3, C3). It stays open whatever variant
    /// follows: a size or colour does not tell which code the buyer meant.
    SharedNumber(Vec<usize>),
    /// Something written like a code ("A99", "Z9") that the catalog doesn't have: kept, so the
    /// buyer is told it isn't sold here instead of being given the item on screen.
    UnknownCode(String),
    /// Size candidates in preference order (catalog spelling or upper-case letters).
    Size(Vec<String>),
    /// Folded catalog colours in preference order.
    Colour(Vec<String>),
    /// "medio"/"medium": size M or the "medio" tone, whichever the product has.
    SizeOrTone(Vec<String>, Vec<String>),
    Qty(u32),
    /// "otro", "another": the next quantity is a further item, never more detail on the last one.
    Another,
    /// "las dos", "both": the next quantity counts items already in view ("me gustaron las dos
    /// poleras"), which a later count in the comment may pick from.
    Definite,
    Sep,
}

#[derive(Debug, Default)]
pub(super) struct Extraction {
    pub(super) items: Vec<Item>,
    /// Words the walk could not explain; a bare claim has none.
    pub(super) unknown: usize,
    pub(super) has_code: bool,
    pub(super) has_name: bool,
    pub(super) has_attr: bool,
    pub(super) has_size: bool,
    /// A quantity above one ("x3", "dos"): "uno"/"otra" are too common to mean an order.
    pub(super) has_count: bool,
}

impl Extraction {
    /// Records an item; a product pushed here came from a code or bare number (names set
    /// `has_name` themselves).
    pub(super) fn push(&mut self, item: Item) {
        match &item {
            Item::Product(_) | Item::SharedNumber(_) | Item::UnknownCode(_) => self.has_code = true,
            Item::Size(_) => (self.has_attr, self.has_size) = (true, true),
            Item::Colour(_) | Item::SizeOrTone(..) => self.has_attr = true,
            Item::Qty(n) => self.has_count |= *n > 1,
            Item::Another | Item::Definite | Item::Sep => {}
        }
        self.items.push(item);
    }
}

/// `names` are words written as proper names, never read as a typo of a product or colour.
pub(super) fn extract(tokens: &[String], index: &CatalogIndex, lang: Lang, names: &HashSet<String>) -> Extraction {
    let mut ex = Extraction::default();
    let tok = |i: usize| tokens.get(i).map(String::as_str).unwrap_or("");
    let noun_keys = |w: &str| index.noun_keys(w, !names.contains(w));
    let mut i = 0;
    while i < tokens.len() {
        let (w, prev, prev2) = (tok(i), if i > 0 { tok(i - 1) } else { "" }, if i > 1 { tok(i - 2) } else { "" });
        i += 1;
        if w == "?" {
            continue;
        }
        if SEPARATORS.contains(&w) {
            ex.push(Item::Sep);
        } else if let Some(&p) = index.by_code.get(w) {
            ex.push(Item::Product(vec![p]));
        } else if let Ok(n) = w.parse::<u32>() {
            if let Some(item) = number_item(n, w, prev, tok(i), index) {
                ex.push(item);
            }
        } else if let Some(n) = times_qty(w) {
            ex.push(Item::Qty(n));
        } else if let Some(item) = size_item(w, prev, listed_size(&ex, prev, tok(i)), index) {
            ex.push(item);
        } else if let Some(code) = unknown_code(w) {
            ex.push(Item::UnknownCode(code));
        } else if let Some(cands) = index.colours.get(w) {
            ex.push(Item::Colour(cands.clone()));
        } else if let Some(n) = text::number_word(w) {
            // "dos" is "of the" in Portuguese; "uno de los dos" counts the first number only.
            let pt_contraction = w == "dos" && lang == Lang::Pt;
            let partitive = matches!(prev, "de" | "of")
                || (matches!(prev, "los" | "las" | "the" | "os" | "as") && matches!(prev2, "de" | "of"))
                || (matches!(prev, "dos" | "das") && matches!(prev2, "um" | "uma"));
            // "qualquer uma", "whichever one", "una cualquiera": the item already named.
            let indefinite = INDEFINITES.contains(&prev) || INDEFINITES.contains(&tok(i));
            // "me quedó chico el otro": an item spoken of, not one more ("y el otro en blanco" is).
            let the_other = ANOTHER.contains(&w)
                && matches!(prev, "el" | "la" | "lo" | "los" | "las" | "o" | "a" | "the")
                && !SEPARATORS.contains(&prev2);
            if !pt_contraction && !partitive && !indefinite && !the_other {
                if ANOTHER.contains(&w) {
                    ex.push(Item::Another);
                } else if n > 1 && (matches!(prev, "los" | "las" | "os" | "as" | "the") || matches!(w, "ambos" | "ambas" | "both")) {
                    ex.push(Item::Definite);
                }
                ex.push(Item::Qty(n));
            }
        } else if is_put_verb(w, prev, tok(i)) {
            // "bota na sacolinha a preta": the verb, not the boot.
        } else if matches!(w, "shade" | "shades") && (text::is_tone_word(prev) || text::is_tone_word(tok(i))) {
            // "C2 dark shade": the tone just named, not "shades" (sunglasses).
        } else if let Some(keys) = Some(noun_keys(w)).filter(|k| !k.is_empty()) {
            // Gather a run of product words, allowing "de"/"of" between them ("aros de plata").
            let mut run = vec![keys];
            loop {
                let next = noun_keys(tok(i));
                if !next.is_empty() {
                    run.push(next);
                    i += 1;
                } else if matches!(tok(i), "de" | "do" | "da" | "of" | "del") && !noun_keys(tok(i + 1)).is_empty() {
                    i += 1;
                } else {
                    break;
                }
            }
            match index.match_run(&run) {
                Some(cands) => {
                    ex.items.push(Item::Product(cands));
                    ex.has_name = true;
                }
                None => ex.unknown += 1,
            }
        } else if is_filler(w) {
            // Explained, nothing to record.
        } else if let Some(cands) = index.fuzzy_colour(w).filter(|_| !names.contains(w)) {
            ex.push(Item::Colour(cands));
        } else {
            ex.unknown += 1;
        }
    }
    ex
}

/// Portuguese "bota" ("put") opening a clause and followed by where or what ("bota na sacola",
/// "bota uma pra mim"), as opposed to the noun ("a bota preta", "quero a bota na cor preta").
pub(super) fn is_put_verb(w: &str, prev: &str, next: &str) -> bool {
    const OPENERS: &[&str] = &["", ",", "e", "ai", "so", "pode", "entao", "me"];
    const AFTER: &[&str] = &["na", "no", "nas", "nos", "pra", "pro", "ai", "aqui", "mais", "me", "um", "uma", "isso", "essa", "esse"];
    matches!(w, "bota" | "bote" | "botem") && OPENERS.contains(&prev) && AFTER.contains(&next)
}

/// A token shaped like a product code (one or two letters, then digits) that no product has.
pub(super) fn unknown_code(w: &str) -> Option<String> {
    let (prefix, _) = split_code(w)?;
    let digits = w.len() - prefix.len();
    (prefix.len() <= 2 && (1..=3).contains(&digits) && times_qty(w).is_none()).then(|| w.to_uppercase())
}

/// A number is a code after an article ("el 12"), a size when the catalog has it or a size word
/// precedes it, otherwise a quantity.
/// The token a minus sign becomes.
pub(super) const MINUS: &str = "minussign";

pub(super) fn number_item(n: u32, w: &str, prev: &str, next: &str, index: &CatalogIndex) -> Option<Item> {
    if prev == MINUS {
        return None; // a negative quantity is no quantity
    }
    let is_size = index.sizes.contains(w);
    if CODE_ARTICLES.contains(&prev) && !is_size {
        if let Some(cands) = index.by_number.get(&n) {
            return Some(if cands.len() == 1 { Item::Product(cands.clone()) } else { Item::SharedNumber(cands.clone()) });
        }
    }
    if is_size || text::is_size_cue(prev) {
        return Some(Item::Size(vec![w.to_string()]));
    }
    if prev == "x" || next == "x" || (1..=20).contains(&n) {
        return Some(Item::Qty(n));
    }
    None
}

/// "x2" / "2x" → 2.
pub(super) fn times_qty(w: &str) -> Option<u32> {
    let digits = w.strip_prefix('x').or_else(|| w.strip_suffix('x'))?;
    // Marked with "x", any count is a quantity: one past the per-comment cap gets a clear reply.
    digits.parse().ok().filter(|n| *n >= 1)
}

/// A size word standing alone after a comma that follows an item or colour ("ill take A7 in
/// black, small"): the item's size, as if a size cue preceded it.
pub(super) fn listed_size(ex: &Extraction, prev: &str, next: &str) -> bool {
    let after_item = ex.items.iter().any(|it| matches!(it, Item::Product(_) | Item::SharedNumber(_) | Item::Colour(_)));
    let alone = matches!(next, "" | "," | "?" | "gracias" | "thanks" | "thx" | "obrigada" | "obrigado") || POLITE.is_match(next);
    prev == "," && after_item && alone
}

/// Size letters (M, GG), and size words ("chica", "medium") when a size cue or preposition
/// precedes them, or they stand alone in a list after the item (`listed`).
pub(super) fn size_item(w: &str, prev: &str, listed: bool, index: &CatalogIndex) -> Option<Item> {
    if let Some(cands) = text::size_candidates(w) {
        return Some(Item::Size(cands.iter().map(|s| s.to_string()).collect()));
    }
    let cued = listed || text::is_size_cue(prev) || SIZE_PREPS.contains(&prev);
    if matches!(w, "medio" | "media" | "medium" | "mediano" | "mediana") {
        let tone = index.colours.get("medio").cloned().unwrap_or_default();
        if cued || matches!(prev, "tono" | "tom" | "tone") || !tone.is_empty() {
            return Some(Item::SizeOrTone(vec!["M".into()], tone));
        }
    }
    text::size_word(w).filter(|_| cued).map(|s| Item::Size(vec![s.to_string()]))
}
