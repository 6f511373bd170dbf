//! Phrase cues: regexes over the cleaned text (folded, apostrophes dropped, one space between
//! words, "?" and "," kept as words) that decide what a comment wants.
use super::*;

pub(super) fn any_of(alternatives: &[&str]) -> Regex {
    Regex::new(&alternatives.join("|")).expect("valid regex")
}

#[rustfmt::skip]
pub(super) static CANCEL: LazyLock<Regex> = LazyLock::new(|| {
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
pub(super) static CANCEL_OBJ: LazyLock<Regex> = LazyLock::new(|| {
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
pub(super) static NEG_WANT: LazyLock<Regex> = LazyLock::new(|| {
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
pub(super) static NEG_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:(ja|ya)\s+)?(?:quero|quiero|compro|levo|llevo|vou querer|vou levar|want)\s+(?:(mais|more)\s+)?(?:nada|nothing|nao(?:\s+(so|apenas|somente)\b)?)\b",
    ])
});

/// Emphatic refusals before a buying verb ("ni loca compro", "nem a pau eu levo", "no way I'm
/// buying"): a joke about not buying, never a withdrawal of an earlier claim.
#[rustfmt::skip]
pub(super) static REFUSE: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:ni loc[ao]|ni muert[ao]|ni en suenos|ni cagando|ni a palos|ni de broma|nem a pau|nem morta|nem morto|nem ferrando|nem pensar|nem sonhando|no way|hell no|no chance|not a chance)\b(?:\s+\w+){0,3}?\s+(?:compro|compraria|comprar|quiero|querria|quero|queria|llevo|levo|levaria|pago|gasto|buy|buying|want|getting|taking|spend|spending)\b",
    ])
});
pub(super) static NEG_MORE: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\b(?:mas|mais|anymore|longer|al final|ya|after all)\b", r"\b(?:lo|la|los|las) quiero\b"]));
pub(super) const OBJECT_WORDS: &[&str] = &[
    "el", "la", "los", "las", "lo", "o", "a", "os", "as", "it", "them", "that", "this", "the", "ese", "esa", "eso", "essa", "esse", "isso",
    "mi", "meu", "minha", "my",
];

/// Refusals, jokes and wishful thinking that contain a purchase word.
#[rustfmt::skip]
pub(super) static JOKE: LazyLock<Regex> = LazyLock::new(|| {
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
pub(super) static HEDGE: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\bojala\b", r"\bsolo (?:estoy |ando )?(?:mirando|viendo|chusmeando|sapeando|vitrineando|cachando)\b",
        r"\bso (?:to |tou |estou )?(?:olhando|vendo|espiando|de olho)\b", r"\b(?:to|tou|estou) (?:so )?de olho\b",
        r"\b(?:just|only) (?:looking|watching|browsing)\b", r"\bwindow shopping\b",
    ])
});

/// Questions to other viewers, not to the seller ("alguien de Viña?", "who else is from Lima?").
#[rustfmt::skip]
pub(super) static SOCIAL: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"^(?:alguien|alguem|anyone|anybody|somebody|quien mas|quem mais|who else|hay alguien|tem alguem)\b",
        r"\b(?:quien|quem|who)\s+(?:es|e|is|mas|mais|else)\s+(?:de|da|do|from)\b",
    ])
});

/// "alguna de Trujillo por acá?", "alguma de SP?": someone from a place (group 1). "alguna de
/// las dos en M?" picks between items, so an article or demonstrative there is no place.
pub(super) static SOMEONE_FROM: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"^(?:alguna|alguno|algunas|algunos|alguma|algum|algumas|alguns|someone)\s+(?:de|da|do|from)\s+(\w+)"]));
pub(super) const NOT_A_PLACE: &[&str] = &[
    "la", "las", "los", "el", "lo", "os", "as", "o", "a", "the", "esta", "estas", "esa", "esas", "essa", "essas", "esse", "esses", "these",
    "those", "them", "ustedes", "voces", "you", "vcs", "tus", "sus", "your", "estos", "estes", "mis", "my",
];

/// The comment is addressed to other viewers. Someone "from" an item or a size ("alguna de 38?")
/// is stock talk, so that form needs a comment that names nothing.
pub(super) fn social(t: &str, names_something: bool) -> bool {
    let from_place = |c: regex::Captures| !NOT_A_PLACE.contains(&&c[1]) && !c[1].chars().any(|ch| ch.is_ascii_digit());
    SOCIAL.is_match(t) || (!names_something && SOMEONE_FROM.captures(t).is_some_and(from_place))
}

/// Requests to show or model an item: questions even when they say "quiero".
#[rustfmt::skip]
pub(super) static SHOW: LazyLock<Regex> = LazyLock::new(|| {
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
pub(super) static ASK: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:quiero|quero|queria|quisiera|necesito|preciso|want to|wanna|would like to|id like to|need to|gostaria de|me gustaria)\s+(?:saber|preguntar|perguntar|consultar|know|ask|check|una consulta|uma pergunta|info|informacion|informacao|detalles|details)\b",
    ])
});

/// Reservation verbs in every person, Chilean voseo included ("me lo guardai?", "apártenmelo",
/// "can you hold … for me?"): a purchase even when phrased as a question.
#[rustfmt::skip]
pub(super) static RESERVE: LazyLock<Regex> = LazyLock::new(|| {
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
pub(super) static WANT: LazyLock<Regex> = LazyLock::new(|| {
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
pub(super) static CHARGE: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\bcobra(?:me|melo|mela|melos|melas)\b", r"\bme (?:cobra|cobras|cobran|cobrai)\b"]));

/// "How much" before a charge verb asks for a price even when an item is named ("cuánto me cobras
/// por el A12?").
pub(super) static HOW_MUCH_CHARGE: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\b(?:cuanto|quanto|how much)\b(?:\s+\w+){0,3}?\s+(?:cobr\w*|charge\w*)"]));

/// "Give me" verbs used as a polite request to buy ("dame el A2", "me regalas el A2 en 42?",
/// "me vendes la negra?"); "regalar" is LatAm for "give/sell me". With information as the
/// object ("me pasas el precio?", "regálame tu número") they ask instead, and "mi novio me
/// regala…" is a gift (`GIVE_NOT_BUY`).
#[rustfmt::skip]
pub(super) static GIVE: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:da|de|den|regal[ae]|regalen|vend[ae]|venden|pas[ae]|pasen|mand[ae]|manden)(?:me|melo|mela|melos|melas)\b",
        r"\bme (?:das|dai|pasas|pasai|mandas|mandai|vendes|vende|venden|vendei|regalas|regala|regalan|regalai)\b",
    ])
});

#[rustfmt::skip]
pub(super) static GIVE_NOT_BUY: LazyLock<Regex> = LazyLock::new(|| {
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
pub(super) static PICK: LazyLock<Regex> = LazyLock::new(|| {
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
pub(super) static FOR_OTHER: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:para|pa|pra|p|for|de|as a)\s+(?:regal\w*|presente\w*|gift\w*)\b",
        r"\b(?:para|pa|pra|p|for)\s+(?:a |o )?(?:mi|mis|minha|minhas|meu|meus|my)\s+(?:mama|mami|madre|mae|mamae|mom|mum|mother|hermana\w*|irma\w*|sister|sis|hija|hijas|filha\w*|daughter|tia|aunt|abuela|avo|vovo|grandma|prima|cousin|amiga\w*|friend|bestie|suegra|sogra|novia|polola|namorada|girlfriend|gf|esposa|wife|nuera|nora|sobrina|sobrinha|niece|nieta|neta|hijo|filho|son|novio|pololo|namorado|boyfriend|bf|marido|esposo|husband|papa|pai|dad|hermano|irmao|brother|jefa|chefe|boss|vecina|vizinha|neighbor)\b",
    ])
});

/// Conditional or past copulas: "pra minha mãe seria perfeito", "for my mom it was too small".
pub(super) static NOT_NOW: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\b(?:seria|serian|ficaria|quedaria|quedarian|would|was|were|fue|fueron|foi|foram|ficou|era|eram)\b"]));

/// "compro" is also "compró" with the accent dropped ("mi mamá me compró…"): a claim only when
/// the comment is not a story about a past purchase.
pub(super) static BUY_NOW: LazyLock<Regex> = LazyLock::new(|| any_of(&[r"\bcompro\b"]));

/// A buying verb inside a condition ("si compro hoy…", "se eu levar dois…", "if I buy two…"):
/// when the comment asks something, the condition frames the question and claims nothing.
#[rustfmt::skip]
pub(super) static COND_BUY: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:si|se|if)\s+(?:(?:yo|eu|i|we|nosotros|nosotras|a gente)\s+)?(?:(?:te|le|les|lhe|lhes|me|you)\s+)?(?:compro|compramos|comprara|comprar|comprarmos|compre|llevo|llevamos|llevara|levo|levamos|levar|levarmos|pido|pedimos|pedir|encargo|buy|order|get|take|purchase)\b",
    ])
});

/// Any negation: an item named next to one is not a claim by default.
pub(super) static NEGATED: LazyLock<Regex> = LazyLock::new(|| any_of(&[r"\b(?:no|nao|nem|ni|not|dont|never|nunca|jamas|nope|nah)\b"]));

/// A negation in `t`; Portuguese "no" is "in the" ("põe no meu carrinho"), not a negation.
pub(super) fn negated(t: &str, lang: Lang) -> bool {
    NEGATED.find_iter(t).any(|m| !(lang == Lang::Pt && m.as_str() == "no"))
}

/// Question words anywhere in the comment; they make a question only after a conditional
/// ("if I order today when does it arrive").
pub(super) static WH: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\b(?:cuando|cuanto|cuanta|donde|cual|when|how|where|what|which|quando|quanto|onde|qual)\b"]));

/// A want verb and the word after it, to tell "quero é ganhar na mega sena" or "I want to sleep"
/// from a claim: group 1 is a Spanish/Portuguese word, group 2 an English verb.
#[rustfmt::skip]
pub(super) static WANT_TO: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:quiero|kiero|quero|queria|quisiera)\s+(?:(?:e|es|mesmo|mismo|solo|so)\s+)?([a-z]+)",
        r"\b(?:want to|wanna|wanted to|would like to|id like to)\s+(?:(?:just|really)\s+)?([a-z]+)",
    ])
});
/// Verbs that keep "quiero …"/"want to …" a claim.
pub(super) const BUY_VERBS: &[&str] = &[
    "comprar", "llevar", "levar", "reservar", "apartar", "separar", "pedir", "encargar", "quedar", "ficar", "pegar", "garantir",
    "asegurar", "tener", "ter", "tomar", "agarrar", "anotar", "apuntar", "fechar", "buy", "get", "take", "have", "order", "grab",
    "reserve", "purchase", "keep", "claim", "secure", "cop",
];

/// "es mío", "são meus", "it's mine": the speaker says the item is theirs. Portuguese "é minha"
/// may open a noun phrase ("é minha cor favorita"), so there it must end the clause.
#[rustfmt::skip]
pub(super) static OWN: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:es|son|sera|seran|is|are|its|theyre|thats|those are|these are)\s+(?:todo |toda |todos |todas |all )?(?:mio|mia|mios|mias|mine)\b",
        r"\b(?:e|eh|sao|ta|fica|ficam)\s+(?:todo |toda |todos |todas )?(?:meu|meus|minha|minhas)\s*(?:$|,|\b(?:o|a|os|as|esse|essa|esses|essas|isso|sim|viu|visse|ne|hein|hem|ok|k+|rs\w*|ja\w*|mana|amiga|gata|gente|pfv\w*|pf|pls|obg|obrigad\w*)\b)",
    ])
});

/// "para mí", "pra mim", "for me": a claim unless the comment is a question.
pub(super) static FOR_ME: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\b(?:para|pa|pra|p|for) (?:mi|mim|me)\b", r"\b(?:pami|parami|pramim)\b"]));

/// One-word claims ("yo", "mío", "sold", "me!!"): they count only when nothing else is said.
#[rustfmt::skip]
pub(super) static WEAK: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"^(?:yo+|eu+|me+|mi+ne+|mi+[oa]+s?|mi+nha+s?|meu+s?|so+ld|vendid[oa]s?|ye+s+|si+|si+m+|listo|aqui|here|presente)$",
    ])
});

/// Price, stock and availability words: a question even without "?".
#[rustfmt::skip]
pub(super) static Q_TOPIC: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\b(?:precio|precios|valor|cuanto|cuanta|cuestan?|quanto|preco|precos|custa|price|prices|how much|costo)\b",
        r"\b(?:hay|tiene|tienen|tienes|tem|stock|viene|vienen|vem|comes? in|disponibles?|disponivel|available)\b",
        r"\bquedan? (?:stock|en|talla|algun\w*|uno|una|el|la|del|de|mas)\b",
        r"\b(?:ainda tem|tem ainda|still have|sold out|agotad[oa]s?|esgotad[oa]s?|se vendio|ja vendeu)\b",
        r"\b(?:info|informacion|informacao|medidas|measurements)\b",
    ])
});

/// Idioms built on a stock verb that ask nothing ("la Vale tiene razón", "tem que ser meu").
pub(super) static NOT_ASKING: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\b(?:tiene|tienes|tienen|tenes|tem|tens|hay)\s+(?:toda la |toda )?(?:razon|razao|que|q)\b"]));

/// A closing "pode ser?", "ok?", "vale?" only asks the seller to confirm what came before.
#[rustfmt::skip]
pub(super) static CONFIRM_TAG: LazyLock<Regex> = LazyLock::new(|| {
    any_of(&[
        r"\s(?:, )?(?:pode ser|puede ser|podria ser|se puede|si se puede|ok|okay|oki|vale|dale|va|si|sim|ta|ya|bueno|yes|right|please|pls|porfa|plis|can i|could i|is that ok|is that okay|de boa|beleza|blz|rola|da pra|sera)\s*\?\s*$",
    ])
});

/// Politeness that turns a bare mention into a request ("el batom nude pfvr").
pub(super) static POLITE: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"\b(?:porfa|porfi|porfis|porfavor|por favor|pf|pfv|pfvr|pls|plz|please|plis|pliss|xfa|xfavor|x favor)\b"]));

/// Openers that make a question even without "?" ("tiene en M", "do you ship").
#[rustfmt::skip]
pub(super) static Q_LEAD: LazyLock<Regex> = LazyLock::new(|| {
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
pub(super) static COMPLIMENT: LazyLock<Regex> = LazyLock::new(|| {
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
pub(super) static EXCLAIM: LazyLock<Regex> =
    LazyLock::new(|| any_of(&[r"^(?:ay |uy |ai |oh |wow |nossa |mira )?(?:que|q|ke|what an?) (\w+)"]));
pub(super) const NOT_EXCLAIMED: &[&str] = &[
    "me", "te", "le", "lo", "la", "los", "las", "se", "sea", "sean", "seja", "no", "nao", "tal", "talla", "tamanho", "numero", "precio",
    "preco", "color", "cor", "size", "colour", "hay", "tem", "tiene", "onda", "pasa", "paso", "horas", "dia",
];

/// Praise words, or an exclamation.
pub(super) fn praises(t: &str) -> bool {
    COMPLIMENT.is_match(t) || EXCLAIM.captures(t).is_some_and(|c| !NOT_EXCLAIMED.contains(&&c[1]))
}

/// Payment notices and stories about past purchases.
#[rustfmt::skip]
pub(super) static PAST_OR_PAID: LazyLock<Regex> = LazyLock::new(|| {
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
