//! Rule-based intent and claim extraction for live-selling comments (es/pt/en).
//!
//! Pipeline: noise filter → normalise (fold accents, rewrite code spellings as "a12") → phrase
//! cues decide the intent → a token walk turns codes, names, sizes, colours and quantities into
//! items → items are grouped into claims and resolved against the catalog.

use super::catalog::{Catalog, Product};
use super::filter;
use super::text;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Intent {
    Purchase,
    Cancel,
    Question,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Es,
    Pt,
    En,
}

/// One item a comment names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimSpec {
    /// Catalog code upper-case, None = could not be pinned down.
    pub code: Option<String>,
    /// >= 1
    pub qty: u32,
    /// The comment gave a number (a cancel without one cancels everything matching). Kept when
    /// stored, so a stage retry reads back the same decision.
    #[serde(default)]
    pub qty_explicit: bool,
    /// Catalog's canonical size string.
    pub size: Option<String>,
    /// Catalog's canonical colour.
    pub color: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub intent: Intent,
    pub claims: Vec<ClaimSpec>,
    pub lang: Lang,
    /// 0.0..=1.0: how sure the rules are. Below UNCLEAR_BELOW the comment would go to an LLM later.
    pub confidence: f32,
    /// Some(reason) when the noise filter dropped it (then intent is Other, claims empty).
    pub filtered: Option<String>,
    /// For a question: the product (and variant) it is about, the current product when none is
    /// named; used to answer it from the catalog.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub about: Vec<ClaimSpec>,
    /// The rules were unsure (confidence below `UNCLEAR_BELOW`): an LLM was asked when configured.
    #[serde(default)]
    pub unclear: bool,
    /// Why the seller should check this decision (the LLM failed or answered outside the catalog
    /// and the rules decided instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
}

pub const UNCLEAR_BELOW: f32 = 0.6;

impl Classification {
    /// Whether an LLM should look at it: not noise, and below the rules' confidence threshold.
    pub fn needs_llm(&self) -> bool {
        self.filtered.is_none() && self.confidence < UNCLEAR_BELOW
    }
}

// ---------------------------------------------------------------------------------------------
// Phrase cues. They run on the cleaned text: folded, apostrophes dropped, one space between
// words, "?" and "," kept as words.

/// One regex from a list of alternatives, so each family reads as a word list.
fn any_of(alternatives: &[&str]) -> Regex {
    Regex::new(&alternatives.join("|")).expect("valid regex")
}

#[rustfmt::skip]
static CANCEL: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\bcancel\w*", r"\bdesist\w*", r"\barrep[ei]n\w*", r"\barrependi\w*", r"\bretracto\b", r"\bunclaim\w*",
        r"\bdes(?:anot|apunt)\w*",
        // es: removal verbs in tú/usted/ustedes/infinitive with a clitic (sácame, bórrenme, quítalo)
        r"\bme (?:bajo|borro|salgo)\b", r"\bme retiro (?:de|del)\b",
        r"\b(?:baj|quit|borr|elimin|tach)(?:a|e|en|an|ar)(?:me|nos|lo|la|los|las|melo|mela|melos|melas)\b",
        r"\bquita\b", r"\b(?:borra|elimina)\b", r"\banul\w*",
        r"\bya no (?:lo |la |los |las |me )?(?:quiero|quero|va|llevo)\b", r"\bmejor no\b",
        // "ya no" closing a clause ("el labial vino ya no, me pasé del presupuesto"); "ya no hay?"
        // goes on to ask about stock
        r"\b(?:ya no|ja nao|nao mais|not anymore)\s*(?:,|$|\b(?:gracias|sorry|perdon|disculpa|desculpa|obrigad\w*|thanks)\b)",
        r"\bdesconsider\w*", r"\bdisregard\b", r"\bme echo (?:para|pa) atras\b", r"\bmejor paso\b",
        r"\bpaso (?:del|de la|de los|de las)\b",
        r"\bya no me (?:interesa|sirve|convence)\b", r"\bolvida(?:lo|la|te)?\b", r"\bcambie de (?:idea|opinion)\b",
        r"\b(?:pode|podem|pueden|puedes|podes) (?:tirar|sacar|quitar|borrar|eliminar|remover)\b",
        // a reservation called off: "no me lo guardes", "não precisa separar", "don't hold it"
        // ("¿no me lo guardas?" is a polite request, so only the negative imperative counts)
        r"\b(?:no|no hace falta que)\s+(?:(?:me|lo|la|los|las)\s+){0,2}(?:guard|apart|reserv|separ|anot)(?:es|en)\b",
        r"\bnao (?:precisa (?:mais )?(?:guardar|separar|reservar|anotar)|(?:me )?(?:guarde|separe|reserve|anote))\b",
        r"\b(?:dont|do not|no need to)\s+(?:hold|save|keep|reserve)\b",
        // pt
        r"\besquece\w*", r"\bdeixa\b.{0,40}\bpra la\b", r"\btira (?:meu|minha|me|o|a|os|as)\b", r"\bme tira\b",
        r"\bretira (?:meu|o|a|minha)\b", r"\bmudei de ideia\b", r"\bnao vou mais (?:querer|levar)\b",
        r"\b(?:to|tou|estou) fora\b", r"\bpulo fora\b", r"\babro mao\b",
        r"\bme (?:tira|tirem|retira|retirem|exclui|excluam|risca|risquem)\b",
        r"\b(?:tire|tirem|retire|retirem|exclui|exclua|excluam|risca|risque|apaga|apague) (?:meu|minha|meus|minhas|o|os|um|uma|isso|esse|essa)\b",
        // en
        r"\bscratch\b", r"\bremove\b", r"\btake me off\b", r"\bdrop (?:the|my|one|it|that|mine|me)\b",
        r"\b(?:back|bow|opt)(?:ing)? out\b", r"\bpass(?:ing)? on (?:the|it|that|this|those|these|my|[a-z]\d+)\b",
        r"\bhold(?:ing)? off on\b",
        r"\bnever ?mind\b", r"\bnvm\b", r"\bim out\b", r"\bchanged my mind\b", r"\bno longer\b", r"\bcount me out\b",
        r"\bi(?:ll)? pass\b", r"\bdelete (?:my|mine|the|it|that one|one|[a-z]\d+)\b", r"\bcross (?:me|it|that|this|them|one|mine|my \w+|the \w+) off\b",
        r"\btake (?:it|that|this|them|one|mine|my \w+|the \w+|[a-z]\d+) off\b",
        r"\b(?:take|cross)\b.{0,30}\boff (?:my|the) (?:order|list|cart)\b",
    ])
});

/// Removal verbs that are also everyday verbs ("saca uno de los tres", "sácame el A12", "quiten el
/// A12"): "sácame una foto" is a show request, so these yield to `SHOW`.
#[rustfmt::skip]
static CANCEL_OBJ: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:sac|saqu)(?:a|e|en|an|ar)(?:me|nos|lo|la|los|las|melo|mela|melos|melas)\b",
        r"\b(?:saca|saque|saquen|quite|quiten|borre|borren|elimine|eliminen|tacha|tache|tachen)\s+(?:uno|una|el|la|los|las|lo|mi|mis|eso|esa|ese|esos|esas|[a-z]\d+)\b",
        r"\b(?:tira|retira|remove|remova|removam)\s+(?:um|uma|[a-z]\d+)\b",
    ])
});

/// "no quiero …", "não quero …", "don't want …": a cancel when it has an object, else a refusal.
/// The negation reaches over clitics and a future auxiliary ("ya no me lo voy a llevar", "não vou
/// mais querer", "won't be taking"); group 1 is a clitic glued to the verb, group 2 the next word.
#[rustfmt::skip]
static NEG_WANT: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:no|nao|nem|dont|do not|not|never|wont|will not)\s+(?:(?:lo|la|los|las|o|a|me|se|eu|i|really|realmente|mas|mais|ya|be)\s+){0,2}(?:(?:voy a|vamos a|vou|vamos|going to|gonna|want to|wanna)\s+)?(?:(?:me|lo|la|los|las|mais)\s+){0,2}(?:quiero|quero|want|need|necesito|preciso|querer|comprar|llevar|levar|ficar com|compro|llevo|levo|buy|take|buying|taking|getting)(lo|la|los|las|melo|mela|melos|melas)?\b(?:\s+(\w+))?",
    ])
});

/// Negation after the verb, mostly Portuguese ("quero não", "quero nada não", "compro não",
/// "quiero nada", "want nothing"): a refusal, or a withdrawal with "já"/"mais" ("já quero não",
/// "quero mais não"). A bare "no" after the verb is left alone: in Portuguese "quero no 38" is
/// "in the 38". Group 1 or 2 is the withdrawal cue; group 3 marks "quero não só o A1…" ("not
/// only"), which still claims.
#[rustfmt::skip]
static NEG_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:(ja|ya)\s+)?(?:quero|quiero|compro|levo|llevo|vou querer|vou levar|want)\s+(?:(mais|more)\s+)?(?:nada|nothing|nao(?:\s+(so|apenas|somente)\b)?)\b",
    ])
});

/// Emphatic refusals before a buying verb ("ni loca compro", "nem a pau eu levo", "no way I'm
/// buying"): a joke about not buying, never a withdrawal of an earlier claim.
#[rustfmt::skip]
static REFUSE: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:ni loc[ao]|ni muert[ao]|ni en suenos|ni cagando|ni a palos|ni de broma|nem a pau|nem morta|nem morto|nem ferrando|nem pensar|nem sonhando|no way|hell no|no chance|not a chance)\b(?:\s+\w+){0,3}?\s+(?:compro|compraria|comprar|quiero|querria|quero|queria|llevo|levo|levaria|pago|gasto|buy|buying|want|getting|taking|spend|spending)\b",
    ])
});
static NEG_MORE: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\b(?:mas|mais|anymore|longer|al final|ya|after all)\b", r"\b(?:lo|la|los|las) quiero\b"]));
const OBJECT_WORDS: &[&str] = &[
    "el", "la", "los", "las", "lo", "o", "a", "os", "as", "it", "them", "that", "this", "the", "ese", "esa", "eso", "essa", "esse", "isso",
    "mi", "meu", "minha", "my",
];

/// Refusals, jokes and wishful thinking that contain a purchase word.
#[rustfmt::skip]
static JOKE: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:quiero|quero|quisiera|queria|want|llevo|levo|take|compro)\s+(?:todo|toda|todos|todas|tudo|everything|it all|all)\b",
        r"\ball of (?:it|them)\b",
        r"\b(?:no tengo|sin|sem|nao tenho|no money)\b.{0,12}\b(?:plata|dinero|lucas|money|grana|dinheiro|cash)\b",
        r"\b(?:estoy|to|tou|estou|im) (?:pobre|quebrad[ao]|broke|pelad[ao])\b", r"\bno me alcanza\b",
        r"\bnao (?:me )?da\b", r"\bcant (?:afford|buy)\b",
        r"\bno (?:puedo|alcanzo)\b.{0,20}\b(?:ahora|hoy|comprar|pagar)\b",
        r"\bnao posso\b.{0,20}\b(?:agora|hoje|comprar|pagar)\b", r"\b(?:proximo|proxima|next) (?:live|time|vez)\b",
        r"\bquem dera\b", r"\bi wish\b", r"\bsi (?:tuviera|ganara|me gano)\b",
        r"\bse eu (?:tivesse|ganhar)\b", r"\balgun dia\b", r"\bsomeday\b", r"\bmis suenos\b", r"\bmy dreams\b",
        r"^(?:yo|eu) no\b", r"\bnot me\b", r"^nada\b", r"\bnada (?:para|pra|pa) (?:mi|mim)\b", r"\bnothing for me\b",
        r"\b(?:no|nao) (?:me )?(?:gusta|gustan|gusto|gosto|curti|curto)\b", r"\bdont (?:like|love)\b",
        r"\bnot a fan\b", r"\bno gracias\b", r"\bno thanks\b", r"\bnao obrigad\w*",
    ])
});

/// Hedges ("just looking", "ojalá"): other, unless the comment also makes an explicit claim on a
/// named item ("llevo rato mirando… quiero los botines café en 38, ojalá queden").
#[rustfmt::skip]
static HEDGE: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\bojala\b", r"\bsolo (?:estoy |ando )?(?:mirando|viendo|chusmeando|sapeando|vitrineando|cachando)\b",
        r"\bso (?:to |tou |estou )?(?:olhando|vendo|espiando|de olho)\b", r"\b(?:to|tou|estou) (?:so )?de olho\b",
        r"\b(?:just|only) (?:looking|watching|browsing)\b", r"\bwindow shopping\b",
    ])
});

/// Questions to other viewers, not to the seller ("alguien de Viña?", "who else is from Lima?").
#[rustfmt::skip]
static SOCIAL: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"^(?:alguien|alguem|anyone|anybody|somebody|quien mas|quem mais|who else|hay alguien|tem alguem)\b",
        r"\b(?:quien|quem|who)\s+(?:es|e|is|mas|mais|else)\s+(?:de|da|do|from)\b",
    ])
});

/// "alguna de Trujillo por acá?", "alguma de SP?": someone from a place (group 1). "alguna de
/// las dos en M?" picks between items, so an article or demonstrative there is no place.
static SOMEONE_FROM: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"^(?:alguna|alguno|algunas|algunos|alguma|algum|algumas|alguns|someone)\s+(?:de|da|do|from)\s+(\w+)"]));
const NOT_A_PLACE: &[&str] = &[
    "la", "las", "los", "el", "lo", "os", "as", "o", "a", "the", "esta", "estas", "esa", "esas", "essa", "essas", "esse", "esses", "these",
    "those", "them", "ustedes", "voces", "you", "vcs", "tus", "sus", "your", "estos", "estes", "mis", "my",
];

/// The comment is addressed to other viewers. Someone "from" an item or a size ("alguna de 38?")
/// is stock talk, so that form needs a comment that names nothing.
fn social(t: &str, names_something: bool) -> bool {
    let from_place = |c: regex::Captures| !NOT_A_PLACE.contains(&&c[1]) && !c[1].chars().any(|ch| ch.is_ascii_digit());
    SOCIAL.is_match(t) || (!names_something && SOMEONE_FROM.captures(t).is_some_and(from_place))
}

/// Requests to show or model an item: questions even when they say "quiero".
#[rustfmt::skip]
static SHOW: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:mostra\w*|muestr\w*|mostre\w*|ensena\w*|modela\w*|probar\w*|probate\w*|pruebat\w*)",
        r"\b(?:show|showing|zoom|close ?up|let me see|try it on|try on|turn around)\b",
        r"\bmodel (?:it|the|them|this|that|for|again)\b", r"\b(?:fotos?|photos?|pics?|videos? del?)\b",
        r"\b(?:de cerca|da la vuelta|date vuelta)\b", r"\bver (?:de nuevo|otra vez|de novo|mais uma vez)\b",
        r"\b(?:quiero|quero|queria|quisiera|want to|wanna|can i|could i|puedo|posso|dejame|deixa eu|me deja)\s+(?:ver|see|mirar|olhar|look)\b",
    ])
});

/// "quiero saber/preguntar…": a want verb that introduces a question, not a claim.
#[rustfmt::skip]
static ASK: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:quiero|quero|queria|quisiera|necesito|preciso|want to|wanna|would like to|id like to|need to|gostaria de|me gustaria)\s+(?:saber|preguntar|perguntar|consultar|know|ask|check|una consulta|uma pergunta|info|informacion|informacao|detalles|details)\b",
    ])
});

/// Reservation verbs in every person, Chilean voseo included ("me lo guardai?", "apártenmelo",
/// "can you hold … for me?"): a purchase even when phrased as a question.
#[rustfmt::skip]
static RESERVE: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:anot|apart|reserv|guard|separ|agreg|apunt)(?:a|e|en|an|ar)(?:me|nos|lo|la|los|las|melo|mela|melos|melas|noslo|nosla)\b",
        r"\b(?:anot|apart|reserv|guard|separ|agreg)(?:a|as|an|o|ai|ais|amos|emos)\b", r"\b(?:anot|reserv|guard|separ)(?:e|en)\b",
        r"\b(?:puedes|podes|podrias|podria|pueden|podrian|puede|pode|podem|poderia|poderiam|consegue|conseguem)\s+(?:me\s+)?(?:guard|apart|reserv|separ|anot|segur)ar\w*",
        // pt "segurar" is "to hold"; "segura" alone is also "sure", so it needs "pra mim"
        r"\bsegur(?:a|e|em|ar)\b.{0,40}\b(?:pra|para|pa) (?:mim|mi)\b",
        r"\bsuma(?:me|nos)\b", r"\bponme\b", r"\b(?:can|could|may) i (?:get|have|take|grab|reserve)\b",
        r"\bhold (?:it|one|them|for me|me)\b", r"\bsave (?:me|it|one|for me)\b", r"\bput me down\b", r"\badd me\b",
        r"\b(?:can|could|would|will) (?:you|u) (?:please )?(?:hold|save|keep|reserve|set aside|put aside|put away) (?:it|one|that|this|them|these|those|the|a|an|my|me|[a-z]\d+)\b",
        r"\b(?:hold|save|keep|reserve|set aside|put aside|put away)\b.{0,40}\bfor me\b",
    ])
});

#[rustfmt::skip]
static WANT: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        // es (with common misspellings of "quiero")
        r"\b(?:quiero|kiero|qiero|quiro|qro|kero|quisiera|queria|quiciera)\b",
        r"\bme (?:lo |la |los |las )?(?:llevo|quedo)\b", r"\b(?:lo|la|los|las) llevo\b",
        r"\bllevo (?:el|la|los|las|un|una|uno|dos|\d+)\b", r"\bme tinca\w*", r"\bme apunto\b", r"\bapuntame\b",
        r"\bvoy a (?:llevar|comprar|querer)\b",
        // pt
        r"\b(?:quero|qero)\b", r"\bvou (?:levar|querer|ficar|comprar)\b", r"\blevo\b", r"\bfico com\b",
        r"\b(?:eu fico|fico eu)\b", r"\bpego\b", r"^me ve\b",
        // en
        r"\bi(?:ll| will) (?:take|get|buy|have)\b", r"\bi (?:take|want|need)\b", r"\b(?:id|i would) like\b",
        r"\b(?:im|i am) (?:taking|getting|buying|grabbing|having|claiming|gonna (?:take|get|buy|grab))\b",
        r"\b(?:have to|gotta|must) (?:have|get|buy)\b", r"\b(?:tengo|tenho) que (?:tener|ter|comprar|llevar|levar)\w*",
        r"\bwant\b", r"\b(?:gimme|give me)\b", r"\bdibs\b", r"\bsold to me\b", r"\bcount me in\b", r"\bim in\b",
        r"\bneed (?:it|this|that|one|the)\b", r"\btake my money\b",
        // taking idioms: "tô dentro", "me voy con el polerón", "ring me up", "add it to my order"
        r"\b(?:to|tou|estou|tamo|tamos|estamos|estoy|toy) dentro\b", r"\bcuenten? conmigo\b",
        r"\bse (?:viene|vienen|va|van) conmigo\b", r"\b(?:vem|vai|vao) comigo\b", r"\b(?:coming|comes|going|goes) home with me\b",
        r"\bme voy con (?:el|la|los|las|ese|esa|esos|esas|este|esta|estos|estas|un|una|uno|dos|[a-z]\d+)\b",
        r"\b(?:ill|i will|im gonna|im going to) go (?:with|for) (?:the|that|this|these|those|a|one|it|[a-z]\d+)\b",
        r"\bring (?:me|it|them|that|this|one) up\b", r"\bring up (?:the|that|this|my|a|one|[a-z]\d+)\b",
        r"\badd (?:it |this |that |them |one |me )?to my (?:order|cart|list)\b", r"\bwrap (?:it|that|this|them) up\b",
    ])
});

/// "cóbrame el A12", "me cobras la negra": charge me for it, a claim. The same verb asks a price
/// ("cuánto me cobrás por el envío?", "quanto vc cobra pra mandar?"), so `decide` lets it claim
/// only when an item is named and the comment does not ask how much.
static CHARGE: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\bcobra(?:me|melo|mela|melos|melas)\b", r"\bme (?:cobra|cobras|cobran|cobrai)\b"]));

/// "How much" before a charge verb asks for a price even when an item is named ("cuánto me cobras
/// por el A12?").
static HOW_MUCH_CHARGE: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\b(?:cuanto|quanto|how much)\b(?:\s+\w+){0,3}?\s+(?:cobr\w*|charge\w*)"]));

/// "Give me" verbs used as a polite request to buy ("dame el A2", "me regalas el A2 en 42?",
/// "me vendes la negra?"); "regalar" is LatAm for "give/sell me". With information as the
/// object ("me pasas el precio?", "regálame tu número") they ask instead, and "mi novio me
/// regala…" is a gift (`GIVE_NOT_BUY`).
#[rustfmt::skip]
static GIVE: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:da|de|den|regal[ae]|regalen|vend[ae]|venden|pas[ae]|pasen|mand[ae]|manden)(?:me|melo|mela|melos|melas)\b",
        r"\bme (?:das|dai|pasas|pasai|mandas|mandai|vendes|vende|venden|vendei|regalas|regala|regalan|regalai)\b",
    ])
});

#[rustfmt::skip]
static GIVE_NOT_BUY: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:dame|deme|denme|regalame|regaleme|regalenme|pasame|paseme|mandame|mandeme|me (?:das|dai|pasas|pasai|mandas|mandai|regalas|regala|regalan|regalai))\s+(?:(?:el|la|los|las|un|una|tu|tus|su|sus|mas)\s+){0,2}(?:precio|precios|valor|costo|info\w*|datos?|link|enlace|numero|cuenta|medidas|direccion|whatsapp|wsp|wpp|contacto|catalogo|correo|mail|detalles?)\b",
        // a gift from someone else, not a request to the seller: "mi novio me regala el A1"
        r"\b(?:mi|mis|my)\s+\w+\s+me\s+(?:regala|regalan)\b",
    ])
});

/// Claim lead-ins that are too loose alone ("vou de…", "lemme get…") but make an order of a
/// comment that names an item or a variant: picking one, putting it in the cart, or promising to
/// pay now.
#[rustfmt::skip]
static PICK: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        // picking one: "vou de preta", "voy por el negro", "I'll go with the black", "lemme get"
        r"\bvou (?:de|na|no|nas|nos|com o|com a|com os|com as)\b", r"\b(?:voy|vamos) (?:por|con) (?:el|la|los|las|[a-z]\d+)\b",
        r"\b(?:go|going) (?:with|for) (?:the|a|one|[a-z]\d+)\b",
        r"\b(?:lemme|let me|lmme) (?:get|have|grab|take|cop)\b", r"\bi(?:ll| will)? (?:grab|snag|cop)\b",
        r"\b(?:gonna|going to|wanna|gotta) (?:grab|snag|cop|take|get|buy)\b",
        // into the cart: "coloca na minha sacolinha", "ponlo en mi carrito", "put it in my cart"
        r"\b(?:coloc|bot|poe|ponh|jog|adicion|pon|agreg|anad|ech|mete|put|add|throw)\w*\b.{0,25}\b(?:sacol\w*|carrinho|carrito|cart|basket|canasta|cesta)\b",
        // paying right away: "A9 bege M, já faço o pix", "ya te transfiero"
        r"\b(?:ja|agora|ya|ahora|ahorita|altiro)\s+(?:te |le |lhe )?(?:faco|mando|envio|transfiro|pago|transfiero|deposito)\b",
        r"\bvou (?:fazer|mandar) o pix\b", r"\b(?:ill|i will|gonna) (?:pay|send (?:the )?(?:payment|money|transfer))\b",
    ])
});

/// Buying for someone else: "pa regalar", "pra minha irmã", "for my mom", "de regalo". Next to
/// praise or in another mood it is a wish or a story (`NOT_NOW`).
#[rustfmt::skip]
static FOR_OTHER: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:para|pa|pra|p|for|de|as a)\s+(?:regal\w*|presente\w*|gift\w*)\b",
        r"\b(?:para|pa|pra|p|for)\s+(?:a |o )?(?:mi|mis|minha|minhas|meu|meus|my)\s+(?:mama|mami|madre|mae|mamae|mom|mum|mother|hermana\w*|irma\w*|sister|sis|hija|hijas|filha\w*|daughter|tia|aunt|abuela|avo|vovo|grandma|prima|cousin|amiga\w*|friend|bestie|suegra|sogra|novia|polola|namorada|girlfriend|gf|esposa|wife|nuera|nora|sobrina|sobrinha|niece|nieta|neta|hijo|filho|son|novio|pololo|namorado|boyfriend|bf|marido|esposo|husband|papa|pai|dad|hermano|irmao|brother|jefa|chefe|boss|vecina|vizinha|neighbor)\b",
    ])
});

/// Conditional or past copulas: "pra minha mãe seria perfeito", "for my mom it was too small".
static NOT_NOW: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\b(?:seria|serian|ficaria|quedaria|quedarian|would|was|were|fue|fueron|foi|foram|ficou|era|eram)\b"]));

/// "compro" is also "compró" with the accent dropped ("mi mamá me compró…"): a claim only when
/// the comment is not a story about a past purchase.
static BUY_NOW: LazyLock<Regex> = LazyLock::new(|| any_of(&[r"\bcompro\b"]));

/// A buying verb inside a condition ("si compro hoy…", "se eu levar dois…", "if I buy two…"):
/// when the comment asks something, the condition frames the question and claims nothing.
#[rustfmt::skip]
static COND_BUY: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:si|se|if)\s+(?:(?:yo|eu|i|we|nosotros|nosotras|a gente)\s+)?(?:(?:te|le|les|lhe|lhes|me|you)\s+)?(?:compro|compramos|comprara|comprar|comprarmos|compre|llevo|llevamos|llevara|levo|levamos|levar|levarmos|pido|pedimos|pedir|encargo|buy|order|get|take|purchase)\b",
    ])
});

/// Any negation: an item named next to one is not a claim by default.
static NEGATED: LazyLock<Regex> = LazyLock::new(|| any_of(&[r"\b(?:no|nao|nem|ni|not|dont|never|nunca|jamas|nope|nah)\b"]));

/// A negation in `t`; Portuguese "no" is "in the" ("põe no meu carrinho"), not a negation.
fn negated(t: &str, lang: Lang) -> bool {
    NEGATED.find_iter(t).any(|m| !(lang == Lang::Pt && m.as_str() == "no"))
}

/// Question words anywhere in the comment; they make a question only after a conditional
/// ("if I order today when does it arrive").
static WH: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\b(?:cuando|cuanto|cuanta|donde|cual|when|how|where|what|which|quando|quanto|onde|qual)\b"]));

/// A want verb and the word after it, to tell "quero é ganhar na mega sena" or "I want to sleep"
/// from a claim: group 1 is a Spanish/Portuguese word, group 2 an English verb.
#[rustfmt::skip]
static WANT_TO: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:quiero|kiero|quero|queria|quisiera)\s+(?:(?:e|es|mesmo|mismo|solo|so)\s+)?([a-z]+)",
        r"\b(?:want to|wanna|wanted to|would like to|id like to)\s+(?:(?:just|really)\s+)?([a-z]+)",
    ])
});
/// Verbs that keep "quiero …"/"want to …" a claim.
const BUY_VERBS: &[&str] = &[
    "comprar", "llevar", "levar", "reservar", "apartar", "separar", "pedir", "encargar", "quedar", "ficar", "pegar", "garantir",
    "asegurar", "tener", "ter", "tomar", "agarrar", "anotar", "apuntar", "fechar", "buy", "get", "take", "have", "order", "grab",
    "reserve", "purchase", "keep", "claim", "secure", "cop",
];

/// "es mío", "são meus", "it's mine": the speaker says the item is theirs. Portuguese "é minha"
/// may open a noun phrase ("é minha cor favorita"), so there it must end the clause.
#[rustfmt::skip]
static OWN: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:es|son|sera|seran|is|are|its|theyre|thats|those are|these are)\s+(?:todo |toda |todos |todas |all )?(?:mio|mia|mios|mias|mine)\b",
        r"\b(?:e|eh|sao|ta|fica|ficam)\s+(?:todo |toda |todos |todas )?(?:meu|meus|minha|minhas)\s*(?:$|,|\b(?:o|a|os|as|esse|essa|esses|essas|isso|sim|viu|visse|ne|hein|hem|ok|k+|rs\w*|ja\w*|mana|amiga|gata|gente|pfv\w*|pf|pls|obg|obrigad\w*)\b)",
    ])
});

/// "para mí", "pra mim", "for me": a claim unless the comment is a question.
static FOR_ME: LazyLock<Regex> = LazyLock::new(|| any_of(&[r"\b(?:para|pa|pra|p|for) (?:mi|mim|me)\b", r"\b(?:pami|parami|pramim)\b"]));

/// One-word claims ("yo", "mío", "sold", "me!!"): they count only when nothing else is said.
#[rustfmt::skip]
static WEAK: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"^(?:yo+|eu+|me+|mi+ne+|mi+[oa]+s?|mi+nha+s?|meu+s?|so+ld|vendid[oa]s?|ye+s+|si+|si+m+|listo|aqui|here|presente)$",
    ])
});

/// Price, stock and availability words: a question even without "?".
#[rustfmt::skip]
static Q_TOPIC: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:precio|precios|valor|cuanto|cuanta|cuestan?|quanto|preco|precos|custa|price|prices|how much|costo)\b",
        r"\b(?:hay|tiene|tienen|tienes|tem|stock|viene|vienen|vem|comes? in|disponibles?|disponivel|available)\b",
        r"\bquedan? (?:stock|en|talla|algun\w*|uno|una|el|la|del|de|mas)\b",
        r"\b(?:ainda tem|tem ainda|still have|sold out|agotad[oa]s?|esgotad[oa]s?|se vendio|ja vendeu)\b",
        r"\b(?:info|informacion|informacao|medidas|measurements)\b",
    ])
});

/// Idioms built on a stock verb that ask nothing ("la Vale tiene razón", "tem que ser meu").
static NOT_ASKING: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\b(?:tiene|tienes|tienen|tenes|tem|tens|hay)\s+(?:toda la |toda )?(?:razon|razao|que|q)\b"]));

/// A closing "pode ser?", "ok?", "vale?" only asks the seller to confirm what came before.
#[rustfmt::skip]
static CONFIRM_TAG: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\s(?:, )?(?:pode ser|puede ser|podria ser|se puede|si se puede|ok|okay|oki|vale|dale|va|si|sim|ta|ya|bueno|yes|right|please|pls|porfa|plis|can i|could i|is that ok|is that okay|de boa|beleza|blz|rola|da pra|sera)\s*\?\s*$",
    ])
});

/// Politeness that turns a bare mention into a request ("el batom nude pfvr").
static POLITE: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\b(?:porfa|porfi|porfis|porfavor|por favor|pf|pfv|pfvr|pls|plz|please|plis|pliss|xfa|xfavor|x favor)\b"]));

/// Openers that make a question even without "?" ("tiene en M", "do you ship").
#[rustfmt::skip]
static Q_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"^(?:y |e )?(?:a|en|em|de|in|con|com|para|pra) (?:que|qual|what|which|cual)\b",
        r"^(?:how|what|which|where|when|why) (?:many|long|does|do|is|are|can|about|size|color|colour)\b",
        r"^(?:y |e )?(?:cual|cuales|donde|cuando|tiene|tienen|tienes|tenes|hacen|aceptan|acepta|envian|despachan|puedo|puedes|pueden|se puede)\b",
        r"^(?:y |e )?(?:qual|quais|onde|quando|tem|aceita|aceitam|faz|fazem|pode|podem)\b",
        r"^(?:do you|does|did you|can you|could you|is there|are there|is it|is the|any)\b",
    ])
});

/// Praise: with no claim verb, "el A7 es hermoso 😍" is a compliment, not an order.
#[rustfmt::skip]
static COMPLIMENT: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:lind|hermos|precios|bell|bonit|divin|maravill?os|maravilhos|perfeit|perfect)(?:[oa]s?)\b",
        r"\b(?:espectacular|increible|incrivel|bacan|regi[oa]|nossa|wow|guau|uau)\b",
        r"\b(?:cute|pretty|beautiful|gorgeous|lovely|amazing|stunning|love|loved)\b",
        r"\b(?:amo|amei|encant\w*|gusta|gustan|gosto|curti)\b",
        // "amé el color", "adoro essa cor", "me enamoré del esmalte", "fell in love with the red"
        r"\b(?:ame|adoro|adore|adorei|adoramos|enamor\w*|apaixon\w*|fell in love|in love)\b",
        // slang praise across the region
        r"\b(?:chimba|chido|chida|chevere|bacan[oa]|genial|fofo|fofa|fofura|maravilha|lindeza|lindura|adorable|obsessed|fire)\b",
    ])
});

/// An exclamation ("qué chimba ese vestido", "que coisa mais linda", "what a dress"); group 1 is
/// the word after "qué", which a clause ("que me lo guarden") or a question ("que talla…") has.
static EXCLAIM: LazyLock<Regex> = LazyLock::new(|| any_of(&[r"^(?:ay |uy |ai |oh |wow |nossa |mira )?(?:que|q|ke|what an?) (\w+)"]));
const NOT_EXCLAIMED: &[&str] = &[
    "me", "te", "le", "lo", "la", "los", "las", "se", "sea", "sean", "seja", "no", "nao", "tal", "talla", "tamanho", "numero", "precio",
    "preco", "color", "cor", "size", "colour", "hay", "tem", "tiene", "onda", "pasa", "paso", "horas", "dia",
];

/// Praise words, or an exclamation.
fn praises(t: &str) -> bool {
    COMPLIMENT.is_match(t) || EXCLAIM.captures(t).is_some_and(|c| !NOT_EXCLAIMED.contains(&&c[1]))
}

/// Payment notices and stories about past purchases.
#[rustfmt::skip]
static PAST_OR_PAID: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:compre|comprei|compramos|bought|ordered|encargue|recebi|received|arrived|got my)\b",
        r"\b(?:me llego|me llegaron|llego mi|llegaron mis|chegou|chegaram)\b",
        r"\b(?:ya (?:lo|la) tengo|ja tenho|already have|the other day)\b",
        // owning one already: "yo también tengo la cartera café", "I own the A3"
        r"\b(?:yo|eu)\s+(?:(?:tambien|tambem|tb|tbm|ya|ja)\s+)?(?:tengo|tenho)\s+(?:el|la|los|las|o|a|os|as|ese|esa|essa|esse|[a-z]\d+)\b",
        r"\bi\s+(?:(?:also|already)\s+)?(?:have|own)\s+(?:the|this|that|it|one|[a-z]\d+)\b",
        r"\b(?:compraste|compraron|comprou|compraram|comprastes|purchased|me regalo|me regalaron|ganhei)\b",
        r"\b(?:el mes pasado|la semana pasada|semana passada|mes passado|last (?:week|month|time|live|year))\b",
        r"\b(?:ayer|anoche|ontem|yesterday|el otro dia|la otra vez|la vez pasada|el ano pasado|ano passado|na live passada)\b",
        r"\b(?:hace|faz) (?:un|una|uno|um|uma|dos|duas|tres|unos|unas|\d+) (?:dias|semanas|meses|anos|mes)\b",
        r"\b(?:transferi|deposite|pague|paguei|pagamos|paid)\b", r"\b(?:transferid[oa]|depositad[oa]|pagad[oa])\b",
        r"\bpago (?:hecho|realizado|listo|enviado|feito)\b",
        r"\b(?:fiz|mandei|enviei|hice|mande|envie) (?:o |la |el )?(?:pix|pagamento|pago|transferencia|comprovante|comprobante|deposito)\b",
        r"\bpix (?:feito|enviado|realizado)\b", r"\b(?:comprobante|comprovante)\b",
        r"\b(?:sent|made) (?:the )?(?:payment|transfer)\b", r"\bpayment (?:sent|done|made)\b",
        r"\btransferencia (?:hecha|lista|realizada|enviada)\b",
    ])
});

// ---------------------------------------------------------------------------------------------
// Word lists for the token walk

/// Words that may sit in a bare claim without making it something else ("hola! A12 talla M porfa").
const FILLER: &[&str] = &[
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
const CODE_ARTICLES: &[&str] = &[
    "el", "la", "lo", "los", "las", "del", "al", "o", "a", "os", "as", "do", "da", "the", "#", "no", "numero", "nro", "num", "n", "cod",
    "codigo", "ref", "item", "producto", "produto",
];

/// Words after which a size word ("chica", "medium") is trusted.
const SIZE_PREPS: &[&str] = &["en", "em", "in", "na", "no", "de", "la", "el", "una", "un", "a", "the"];

const SEPARATORS: &[&str] = &[",", "y", "e", "and", "plus", "mas", "&"];

/// Indefinite words that make a next or previous "uno"/"one" point back at the item already
/// named ("qualquer uma", "whichever one", "una cualquiera"), not at a new one.
const INDEFINITES: &[&str] = &["qualquer", "quaisquer", "cualquier", "cualquiera", "whichever", "any", "either"];

/// Quantity words that always add a further item ("y otro en M").
const ANOTHER: &[&str] = &["otro", "otra", "outro", "outra", "another"];

/// Qualifiers too common to name a product on their own ("plata" is also money).
const WEAK_ALONE: &[&str] = &["plat", "larg", "sol", "mat", "fit", "mom", "lan", "sed"];

/// Real words one typo away from a product or colour word; never fuzzy-matched.
const FUZZY_BLOCK: &[&str] = &[
    "falta", "faltan", "tenes", "cuerpo", "botones", "short", "shorts", "sobra", "sobran", "sobre", "matter", "point", "shows", "weather",
    "calma", "cargo", "casada", "plaza", "pisada", "gente", "porfa", "quiero", "quero", "gracias", "talla", "tallas", "tienes", "tiene",
];

/// Words a bare claim may contain besides items: function words, politeness, size cues, "mío".
fn is_filler(w: &str) -> bool {
    text::is_stopword(w) || FILLER.contains(&w) || text::is_size_cue(w) || WEAK.is_match(w)
}

// ---------------------------------------------------------------------------------------------
// Catalog index

/// Cross-language noun table, stem of any surface word → canonical stems (catalog-independent).
static NOUN_STEMS: LazyLock<HashMap<String, Vec<String>>> = LazyLock::new(|| {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (canon, surfaces) in text::NOUNS {
        for s in surfaces.iter().chain(std::iter::once(canon)) {
            push_unique(map.entry(text::stem(s)).or_default(), &text::stem(canon));
        }
    }
    map
});

static CANONICAL_STEMS: LazyLock<HashSet<String>> = LazyLock::new(|| text::NOUNS.iter().map(|(c, _)| text::stem(c)).collect());

/// Per-product lookup data, with sizes and colours as the catalog spells them.
struct Indexed {
    code: String,
    /// Noun stem → weight: 2 for the head noun (first word of the name), 1 for qualifiers.
    keys: HashMap<String, u8>,
    sizes: Vec<String>,
    colours: Vec<String>,
    skus: Vec<(Option<String>, Option<String>)>,
}

/// Prepared, catalog-derived lookup tables (names, colours, sizes per product, number→codes).
/// Build once per catalog, reuse for many comments.
pub struct CatalogIndex {
    products: Vec<Indexed>,
    /// Compact lower-case code ("a12") → product.
    by_code: HashMap<String, usize>,
    /// Numeric part of a code → products ("el 4" → A4, B4, C4).
    by_number: HashMap<u32, Vec<usize>>,
    /// Finds code spellings (A-12, #a12, cod A12, a 12) so they can be rewritten compactly.
    code_re: Option<Regex>,
    /// Every noun stem that some product carries.
    product_stems: HashSet<String>,
    /// Words of five letters or more (table and catalog) → canonical stems, for one-typo matching.
    fuzzy_nouns: Vec<(String, Vec<String>)>,
    /// Colour word in any inflection → folded catalog colours in preference order.
    colours: HashMap<String, Vec<String>>,
    /// Uninflected colour words, the only ones tried for typos.
    colour_bases: Vec<String>,
    /// Multi-word catalog colours ("azul marino") and the single word they are rewritten to.
    colour_phrases: Vec<(String, String)>,
    /// Every size in the catalog, as spelled there.
    sizes: HashSet<String>,
    current: Option<usize>,
}

impl CatalogIndex {
    pub fn new(catalog: &Catalog) -> Self {
        let products: Vec<Indexed> = catalog.products.iter().map(index_product).collect();
        let mut by_code = HashMap::new();
        let mut by_number: HashMap<u32, Vec<usize>> = HashMap::new();
        let mut prefixes: Vec<String> = Vec::new();
        for (i, p) in products.iter().enumerate() {
            let compact = compact_code(&p.code);
            if let Some((prefix, number)) = split_code(&compact) {
                by_number.entry(number).or_default().push(i);
                push_unique(&mut prefixes, &prefix);
            }
            by_code.insert(compact, i);
        }

        let mut fuzzy: HashMap<String, Vec<String>> = HashMap::new();
        for (canon, surfaces) in text::NOUNS {
            for s in surfaces.iter().chain(std::iter::once(canon)).filter(|s| s.len() >= 5) {
                push_unique(fuzzy.entry(s.to_string()).or_default(), &text::stem(canon));
            }
        }
        for p in &catalog.products {
            for w in text::words(&text::fold(&p.name)).filter(|w| w.len() >= 5) {
                push_unique(fuzzy.entry(w.to_string()).or_default(), &text::stem(w));
            }
        }

        let mut colour_names: Vec<String> = Vec::new();
        for c in products.iter().flat_map(|p| &p.colours) {
            push_unique(&mut colour_names, &text::fold(c));
        }
        let (colours, colour_bases, colour_phrases) = colour_tables(&colour_names);
        let current = catalog.current_product.as_deref().and_then(|c| by_code.get(&compact_code(c)).copied());
        Self {
            product_stems: products.iter().flat_map(|p| p.keys.keys().cloned()).collect(),
            sizes: products.iter().flat_map(|p| p.sizes.iter().cloned()).collect(),
            products,
            by_code,
            by_number,
            code_re: code_regex(&prefixes),
            fuzzy_nouns: fuzzy.into_iter().collect(),
            colours,
            colour_bases,
            colour_phrases,
            current,
        }
    }

    /// Canonical noun stems a comment word stands for, limited to what this catalog sells;
    /// `typos` allows a one-typo match.
    fn noun_keys(&self, word: &str, typos: bool) -> Vec<String> {
        // Colours and sizes are attributes, never typos of a product word ("preta" ≠ "prata").
        let attribute = self.colours.contains_key(word) || text::size_candidates(word).is_some();
        if attribute || is_filler(word) || word.chars().all(|c| c.is_ascii_digit()) {
            return Vec::new();
        }
        let st = text::stem(word);
        let mut out = NOUN_STEMS.get(&st).cloned().unwrap_or_default();
        push_unique(&mut out, &st);
        out.retain(|k| self.product_stems.contains(k));
        if typos && out.is_empty() && word.len() >= 5 && !FUZZY_BLOCK.contains(&word) {
            for (surface, canons) in &self.fuzzy_nouns {
                if text::within_one_edit(word, surface) {
                    canons.iter().filter(|c| self.product_stems.contains(*c)).for_each(|c| push_unique(&mut out, c));
                }
            }
        }
        out
    }

    /// Products that best match a run of noun words; None when the run is too weak to count.
    /// Each word scores its best weight on a product; ties stay open.
    fn match_run(&self, run: &[Vec<String>]) -> Option<Vec<usize>> {
        let strong =
            run.iter().flatten().any(|k| !WEAK_ALONE.contains(&k.as_str()) || self.products.iter().any(|p| p.keys.get(k) == Some(&2)));
        if !strong {
            return None;
        }
        let score = |p: &Indexed| -> u32 {
            run.iter().map(|keys| keys.iter().filter_map(|k| p.keys.get(k)).max().copied().unwrap_or(0) as u32).sum()
        };
        let scores: Vec<u32> = self.products.iter().map(score).collect();
        let best = scores.iter().copied().max().unwrap_or(0);
        (best > 0).then(|| (0..scores.len()).filter(|&i| scores[i] == best).collect())
    }

    /// A colour with one typo ("negor"); only tried on words nothing else explained.
    fn fuzzy_colour(&self, word: &str) -> Option<Vec<String>> {
        if word.len() < 5 || FUZZY_BLOCK.contains(&word) {
            return None;
        }
        let mut out = Vec::new();
        for surface in self.colour_bases.iter().filter(|s| s.len() >= 5) {
            if text::within_one_edit(word, surface) {
                self.colours.get(surface).into_iter().flatten().for_each(|c| push_unique(&mut out, c));
            }
        }
        (out.len() == 1).then_some(out)
    }
}

fn index_product(p: &Product) -> Indexed {
    // A catalog word stands for itself when it is a canonical noun ("jeans"), else for the
    // canonicals it spells ("canguro" → polerón) plus itself.
    let noun_stems = |word: &str| -> Vec<String> {
        let st = text::stem(word);
        if CANONICAL_STEMS.contains(&st) {
            return vec![st];
        }
        let mut out = NOUN_STEMS.get(&st).cloned().unwrap_or_default();
        push_unique(&mut out, &st);
        out
    };
    let mut keys: HashMap<String, u8> = HashMap::new();
    let name = text::fold(&p.name);
    for (n, w) in text::words(&name).filter(|w| !text::is_stopword(w)).enumerate() {
        let weight = if n == 0 { 2 } else { 1 };
        for k in noun_stems(w) {
            let e = keys.entry(k).or_insert(weight);
            *e = (*e).max(weight);
        }
    }
    for w in text::words(&text::fold(&p.category)) {
        for k in noun_stems(w) {
            keys.entry(k).or_insert(1);
        }
    }
    Indexed {
        code: p.code.to_uppercase(),
        keys,
        sizes: p.sizes().into_iter().map(String::from).collect(),
        colours: p.colors().into_iter().map(String::from).collect(),
        skus: p.variants.iter().map(|v| (v.size.clone(), v.color.clone())).collect(),
    }
}

/// Colour word → catalog colours; the uninflected words; multi-word colours and their rewrite.
type ColourTables = (HashMap<String, Vec<String>>, Vec<String>, Vec<(String, String)>);

/// Colour words from the cross-language table and the catalog's own colour names.
fn colour_tables(catalog_colours: &[String]) -> ColourTables {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    let mut bases: Vec<String> = Vec::new();
    let mut phrases = Vec::new();
    for (canons, surfaces) in text::COLOURS {
        let present: Vec<&str> = canons.iter().copied().filter(|c| catalog_colours.iter().any(|x| x == c)).collect();
        if present.is_empty() {
            continue;
        }
        for s in surfaces.iter() {
            push_unique(&mut bases, s);
            for form in text::inflections(s) {
                let e = map.entry(form).or_default();
                present.iter().for_each(|c| push_unique(e, c));
            }
        }
    }
    for c in catalog_colours {
        push_unique(&mut bases, c);
        if c.contains(' ') {
            let joined: String = c.split_whitespace().collect();
            push_unique(map.entry(joined.clone()).or_default(), c);
            phrases.push((c.clone(), joined));
        } else {
            text::inflections(c).into_iter().for_each(|form| push_unique(map.entry(form).or_default(), c));
        }
    }
    (map, bases, phrases)
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// "A-12" → "a12": lower-case, alphanumerics only.
fn compact_code(code: &str) -> String {
    text::fold(code).chars().filter(char::is_ascii_alphanumeric).collect()
}

/// "a12" → ("a", 12) when a code is letters followed by digits.
fn split_code(compact: &str) -> Option<(String, u32)> {
    let digits = compact.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let prefix = &compact[..compact.len() - digits.len()];
    if prefix.is_empty() || digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((prefix.to_string(), digits.parse().ok()?))
}

/// Matches the code spellings buyers use: A12, a-12, #A12, A.1, a 12, cod A12, código a3,
/// ref A6, and a size glued on ("A12M").
fn code_regex(prefixes: &[String]) -> Option<Regex> {
    if prefixes.is_empty() {
        return None;
    }
    let mut sorted: Vec<&String> = prefixes.iter().collect();
    sorted.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let alternation = sorted.iter().map(|p| regex::escape(p)).collect::<Vec<_>>().join("|");
    let pattern = format!(
        r"(?:#\s*)?(?:\b(?:codigo|cod|ref|referencia|item)\s*[.:#]?\s*)?\b({alternation})\s?[-._–—]?\s?0*(\d{{1,4}})(s|m|l|xl|p|g|gg)?\b"
    );
    Regex::new(&pattern).ok()
}

// ---------------------------------------------------------------------------------------------
// Normalising and the token walk

struct Prepared {
    clean: String,
    tokens: Vec<String>,
    /// The tokens split at commas, "?" and sentence punctuation ("!", ".", ":").
    clauses: Vec<Vec<String>>,
    qmark: bool,
    /// Written or emoji laughter anywhere in the comment.
    laughs: bool,
    /// Words written as proper names (`proper_names`).
    names: HashSet<String>,
}

fn prepare(raw: &str, index: &CatalogIndex) -> Prepared {
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
    for c in s.chars() {
        match c {
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
fn proper_names(raw: &str) -> HashSet<String> {
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
const CLAUSE_END: &str = "|";

/// What the token walk found, in order.
#[derive(Debug, Clone, PartialEq)]
enum Item {
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
struct Extraction {
    items: Vec<Item>,
    /// Words the walk could not explain; a bare claim has none.
    unknown: usize,
    has_code: bool,
    has_name: bool,
    has_attr: bool,
    has_size: bool,
    /// A quantity above one ("x3", "dos"): "uno"/"otra" are too common to mean an order.
    has_count: bool,
}

impl Extraction {
    /// Records an item; a product pushed here came from a code or bare number (names set
    /// `has_name` themselves).
    fn push(&mut self, item: Item) {
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
fn extract(tokens: &[String], index: &CatalogIndex, lang: Lang, names: &HashSet<String>) -> Extraction {
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
fn is_put_verb(w: &str, prev: &str, next: &str) -> bool {
    const OPENERS: &[&str] = &["", ",", "e", "ai", "so", "pode", "entao", "me"];
    const AFTER: &[&str] = &["na", "no", "nas", "nos", "pra", "pro", "ai", "aqui", "mais", "me", "um", "uma", "isso", "essa", "esse"];
    matches!(w, "bota" | "bote" | "botem") && OPENERS.contains(&prev) && AFTER.contains(&next)
}

/// A token shaped like a product code (one or two letters, then digits) that no product has.
fn unknown_code(w: &str) -> Option<String> {
    let (prefix, _) = split_code(w)?;
    let digits = w.len() - prefix.len();
    (prefix.len() <= 2 && (1..=3).contains(&digits) && times_qty(w).is_none()).then(|| w.to_uppercase())
}

/// A number is a code after an article ("el 12"), a size when the catalog has it or a size word
/// precedes it, otherwise a quantity.
fn number_item(n: u32, w: &str, prev: &str, next: &str, index: &CatalogIndex) -> Option<Item> {
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
fn times_qty(w: &str) -> Option<u32> {
    let digits = w.strip_prefix('x').or_else(|| w.strip_suffix('x'))?;
    // Marked with "x", any count is a quantity: one past the per-comment cap gets a clear reply.
    digits.parse().ok().filter(|n| *n >= 1)
}

/// A size word standing alone after a comma that follows an item or colour ("ill take A7 in
/// black, small"): the item's size, as if a size cue preceded it.
fn listed_size(ex: &Extraction, prev: &str, next: &str) -> bool {
    let after_item = ex.items.iter().any(|it| matches!(it, Item::Product(_) | Item::SharedNumber(_) | Item::Colour(_)));
    let alone = matches!(next, "" | "," | "?" | "gracias" | "thanks" | "thx" | "obrigada" | "obrigado") || POLITE.is_match(next);
    prev == "," && after_item && alone
}

/// Size letters (M, GG), and size words ("chica", "medium") when a size cue or preposition
/// precedes them, or they stand alone in a list after the item (`listed`).
fn size_item(w: &str, prev: &str, listed: bool, index: &CatalogIndex) -> Option<Item> {
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

// ---------------------------------------------------------------------------------------------
// Grouping items into claims

#[derive(Debug, Default, Clone)]
struct Draft {
    products: Option<Vec<usize>>,
    /// A code the catalog doesn't have.
    unknown: Option<String>,
    /// Product copied from the previous claim ("A12 una S y una M"); a new name replaces it.
    inherited: bool,
    /// The products came from a bare number several codes share: never narrowed by the variant.
    shared_number: bool,
    size: Option<Vec<String>>,
    colour: Option<Vec<String>>,
    size_or_tone: Option<(Vec<String>, Vec<String>)>,
    qty: Option<u32>,
    /// The quantity came before any size or colour ("3 esmaltes: rojo, …").
    qty_first: bool,
    /// Started by "otro"/"another".
    another: bool,
    /// The quantity counts items in view ("las dos poleras"): a later count of them replaces it.
    definite: bool,
    /// Size and colour said once for a whole list ("A3 blanco: una S y otra L"): every item of
    /// the list that does not name its own gets them.
    header: (Option<Vec<String>>, Option<Vec<String>>),
}

impl Draft {
    fn is_empty(&self) -> bool {
        self.products.is_none()
            && self.unknown.is_none()
            && self.size.is_none()
            && self.colour.is_none()
            && self.size_or_tone.is_none()
            && self.qty.is_none()
    }

    /// `next` only fills the variant parts this draft lacks, on the same product.
    fn completed_by(&self, next: &Draft) -> bool {
        let detailed = self.size.is_some() || self.colour.is_some() || self.size_or_tone.is_some();
        let variant = |d: &Draft| [d.size.is_some(), d.colour.is_some(), d.size_or_tone.is_some()];
        let disjoint = variant(self).iter().zip(variant(next)).all(|(a, b)| !(*a && b));
        let one_qty = self.qty.is_none() || next.qty.is_none() || self.qty == next.qty;
        next.inherited && !next.another && self.products == next.products && detailed && disjoint && one_qty
    }

    /// A bare count for this bare item ("de los labiales que pedí, quita uno"): its quantity,
    /// not a second item.
    fn counted_by(&self, next: &Draft) -> bool {
        let bare = |d: &Draft| d.size.is_none() && d.colour.is_none() && d.size_or_tone.is_none();
        next.inherited && !next.another && self.products == next.products && bare(self) && bare(next) && self.qty.is_none()
    }

    fn child(&self) -> Draft {
        Draft {
            products: self.products.clone(),
            shared_number: self.shared_number,
            inherited: true,
            header: self.header.clone(),
            ..Draft::default()
        }
    }

    fn has_header(&self) -> bool {
        self.header.0.is_some() || self.header.1.is_some()
    }
}

/// Splits the item stream into one draft per named item: a second product, a second size or
/// colour, or a second quantity (or one after a separator) starts a new claim.
fn group(items: &[Item]) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut cur = Draft::default();
    let (mut after_sep, mut another, mut definite) = (false, false, false);
    for item in items {
        let split = match item {
            Item::Sep => {
                after_sep = true;
                continue;
            }
            Item::Another => {
                another = true;
                continue;
            }
            Item::Definite => {
                definite = true;
                continue;
            }
            Item::Product(_) | Item::SharedNumber(_) | Item::UnknownCode(_) => {
                !((cur.products.is_none() && cur.unknown.is_none()) || (cur.inherited && cur.size.is_none() && cur.colour.is_none()))
            }
            Item::Size(_) => cur.size.is_some(),
            Item::Colour(_) => cur.colour.is_some(),
            Item::SizeOrTone(..) => false,
            Item::Qty(_) => cur.qty.is_some() || (after_sep && cur.products.is_some()) || (another && !cur.is_empty()),
        };
        if split {
            // A new product starts afresh; a new variant or quantity keeps the product.
            let new_product = matches!(item, Item::Product(_) | Item::SharedNumber(_) | Item::UnknownCode(_));
            let mut next = if new_product { Draft::default() } else { cur.child() };
            next.another = another;
            drafts.push(std::mem::replace(&mut cur, next));
        }
        match item {
            Item::Product(c) | Item::SharedNumber(c) => {
                cur.products = Some(c.clone());
                cur.shared_number = matches!(item, Item::SharedNumber(_));
                cur.unknown = None;
                cur.inherited = false;
            }
            Item::UnknownCode(c) => {
                cur.unknown = Some(c.clone());
                cur.products = None;
                cur.inherited = false;
            }
            Item::Size(c) => cur.size = Some(c.clone()),
            Item::Colour(c) => cur.colour = Some(c.clone()),
            Item::SizeOrTone(s, c) => cur.size_or_tone = Some((s.clone(), c.clone())),
            Item::Qty(n) => {
                cur.qty_first = cur.size.is_none() && cur.colour.is_none() && cur.size_or_tone.is_none();
                // "A3 blanco: una S…": a count after a named item's variant opens a list under it.
                if cur.qty.is_none() && !cur.inherited && cur.products.is_some() && !cur.qty_first {
                    cur.header = (cur.size.clone(), cur.colour.clone());
                }
                cur.qty = Some(*n);
                cur.definite = definite;
            }
            Item::Another | Item::Definite | Item::Sep => {}
        }
        (after_sep, another, definite) = (false, false, false);
    }
    drafts.push(cur);
    drafts.retain(|d| !d.is_empty());
    spread_leading_count(&mut drafts);
    merge_complements(drafts)
}

/// "3 esmaltes: rojo, negro y rosado": a count before the variants that equals the number of
/// variants listed is their total, one each, not the quantity of the first.
fn spread_leading_count(drafts: &mut [Draft]) {
    for i in 0..drafts.len() {
        let Some(n) = drafts[i].qty.filter(|&n| n > 1 && drafts[i].qty_first) else {
            continue;
        };
        let same_item = |d: &Draft| d.inherited && !d.another && d.qty.is_none() && d.products == drafts[i].products;
        let listed = drafts[i + 1..].iter().take_while(|d| same_item(d)).count();
        if listed > 0 && listed + 1 == n as usize {
            drafts[i].qty = Some(1);
        }
    }
}

/// "ese chaleco beige…, apúntame uno en M": a follow-up that only adds the variant part the
/// item lacked is the same item, and what the item had then heads any further list items ("A3
/// blanco, una S y otra L"). A follow-up that repeats a part ("una S y una M") or says "otro"
/// stays a claim of its own; a bare count only gives the bare item its quantity.
fn merge_complements(drafts: Vec<Draft>) -> Vec<Draft> {
    let mut out: Vec<Draft> = Vec::new();
    for mut d in drafts {
        // "los dos collares están lindos, apártame uno": the later count is the order.
        if let Some(prev) =
            out.last_mut().filter(|p| p.definite && d.inherited && !d.another && d.qty.is_some() && p.products == d.products)
        {
            (prev.qty, prev.definite) = (None, false);
        }
        if let Some(prev) = out.last().filter(|prev| d.inherited && !d.has_header() && prev.products == d.products) {
            d.header = prev.header.clone();
        }
        if d.inherited {
            d.size = d.size.take().or_else(|| d.header.0.clone());
            d.colour = d.colour.take().or_else(|| d.header.1.clone());
        }
        if let Some(prev) = out.last_mut().filter(|prev| prev.completed_by(&d)) {
            if !prev.has_header() {
                prev.header = (prev.size.clone(), prev.colour.clone());
            }
            prev.size = prev.size.take().or(d.size);
            prev.colour = prev.colour.take().or(d.colour);
            prev.size_or_tone = prev.size_or_tone.take().or(d.size_or_tone);
            prev.qty = prev.qty.or(d.qty);
        } else if let Some(prev) = out.last_mut().filter(|prev| prev.counted_by(&d)) {
            prev.qty = d.qty;
        } else {
            out.push(d);
        }
    }
    out
}

/// The first candidate value the product actually has, in the catalog's spelling.
fn pick(cands: &[String], have: &[String]) -> Option<String> {
    cands.iter().find_map(|c| have.iter().find(|h| text::fold(h) == text::fold(c))).cloned()
}

/// Turns a draft into a claim: products narrowed by the variant named, size and colour checked
/// against the product (or any candidate while the product stays open).
fn resolve(draft: &Draft, index: &CatalogIndex, fallback: Option<usize>) -> ClaimSpec {
    if let (Some(code), None) = (&draft.unknown, &draft.products) {
        return ClaimSpec {
            code: Some(code.clone()),
            qty: draft.qty.unwrap_or(1).max(1),
            qty_explicit: draft.qty.is_some(),
            size: draft.size.as_ref().and_then(|s| s.first().cloned()),
            color: draft.colour.as_ref().and_then(|c| c.first().cloned()),
        };
    }
    let mut cands = draft.products.clone().or_else(|| fallback.map(|p| vec![p])).unwrap_or_default();
    // A qualifier only one candidate has pins it down ("vestido rojo" → the red dress).
    if cands.len() > 1 && !draft.shared_number {
        let fits = |p: &usize| {
            let prod = &index.products[*p];
            draft.size.as_ref().is_none_or(|s| pick(s, &prod.sizes).is_some())
                && draft.colour.as_ref().is_none_or(|c| pick(c, &prod.colours).is_some())
        };
        let narrowed: Vec<usize> = cands.iter().copied().filter(fits).collect();
        if !narrowed.is_empty() {
            cands = narrowed;
        }
    }
    let code = (cands.len() == 1).then(|| cands[0]);
    let pool: Vec<&Indexed> =
        if cands.is_empty() { index.products.iter().collect() } else { cands.iter().map(|&p| &index.products[p]).collect() };
    let find_size = |wanted: &[String]| pool.iter().find_map(|p| pick(wanted, &p.sizes));
    let find_colour = |wanted: &[String]| pool.iter().find_map(|p| pick(wanted, &p.colours));
    let mut size = draft.size.as_deref().and_then(find_size);
    let mut color = draft.colour.as_deref().and_then(find_colour);
    if let Some((s, c)) = &draft.size_or_tone {
        size = size.or_else(|| find_size(s));
        if size.is_none() {
            color = color.or_else(|| find_colour(c));
        }
    }
    // A size and colour that never occur together: trust the colour, it usually named the item.
    if let (Some(p), Some(s), Some(c)) = (code, &size, &color) {
        if !index.products[p].skus.iter().any(|(ss, cc)| ss.as_ref() == Some(s) && cc.as_ref() == Some(c)) {
            size = None;
        }
    }
    ClaimSpec {
        code: code.map(|p| index.products[p].code.clone()),
        qty: draft.qty.unwrap_or(1).max(1),
        qty_explicit: draft.qty.is_some(),
        size,
        color,
    }
}

fn build_claims(ex: &Extraction, index: &CatalogIndex, intent: Intent, current: Option<usize>) -> Vec<ClaimSpec> {
    // Each claim with the products its draft named, to compare claims left open.
    let mut named: Vec<(ClaimSpec, Option<Vec<usize>>)> = Vec::new();
    for d in group(&ex.items) {
        if intent == Intent::Cancel {
            // A cancel lists what it names; anything vaguer is resolved later from the order.
            let claim = d.products.is_some().then(|| resolve(&d, index, None));
            named.extend(claim.filter(|c| c.code.is_some()).map(|c| (c, d.products.clone())));
        } else {
            named.push((resolve(&d, index, current), d.products.clone()));
        }
    }
    // A bare mention next to a detailed one of the same product is the same item ("quero duas
    // do A12, uma P e uma M" → the two sized claims only); with no code, the same candidates
    // ("me gustaron las dos poleras, anótame una en M" → the M one only).
    let detailed = |c: &ClaimSpec| c.size.is_some() || c.color.is_some();
    let same_item = |(a, pa): &(ClaimSpec, Option<Vec<usize>>), (b, pb): &(ClaimSpec, Option<Vec<usize>>)| {
        if a.code.is_some() {
            a.code == b.code
        } else {
            pa.is_some() && pa == pb
        }
    };
    let keep: Vec<bool> =
        named.iter().map(|c| detailed(&c.0) || !named.iter().any(|other| detailed(&other.0) && same_item(c, other))).collect();
    let mut claims: Vec<ClaimSpec> = named.into_iter().zip(keep).filter(|(_, k)| *k).map(|((c, _), _)| c).collect();
    if claims.is_empty() && intent == Intent::Purchase {
        claims.push(ClaimSpec {
            code: current.map(|p| index.products[p].code.clone()),
            qty: 1,
            qty_explicit: false,
            size: None,
            color: None,
        });
    }
    claims
}

// ---------------------------------------------------------------------------------------------
// Intent decision: the first rule that fires wins (cancel > refusal > show > hedge > claim >
// question > notices/praise > bare claims > a clause that claims by itself).

fn decide(p: &Prepared, ex: &Extraction, clause: ClauseClaim, lang: Lang) -> (Intent, f32) {
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
struct ClauseClaim {
    /// An item and nothing else ("o colar pfv" in "…, que lindo").
    names: bool,
    /// An item with its variant or count ("el A2 talla 44 porfis" in "…, ojalá me quede").
    item: bool,
    /// "uno en L xfa" after praise, or "numeração 37" when 37 exists on the item on screen.
    sized: bool,
}

fn clause_claim(p: &Prepared, ex: &Extraction, index: &CatalogIndex, lang: Lang, current: Option<usize>) -> ClauseClaim {
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
fn fits_current(ex: &Extraction, index: &CatalogIndex, current: Option<usize>) -> bool {
    current.is_some_and(|cur| {
        group(&ex.items).iter().all(|d| {
            let c = resolve(d, index, Some(cur));
            d.size.is_some() == c.size.is_some() && d.colour.is_some() == c.color.is_some()
        })
    })
}

/// The first want verb in `t` is aimed at an action other than buying ("quero é ganhar…").
fn wants_another_thing(t: &str) -> bool {
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

const ES_WORDS: &[&str] = &[
    "quiero", "el", "los", "las", "yo", "mio", "mia", "para", "por", "hola", "talla", "porfa", "gracias", "cuanto", "tiene", "hay", "jaja",
    "ya", "mi", "lo", "una", "uno", "desde", "y", "del", "en", "con", "precio", "llevo", "cancela", "todo", "muy", "pero", "solo", "estoy",
    "hacen", "sale", "vale", "puedes", "favor", "me", "se", "es", "la", "que", "negra", "negro", "blanca", "rojo", "roja", "quedo", "cual",
];
const PT_WORDS: &[&str] = &[
    "quero", "eu", "nao", "voce", "vc", "pra", "tem", "do", "da", "um", "uma", "duas", "dois", "oi", "gente", "boa", "obrigada",
    "obrigado", "kkk", "rsrs", "tamanho", "tam", "preto", "preta", "branco", "branca", "vermelho", "vermelha", "essa", "esse", "isso",
    "olha", "mais", "bolsa", "batom", "brincos", "com", "fico", "vou", "levar", "ainda", "ta", "meu", "minha", "cinza", "bege", "marrom",
    "tira", "aceita", "faz", "qual", "custa", "pode", "desculpa", "tambem", "muito", "amei", "tudo", "hoje", "nem", "e", "o", "os", "as",
    "no", "na",
];
const EN_WORDS: &[&str] = &[
    "the", "i", "you", "want", "please", "pls", "my", "it", "is", "for", "size", "black", "white", "red", "pink", "brown", "how", "much",
    "do", "does", "sold", "mine", "and", "of", "in", "hi", "love", "lol", "take", "ill", "from", "to", "can", "show", "cancel", "dress",
    "bag", "me", "anymore", "dont", "just", "got", "order", "thank", "yes", "still", "need", "this", "that",
];

fn detect_lang(raw: &str, tokens: &[String]) -> Lang {
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

// ---------------------------------------------------------------------------------------------
// Entry point

/// Filter + rules. `current_product` overrides catalog.current_product (the seller switches
/// products during a live).
pub fn classify(text: &str, index: &CatalogIndex, current_product: Option<&str>) -> Classification {
    let prepared = prepare(text, index);
    let lang = detect_lang(text, &prepared.tokens);
    if let Some(reason) = filter::noise(text) {
        return Classification {
            intent: Intent::Other,
            claims: Vec::new(),
            lang,
            confidence: 0.95,
            filtered: Some(reason.to_string()),
            about: Vec::new(),
            unclear: false,
            review: None,
        };
    }
    // An unknown override code means "no current product", never an invented code.
    let current = match current_product {
        Some(c) => index.by_code.get(&compact_code(c)).copied(),
        None => index.current,
    };
    let ex = extract(&prepared.tokens, index, lang, &prepared.names);
    let clause = clause_claim(&prepared, &ex, index, lang, current);
    let (intent, mut confidence) = decide(&prepared, &ex, clause, lang);
    let claims = match intent {
        Intent::Purchase | Intent::Cancel => build_claims(&ex, index, intent, current),
        Intent::Question | Intent::Other => Vec::new(),
    };
    if intent == Intent::Purchase && claims.iter().any(|c| c.code.is_none()) {
        confidence = confidence.min(0.7);
    }
    // A question's subject, read like a claim (the product on screen when none is named).
    let about = if intent == Intent::Question { build_claims(&ex, index, Intent::Purchase, current) } else { Vec::new() };
    let unclear = confidence < UNCLEAR_BELOW;
    Classification { intent, claims, lang, confidence, filtered: None, about, unclear, review: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Intent::*;

    /// A cut-down copy of the shared sample catalog with the same traps: two dresses, two
    /// poleras, codes sharing a number, "rojo" on several products, tones on the foundation.
    const SAMPLE: &str = r#"{"currency":"CLP","current_product":"B3","products":[
      {"code":"A1","name":"Vestido midi floral","category":"ropa","price_cents":1,"variants":[
        {"sku":"a","size":"S","color":"azul"},{"sku":"b","size":"M","color":"azul"},{"sku":"c","size":"L","color":"azul"},
        {"sku":"d","size":"S","color":"rosado"},{"sku":"e","size":"M","color":"rosado"},{"sku":"f","size":"L","color":"rosado"}]},
      {"code":"A3","name":"Polera estampada oversize","category":"ropa","price_cents":1,"variants":[
        {"sku":"a","size":"S","color":"blanco"},{"sku":"m","size":"M","color":"negro"},{"sku":"b","size":"L","color":"negro"},{"sku":"c","size":"XL","color":"negro"}]},
      {"code":"A4","name":"Chaleco de lana","category":"ropa","price_cents":1,"variants":[{"sku":"a","size":"S","color":"gris"}]},
      {"code":"A7","name":"Vestido largo de fiesta","category":"ropa","price_cents":1,"variants":[
        {"sku":"a","size":"S","color":"negro"},{"sku":"b","size":"M","color":"rojo"},{"sku":"c","size":"S","color":"rojo"}]},
      {"code":"A12","name":"Polera básica algodón","category":"ropa","price_cents":1,"variants":[
        {"sku":"a","size":"S","color":null},{"sku":"b","size":"M","color":null},{"sku":"c","size":"L","color":null},{"sku":"d","size":"XL","color":null}]},
      {"code":"B3","name":"Sandalias de plataforma","category":"calzado","price_cents":1,"variants":[
        {"sku":"a","size":"38","color":"negro"},{"sku":"b","size":"39","color":"beige"},{"sku":"c","size":"40","color":"negro"}]},
      {"code":"B4","name":"Cartera de cuero","category":"accesorios","price_cents":1,"variants":[
        {"sku":"a","size":null,"color":"negro"},{"sku":"b","size":null,"color":"café"}]},
      {"code":"B5","name":"Aros de plata","category":"accesorios","price_cents":1},
      {"code":"B6","name":"Collar de perlas","category":"accesorios","price_cents":1},
      {"code":"C2","name":"Base líquida","category":"cosmética","price_cents":1,"variants":[
        {"sku":"a","size":null,"color":"claro"},{"sku":"b","size":null,"color":"medio"}]},
      {"code":"C4","name":"Esmalte de uñas","category":"cosmética","price_cents":1,"variants":[
        {"sku":"a","size":null,"color":"rojo"},{"sku":"b","size":null,"color":"negro"},{"sku":"c","size":null,"color":"nude"}]}]}"#;

    fn index_of(json: &str) -> CatalogIndex {
        CatalogIndex::new(&Catalog::from_json(json).expect("catalog parses"))
    }

    /// Claims as "CODE QTY SIZE COLOUR" joined by ", ", with "-" for none: "A12 1 M -".
    fn claims_text(c: &Classification) -> String {
        let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        let one = |c: &ClaimSpec| format!("{} {} {} {}", dash(&c.code), c.qty, dash(&c.size), dash(&c.color));
        c.claims.iter().map(one).collect::<Vec<_>>().join(", ")
    }

    /// Each case: comment, expected intent, expected claims in `claims_text` form.
    fn check(cases: &[(&str, Intent, &str)]) {
        let index = index_of(SAMPLE);
        for (text, intent, claims) in cases {
            let c = classify(text, &index, None);
            assert_eq!((c.intent, claims_text(&c).as_str()), (*intent, *claims), "{text:?}");
        }
    }

    #[test]
    fn code_spellings_all_resolve_to_the_catalog_code() {
        let spellings = ["A12", "a-12", "#A12", "cod a12", "código: A12", "a 12", "el 12", "nº 12", "A.12"];
        for s in spellings {
            check(&[(&format!("{s} talla M"), Purchase, "A12 1 M -")]);
        }
        check(&[("A12M", Purchase, "A12 1 M -")]);
    }

    #[test]
    fn bare_numbers_shared_by_several_codes_stay_open_even_when_a_variant_would_decide() {
        check(&[
            ("quiero el 4", Purchase, "- 1 - -"),
            ("quiero el 4 café", Purchase, "- 1 - café"),
            ("apúntame el 3 talla M", Purchase, "- 1 M -"),
            ("el 4 en negro para mí", Purchase, "- 1 - negro"),
            ("me tinca el 3 en 38", Purchase, "- 1 38 -"),
            // A number only one code has still resolves.
            ("guárdame el 12 en L", Purchase, "A12 1 L -"),
        ]);
    }

    #[test]
    fn a_bare_claim_goes_to_the_current_product_with_its_variant() {
        check(&[
            ("mío!!", Purchase, "B3 1 - -"),
            ("yo la 38 en negro", Purchase, "B3 1 38 negro"),
            ("eu quero tam 39 bege", Purchase, "B3 1 39 beige"),
            ("40 negra", Purchase, "B3 1 40 negro"),
        ]);
    }

    #[test]
    fn the_current_product_can_be_overridden_per_call() {
        let c = classify("mine!", &index_of(SAMPLE), Some("A12"));
        assert_eq!(claims_text(&c), "A12 1 - -");
    }

    #[test]
    fn names_map_across_languages_and_qualifiers_pick_the_one_product() {
        check(&[
            ("fico com os brincos de prata", Purchase, "B5 1 - -"),
            ("me arrepentí del vestido rojo", Cancel, "A7 1 - rojo"),
            ("vestidito rosado para mí", Purchase, "A1 1 - rosado"),
            ("quiero la polera básica en L", Purchase, "A12 1 L -"),
            ("want the party dress in S", Purchase, "A7 1 S -"),
        ]);
    }

    #[test]
    fn ambiguous_names_keep_the_variant_but_no_code() {
        check(&[("quiero el vestido en M", Purchase, "- 1 M -"), ("gimme the tee in M", Purchase, "- 1 M -")]);
    }

    #[test]
    fn product_and_colour_words_tolerate_one_typo() {
        check(&[("quiero la carteera negra", Purchase, "B4 1 - negro"), ("lo quiero en negor 38", Purchase, "B3 1 38 negro")]);
    }

    #[test]
    fn quantities_come_from_digits_words_and_times_marks() {
        check(&[
            ("quero 2 do C4 vermelho", Purchase, "C4 2 - rojo"),
            ("A12 x3 tala M", Purchase, "A12 3 M -"),
            ("quiero tres esmaltes nude", Purchase, "C4 3 - nude"),
        ]);
    }

    #[test]
    fn each_named_item_gets_its_own_claim() {
        check(&[
            ("A12 y B5", Purchase, "A12 1 - -, B5 1 - -"),
            ("quero duas do A12, uma P e uma M", Purchase, "A12 1 S -, A12 1 M -"),
            ("pa mí esmalte negro y uno nude", Purchase, "C4 1 - negro, C4 1 - nude"),
        ]);
    }

    #[test]
    fn tones_and_brazilian_sizes_are_normalised() {
        check(&[("c2 tono medio", Purchase, "C2 1 - medio"), ("A12 tam GG", Purchase, "A12 1 XL -")]);
    }

    #[test]
    fn cancellations_list_named_products_or_nothing() {
        check(&[
            ("cancela el A12", Cancel, "A12 1 - -"),
            ("ya no lo quiero", Cancel, ""),
            ("cancelo uno de los dos C4", Cancel, "C4 1 - -"),
            ("não quero mais a bolsa", Cancel, "B4 1 - -"),
        ]);
    }

    #[test]
    fn questions_carry_no_claims_even_with_a_code() {
        check(&[
            ("cuánto cuesta el A12?", Question, ""),
            ("quiero ver el A12 de nuevo", Question, ""),
            ("tiene en M?", Question, ""),
            ("precio del A3", Question, ""),
        ]);
    }

    #[test]
    fn a_reservation_phrased_as_a_question_is_a_purchase() {
        check(&[("el A12 en M, me lo guardas?", Purchase, "A12 1 M -")]);
    }

    #[test]
    fn refusals_jokes_praise_and_notices_are_other() {
        let texts = [
            "no quiero, solo estoy mirando",
            "quiero todo 😂😂",
            "yo no, gracias 😅",
            "el mes pasado compré el A12",
            "ya transferí",
            "alguien de Viña por aquí?",
            "el A7 es hermoso 😍",
            "lo quiero jajaja",
        ];
        for t in texts {
            check(&[(t, Other, "")]);
        }
    }

    #[test]
    fn a_code_the_catalog_lacks_is_kept_not_swapped_for_the_item_on_screen() {
        let idx = index_of(SAMPLE);
        let c = classify("quiero A99 talla M", &idx, None);
        assert_eq!(c.intent, Purchase);
        assert_eq!(claims_text(&c), "A99 1 M -");
        assert_eq!(claims_text(&classify("Z9", &idx, None)), "Z9 1 - -");
        assert_eq!(claims_text(&classify("A12 M x2", &idx, None)), "A12 2 M -");
    }

    #[test]
    fn noise_is_reported_as_filtered() {
        let c = classify("jajaja", &index_of(SAMPLE), None);
        assert_eq!((c.intent, c.filtered.as_deref()), (Other, Some("laughter")));
    }

    #[test]
    fn another_catalog_works_and_never_gets_invented_codes() {
        let idx = index_of(
            r#"{"currency":"USD","products":[
            {"code":"SH-2","name":"Linen shirt","price_cents":100,"variants":[{"sku":"SH-2-M","size":"M","color":"white"}]},
            {"code":"C-1","name":"Camisa de lino","price_cents":100,"variants":[{"sku":"C-1-XXL","size":"XXL","color":"azul marino"}]}]}"#,
        );
        let run = |t: &str, current: Option<&str>| claims_text(&classify(t, &idx, current));
        assert_eq!(run("mine!", None), "- 1 - -");
        assert_eq!(run("sh-2 in white M please", None), "SH-2 1 M white");
        assert_eq!(run("la camisa azul marino XXL para mí", None), "C-1 1 XXL azul marino");
        // What the buyer wrote is kept as written (the reserve stage answers "not in this live"),
        // never replaced by a catalog code.
        assert_eq!(run("quiero el A12", Some("Z9")), "A12 1 - -");
        let empty = index_of(r#"{"currency":"X","products":[]}"#);
        assert_eq!(claims_text(&classify("A12 talla M", &empty, None)), "A12 1 M -");
    }

    #[test]
    fn languages_are_told_apart() {
        let index = index_of(SAMPLE);
        assert_eq!(classify("eu quero a preta", &index, None).lang, Lang::Pt);
        assert_eq!(classify("I'll take two", &index, None).lang, Lang::En);
        assert_eq!(classify("lo quiero en negro", &index, None).lang, Lang::Es);
    }

    #[test]
    fn taking_idioms_and_possessive_predicates_are_claims() {
        check(&[
            ("tô dentro!! 38 preta", Purchase, "B3 1 38 negro"),
            ("os brincos de prata são meus!!", Purchase, "B5 1 - -"),
            ("la cartera café es mía", Purchase, "B4 1 - café"),
            ("those earrings are mine", Purchase, "B5 1 - -"),
            ("me voy con el collar", Purchase, "B6 1 - -"),
            ("ring me up: black bag", Purchase, "B4 1 - negro"),
            ("el esmalte nude se viene conmigo", Purchase, "C4 1 - nude"),
            ("add it to my order, the A12 in M", Purchase, "A12 1 M -"),
            ("é minha cor favorita", Other, ""),
            ("me voy con mi mamá al centro", Other, ""),
        ]);
    }

    #[test]
    fn an_item_with_its_variant_is_a_claim_even_with_unknown_slang() {
        check(&[
            ("bora de cartera preta", Purchase, "B4 1 - negro"),
            ("vi el vestido en otra tienda más barato", Other, ""),
            ("la cartera negra no me convence", Other, ""),
            ("listo, transferido 💸 a nombre de Cami Rojas", Other, ""),
        ]);
    }

    #[test]
    fn an_explicit_claim_outweighs_a_hedge_in_the_same_comment() {
        check(&[
            ("llevo rato mirando y al final me decidí: quiero la cartera café, ojalá quede", Purchase, "B4 1 - café"),
            ("só de olho mas quero o esmalte nude", Purchase, "C4 1 - nude"),
            ("solo mirando, bueno ya, quiero la polera básica en L", Purchase, "A12 1 L -"),
            ("solo estoy mirando", Other, ""),
            ("ojalá me alcance la plata 😭", Other, ""),
            ("just browsing tonight", Other, ""),
        ]);
    }

    #[test]
    fn hold_keep_and_reserve_requests_are_claims_in_every_person() {
        check(&[
            ("can you hold the black bag for me?", Purchase, "B4 1 - negro"),
            ("could you keep one of the pearl necklaces for me", Purchase, "B6 1 - -"),
            ("Wena! el A12 en M me lo guardai?", Purchase, "A12 1 M -"),
            ("apartai el collar porfa", Purchase, "B6 1 - -"),
            ("guárdenme el esmalte rojo", Purchase, "C4 1 - rojo"),
            ("podrías guardarme los aros?", Purchase, "B5 1 - -"),
            ("pode separar o colar pra mim?", Purchase, "B6 1 - -"),
        ]);
    }

    #[test]
    fn a_reservation_called_off_is_a_cancel_but_a_polite_negative_request_is_not() {
        check(&[
            ("no me lo guardes porfa", Cancel, ""),
            ("don't hold it for me anymore", Cancel, ""),
            ("não precisa separar a bolsa", Cancel, "B4 1 - -"),
            ("no hace falta que me lo guarden", Cancel, ""),
            ("no me lo guardas? el A12", Purchase, "A12 1 - -"),
        ]);
    }

    #[test]
    fn cancel_verbs_work_in_every_person_and_with_clitics() {
        check(&[
            ("nah, al final paso, anulen lo mío", Cancel, ""),
            ("bórrenme de las sandalias porfa, me equivoqué", Cancel, "B3 1 - -"),
            ("sáquenme del A12", Cancel, "A12 1 - -"),
            ("me borro del collar, sorry", Cancel, "B6 1 - -"),
            ("quítenme los aros", Cancel, "B5 1 - -"),
            ("risca meu nome da bolsa", Cancel, "B4 1 - -"),
            ("take the black bag off my order", Cancel, "B4 1 - negro"),
            // "sacar" is also taking a photo: that stays a request to see the item.
            ("saca una foto del A12 porfa", Question, ""),
        ]);
    }

    #[test]
    fn one_of_several_is_a_partial_cancel_of_one() {
        check(&[
            ("saca uno de los tres esmaltes que pedí", Cancel, "C4 1 - -"),
            ("tira um dos dois esmaltes", Cancel, "C4 1 - -"),
            ("quiten uno de los dos collares", Cancel, "B6 1 - -"),
            ("drop one of the two necklaces", Cancel, "B6 1 - -"),
        ]);
    }

    #[test]
    fn negation_reaches_over_auxiliaries_and_clitics() {
        check(&[
            ("sorry, ya no voy a querer el a 12", Cancel, "A12 1 - -"),
            ("ya no me lo voy a llevar, el collar", Cancel, "B6 1 - -"),
            ("não vou mais querer o esmalte", Cancel, "C4 1 - -"),
            ("I won't be taking the A3 after all", Cancel, "A3 1 - -"),
            ("não vou querer nada hj, só de olho 👀", Other, ""),
            ("hoy no voy a comprar nada", Other, ""),
            ("not gonna buy anything today", Other, ""),
        ]);
    }

    #[test]
    fn emphatic_refusals_and_wishes_for_something_else_are_not_claims() {
        check(&[
            ("ni loca compro hoy, ya gasté mucho este mes 😅", Other, ""),
            ("nem a pau eu compro isso hoje", Other, ""),
            ("no way I'm buying anything today lol", Other, ""),
            ("eu quero é ganhar na mega sena kkkk", Other, ""),
            ("quiero ir a la playa", Other, ""),
            ("I just want to sleep", Other, ""),
            ("quero levar dois esmaltes", Purchase, "C4 2 - -"),
            ("eu quero é o A12 M", Purchase, "A12 1 M -"),
            ("quiero llevármelo", Purchase, "B3 1 - -"),
        ]);
    }

    #[test]
    fn past_buying_stories_in_any_person_are_other() {
        check(&[
            ("mi mamá me compró las sandalias la semana pasada y le encantaron", Other, ""),
            ("minha irmã comprou a bolsa na live passada, amou", Other, ""),
            ("my sister bought the A12 last week", Other, ""),
            ("hace dos semanas compré el collar", Other, ""),
            ("me compro el A12 en M", Purchase, "A12 1 M -"),
        ]);
    }

    #[test]
    fn a_conditional_purchase_that_frames_a_question_is_a_question() {
        check(&[
            ("si compro hoy, cuándo llega a Arica?", Question, ""),
            ("se eu levar duas, tem desconto?", Question, ""),
            ("if I order today when does it arrive", Question, ""),
            ("si compro dos esmaltes me hacen descuento?", Question, ""),
            ("si hay en M lo quiero, el A1 rosado", Purchase, "A1 1 M rosado"),
            ("si compro el collar, me lo guardas hasta el viernes?", Purchase, "B6 1 - -"),
        ]);
    }

    #[test]
    fn a_comment_opening_with_a_mention_is_for_that_viewer() {
        check(&[
            ("@dani cachai el A12? te quedaría bacán", Other, ""),
            ("@caro viste la cartera? te queda regia", Other, ""),
            ("@jose yo quiero el A12 M", Purchase, "A12 1 M -"),
        ]);
    }

    #[test]
    fn indefinite_pronouns_point_back_at_the_item_already_named() {
        check(&[
            ("me vê uma camiseta tamanho G, qualquer uma", Purchase, "- 1 L -"),
            ("I'll take a tee in XL, whichever one", Purchase, "- 1 XL -"),
            ("quiero un vestido en M, cualquiera", Purchase, "- 1 M -"),
            ("una polera XL, cualquiera de las dos", Purchase, "- 1 XL -"),
            ("gimme a dress in S, either one is fine", Purchase, "- 1 S -"),
        ]);
    }

    #[test]
    fn a_follow_up_that_adds_the_missing_variant_is_the_same_item() {
        check(&[
            ("ese chaleco gris está precioso, apúntame uno en S", Purchase, "A4 1 S gris"),
            ("el vestido largo rojo, quiero uno en S", Purchase, "A7 1 S rojo"),
            ("qué lindo el A1 azul, anótame uno talla M", Purchase, "A1 1 M azul"),
            ("o A3 preto é lindo, quero um G", Purchase, "A3 1 L negro"),
            // A repeated part or "otro" is a further item.
            ("el A1 azul en M y otro en S", Purchase, "A1 1 M azul, A1 1 S -"),
            ("quiero el A3 negro, y otro blanco", Purchase, "A3 1 - negro, A3 1 - blanco"),
            ("el A3 negro M y el otro blanco S", Purchase, "A3 1 M negro, A3 1 S blanco"),
        ]);
    }

    #[test]
    fn a_variant_of_the_item_on_screen_is_a_claim_whatever_the_lead_in() {
        check(&[
            ("coloca na minha sacolinha a preta 38 🛍️", Purchase, "B3 1 38 negro"),
            ("bota na sacolinha a bege 39", Purchase, "B3 1 39 beige"),
            ("põe no meu carrinho a preta 40 por favor", Purchase, "B3 1 40 negro"),
            ("ponme en el carrito la negra 40", Purchase, "B3 1 40 negro"),
            ("same here!! 39 in beige", Purchase, "B3 1 39 beige"),
            ("lemme get the black ones in 38", Purchase, "B3 1 38 negro"),
            ("vou de preta, numeração 40", Purchase, "B3 1 40 negro"),
            ("voy por la negra en 38", Purchase, "B3 1 38 negro"),
            // The same lead-ins with nothing of the catalog named are chatter.
            ("hoy ando de negro jaja", Other, ""),
            ("voy por un café, ya vuelvo", Other, ""),
            ("vou no centro amanhã", Other, ""),
            ("lemme get some water brb", Other, ""),
        ]);
    }

    #[test]
    fn the_portuguese_put_verb_is_not_the_boot() {
        assert!(is_put_verb("bota", "", "na"));
        assert!(is_put_verb("bota", ",", "uma"));
        assert!(!is_put_verb("bota", "a", "preta"));
        assert!(!is_put_verb("bota", "a", "na"));
    }

    #[test]
    fn a_clause_naming_an_item_and_its_variant_is_a_claim_despite_the_chatter_around_it() {
        check(&[
            ("el A12 talla L porfis, ojalá me quede 🙏", Purchase, "A12 1 L -"),
            ("A1 rosado M, já faço o pix", Purchase, "A1 1 M rosado"),
            ("B4 café, ya te transfiero", Purchase, "B4 1 - café"),
            ("A3 negra M, ahorita te pago", Purchase, "A3 1 M negro"),
            ("ojalá quede el A1 en M", Other, ""),
            ("ojalá me alcance para el A1 azul", Other, ""),
            ("ya te pagué el A12 M", Other, ""),
        ]);
    }

    #[test]
    fn buying_for_someone_else_is_a_claim() {
        check(&[
            ("aros de plata x3 pa regalar", Purchase, "B5 3 - -"),
            ("collar de perlas x2 para regalar", Purchase, "B6 2 - -"),
            ("vestido M pra minha irmã, tanto faz qual", Purchase, "- 1 M -"),
            ("esmalte nude de regalo", Purchase, "C4 1 - nude"),
            ("the black bag for my mom", Purchase, "B4 1 - negro"),
            ("pra minha mãe seria perfeito o colar", Other, ""),
            ("sorry, for my mom the black bag was too small", Other, ""),
        ]);
    }

    #[test]
    fn praise_with_a_polite_request_or_a_size_is_a_claim_but_praise_alone_is_not() {
        check(&[
            ("o esmalte nude pfvr, amo essa cor", Purchase, "C4 1 - nude"),
            ("el collar de perlas porfa, está precioso", Purchase, "B6 1 - -"),
            ("me encantó el chaleco gris!! uno en S xfa", Purchase, "A4 1 S gris"),
            ("que lindo!! 38 negra", Purchase, "B3 1 38 negro"),
            ("qué chimba ese vestido rojo 😍", Other, ""),
            ("que regio el chaleco gris", Other, ""),
            ("qué bacán la cartera café", Other, ""),
            ("nossa que coisa mais linda essa bolsa preta", Other, ""),
            ("what a gorgeous red dress", Other, ""),
        ]);
    }

    #[test]
    fn portuguese_possessives_may_end_in_a_tag_word() {
        check(&[
            ("se ainda tiver o A3 preto M, é meu visse", Purchase, "A3 1 M negro"),
            ("a bolsa café é minha viu", Purchase, "B4 1 - café"),
            ("o colar é meu, hein", Purchase, "B6 1 - -"),
            ("os brincos são meus mana", Purchase, "B5 1 - -"),
        ]);
    }

    #[test]
    fn a_conditional_claim_or_a_hold_request_is_a_purchase_even_as_a_question() {
        check(&[
            ("if the black A3 comes in XL I'm taking it", Purchase, "A3 1 XL negro"),
            ("if you have the dress in M I'm getting it", Purchase, "- 1 M -"),
            ("I have to have the A3 black L", Purchase, "A3 1 L negro"),
            ("Lu, consegue segurar um A4 cinza P pra mim até sexta?", Purchase, "A4 1 S gris"),
            ("segura o colar pra mim até sexta?", Purchase, "B6 1 - -"),
            ("brincos pra mim, pode ser?", Purchase, "B5 1 - -"),
            ("el A1 azul M para mí, ok?", Purchase, "A1 1 M azul"),
            ("la negra 38 para mí, se puede?", Purchase, "B3 1 38 negro"),
            // A real question stays one.
            ("qual tamanho pra mim?", Question, ""),
            ("tiene el A1 en M para mí?", Question, ""),
        ]);
    }

    #[test]
    fn withdrawals_with_unfamiliar_verbs_are_cancels() {
        check(&[
            ("el esmalte rojo ya no, me pasé del presupuesto", Cancel, "C4 1 - rojo"),
            ("o colar já não, desculpa", Cancel, "B6 1 - -"),
            ("the A3 not anymore, sorry", Cancel, "A3 1 - -"),
            ("desconsidera o esmalte vermelho pfv", Cancel, "C4 1 - rojo"),
            ("disregard my order for the necklace", Cancel, "B6 1 - -"),
            ("ugh sorry, gotta back out of the bag, bills came in", Cancel, "B4 1 - -"),
            ("tô fora da bolsa, gente", Cancel, "B4 1 - -"),
            ("paso del collar, gracias", Cancel, "B6 1 - -"),
            ("el A12 ya no, me quedó chico el otro", Cancel, "A12 1 - -"),
            // "ya no" that goes on to ask or muse is no withdrawal.
            ("ya no hay stock?", Question, ""),
            ("ya no sé qué elegir jaja", Other, ""),
        ]);
    }

    #[test]
    fn questions_to_other_viewers_and_idioms_on_a_stock_verb_are_other() {
        check(&[
            ("alguna de Trujillo por acá? 👋", Other, ""),
            ("alguma de BH assistindo?", Other, ""),
            ("someone from Texas here?", Other, ""),
            ("la Vale tiene razón, el A1 es el más lindo", Other, ""),
            ("a Bia tem razão, o A1 é o mais lindo", Other, ""),
            ("alguna de las dos en M?", Question, ""),
            ("alguna en talla 38?", Question, ""),
        ]);
    }

    #[test]
    fn owning_one_already_is_a_story_not_a_claim() {
        check(&[
            ("yo también tengo la cartera café", Other, ""),
            ("I own the black bag, love it", Other, ""),
            ("eu tenho a bolsa preta, é ótima", Other, ""),
        ]);
    }

    #[test]
    fn a_leading_count_over_a_list_of_variants_is_one_each() {
        check(&[
            ("3 esmaltes: rojo, negro y nude", Purchase, "C4 1 - rojo, C4 1 - negro, C4 1 - nude"),
            ("quero 2 esmaltes, vermelho e nude", Purchase, "C4 1 - rojo, C4 1 - nude"),
            ("2 A3, negra y blanca", Purchase, "A3 1 - negro, A3 1 - blanco"),
            ("dos esmaltes rojos", Purchase, "C4 2 - rojo"),
            // A count that does not match the list is left as written.
            ("3 esmaltes rojo y negro", Purchase, "C4 3 - rojo, C4 1 - negro"),
        ]);
    }
    #[test]
    fn how_much_you_charge_me_is_a_question_unless_an_item_is_named() {
        check(&[
            ("cuánto me cobrás por mandarlo a Rancagua?", Question, ""),
            ("y el despacho a Lima cuánto me cobran?", Question, ""),
            ("quanto vc cobra pra enviar pra Recife?", Question, ""),
            ("me cobras el envío a Temuco?", Question, ""),
            ("cuánto me cobran por el A12?", Question, ""),
            ("cóbrame el A12 en M", Purchase, "A12 1 M -"),
            ("me cobras la cartera negra", Purchase, "B4 1 - negro"),
        ]);
    }

    #[test]
    fn places_and_other_names_are_never_read_as_product_typos() {
        check(&[
            ("boa noite de Floripa", Other, ""),
            ("un saludo grande a Floripa y a Lorena", Other, ""),
            ("qual o frete pra Floripa?", Question, ""),
            ("o tecido é bom?", Question, ""),
            // A keyboard slip on a product word still counts.
            ("quiero la cartwra negra", Purchase, "B4 1 - negro"),
        ]);
        let names = proper_names("boa tarde de Floripa! Quiero la Cartera de NUEVO");
        assert!(names.contains("floripa") && names.contains("cartera"));
        assert!(!names.contains("quiero") && !names.contains("nuevo"));
    }

    #[test]
    fn portuguese_negation_after_the_verb_is_a_refusal_or_with_ja_or_mais_a_withdrawal() {
        check(&[
            ("quero não, obrigada", Other, ""),
            ("compro não, tô só olhando", Other, ""),
            ("hoje quero nada, só passando pra dar oi", Other, ""),
            ("levo nada hoje não kkk", Other, ""),
            ("já quero não o colar", Cancel, "B6 1 - -"),
            ("quero mais não a bolsa", Cancel, "B4 1 - -"),
            ("quero não só o colar, os brincos também", Purchase, "B6 1 - -, B5 1 - -"),
        ]);
    }

    #[test]
    fn a_compliment_on_a_colour_or_product_is_other_without_a_claim_verb_or_a_size() {
        check(&[
            ("amé la cartera café 😍", Other, ""),
            ("love the red one!!", Other, ""),
            ("adoro essa cor do esmalte nude", Other, ""),
            ("me enamoré del collar de perlas", Other, ""),
            ("que lindo el esmalte rojo, quiero uno", Purchase, "C4 1 - rojo"),
            ("amé el chaleco gris, uno en S porfa", Purchase, "A4 1 S gris"),
        ]);
    }

    #[test]
    fn give_me_verbs_are_a_polite_request_to_buy_unless_they_ask_for_information() {
        check(&[
            ("me regalas la cartera negra? 🙏", Purchase, "B4 1 - negro"),
            ("regálame el A12 en L porfa", Purchase, "A12 1 L -"),
            ("me vendes el collar de perlas?", Purchase, "B6 1 - -"),
            ("me pasas el A3 negro en M?", Purchase, "A3 1 M negro"),
            ("me das dos esmaltes nude?", Purchase, "C4 2 - nude"),
            ("me regalas el precio del A12?", Question, ""),
            ("me pasas el link para pagar?", Question, ""),
            ("mi mamá me regala el collar de perlas", Other, ""),
        ]);
    }

    #[test]
    fn a_bare_count_after_an_item_is_its_quantity_not_a_second_item() {
        check(&[
            ("de los esmaltes que pedí, quita uno", Cancel, "C4 1 - -"),
            ("del collar, saca uno porfa", Cancel, "B6 1 - -"),
            ("los aros que anoté, bórrame uno", Cancel, "B5 1 - -"),
            ("the necklaces I ordered, remove one", Cancel, "B6 1 - -"),
            ("el A12, dos porfa", Purchase, "A12 2 - -"),
        ]);
    }

    #[test]
    fn a_count_of_the_items_in_view_gives_way_to_the_count_ordered() {
        check(&[
            ("me encantaron los dos vestidos, anótame uno en S", Purchase, "- 1 S -"),
            ("amei as duas camisetas, separa uma G pra mim", Purchase, "- 1 L -"),
            ("both dresses are lovely, put me down for one in M", Purchase, "- 1 M -"),
            ("los dos collares están lindos, apártame uno", Purchase, "B6 1 - -"),
            ("las dos poleras, una en M y otra en L", Purchase, "- 1 M -, - 1 L -"),
            // With nothing picked from them, the count is the order.
            ("quiero los dos collares", Purchase, "B6 2 - -"),
        ]);
    }

    #[test]
    fn shade_after_or_before_a_tone_is_the_tone_not_sunglasses() {
        let idx = index_of(
            r#"{"currency":"CLP","current_product":"C2","products":[
            {"code":"B8","name":"Lentes de sol","category":"accesorios","price_cents":1},
            {"code":"C2","name":"Base líquida","category":"cosmética","price_cents":1,"variants":[
              {"sku":"a","size":null,"color":"claro"},{"sku":"b","size":null,"color":"oscuro"}]}]}"#,
        );
        for (t, want) in [
            ("C2 dark shade pls", "C2 1 - oscuro"),
            ("foundation in a light shade for me", "C2 1 - claro"),
            ("quero a base, shade escuro", "C2 1 - oscuro"),
            ("need the shades and the C2 dark", "B8 1 - -, C2 1 - oscuro"),
            ("I'll take the shades", "B8 1 - -"),
        ] {
            assert_eq!(claims_text(&classify(t, &idx, None)), want, "{t:?}");
        }
    }

    #[test]
    fn a_variant_said_once_before_a_list_applies_to_every_item_of_it() {
        check(&[
            ("A3 negro: una M y otra L", Purchase, "A3 1 M negro, A3 1 L negro"),
            ("el A1 rosado, uno S y otro M", Purchase, "A1 1 S rosado, A1 1 M rosado"),
            ("A1 talla M: uno azul y otro rosado", Purchase, "A1 1 M azul, A1 1 M rosado"),
            ("esmalte nude x2 y uno rojo", Purchase, "C4 2 - nude, C4 1 - rojo"),
        ]);
    }

    #[test]
    fn a_size_word_alone_after_a_comma_is_the_size_of_the_item_before_it() {
        check(&[
            ("ill take A7 in red, small", Purchase, "A7 1 S rojo"),
            ("quiero el A1 azul, grande porfa", Purchase, "A1 1 L azul"),
            ("A3 black, large", Purchase, "A3 1 L negro"),
            ("el A1 azul, chica linda", Purchase, "A1 1 - azul"),
            ("la A3 negra, chica es muy linda", Purchase, "A3 1 - negro"),
        ]);
    }
}
