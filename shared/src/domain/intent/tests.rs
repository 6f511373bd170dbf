//! The rules on their own: spellings, names, quantities, grouping, intents, languages.
use super::*;
use Intent::*;

/// A cut-down copy of the shared sample catalog with the same traps: two dresses, two
/// poleras, codes sharing a number, "rojo" on several products, tones on the foundation.
pub(super) const SAMPLE: &str = r#"{"currency":"CLP","current_product":"B3","products":[
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

pub(super) fn index_of(json: &str) -> CatalogIndex {
    CatalogIndex::new(&Catalog::from_json(json).expect("catalog parses"))
}

/// Claims as "CODE QTY SIZE COLOUR" joined by ", ", with "-" for none: "A12 1 M -".
pub(super) fn claims_text(c: &Classification) -> String {
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let one = |c: &ClaimSpec| format!("{} {} {} {}", dash(&c.code), c.qty, dash(&c.size), dash(&c.color));
    c.claims.iter().map(one).collect::<Vec<_>>().join(", ")
}

/// Each case: comment, expected intent, expected claims in `claims_text` form.
pub(super) fn check(cases: &[(&str, Intent, &str)]) {
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
        // Any count marked with "x" is a quantity (the reserve stage refuses one over its cap).
        ("A12 M x500", Purchase, "A12 500 M -"),
        // A negative number is no quantity.
        ("quiero -2 A12 M", Purchase, "A12 1 M -"),
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
