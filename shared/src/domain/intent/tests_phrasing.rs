//! The rules on phrasings found in independently written comments (each a general rule, no
//! per-comment case).
use super::tests::*;
use super::*;
use Intent::*;

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
