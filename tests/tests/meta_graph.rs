//! The Graph API client against a local server speaking Meta's wire format.
use shared::adapters::meta_graph::MetaMessenger;
use shared::domain::ids::{CommentId, PageId};
use shared::domain::outbound::SendError;
use shared::domain::secret::SecretString;
use shared::ports::{Delivered, Messenger};
use std::time::Duration;
use testkit::graph::{FakeGraph, Scripted};

fn ids(comment: &str) -> (PageId, CommentId) {
    (PageId::parse("P1").expect("page"), CommentId::parse(comment).expect("comment"))
}

async fn client(graph: &FakeGraph) -> MetaMessenger {
    MetaMessenger::new(&graph.base_url, Duration::from_secs(2)).expect("client")
}

#[tokio::test]
async fn a_private_reply_is_posted_in_metas_shape_with_a_bearer_token() {
    let graph = FakeGraph::start("EAAB").await;
    let (page, comment) = ids("C1");
    let sent = client(&graph).await.private_reply(&page, &SecretString::new("EAAB"), &comment, "¡Hola!").await;
    assert_eq!(sent, Ok(Delivered { message_id: Some("m_0".to_string()), recipient_id: Some("psid-C1".to_string()) }));
    let replies = graph.replies();
    assert_eq!((replies[0].account.as_str(), replies[0].comment_id.as_str(), replies[0].text.as_str()), ("P1", "C1", "¡Hola!"));
    assert!(graph.malformed().is_empty());
}

#[tokio::test]
async fn a_second_reply_to_the_same_comment_is_already_replied() {
    let graph = FakeGraph::start("EAAB").await;
    let (page, comment) = ids("C1");
    let c = client(&graph).await;
    let token = SecretString::new("EAAB");
    c.private_reply(&page, &token, &comment, "one").await.expect("first");
    assert_eq!(c.private_reply(&page, &token, &comment, "two").await, Err(SendError::AlreadyReplied));
    assert_eq!(graph.replies().len(), 1);
}

#[tokio::test]
async fn graph_errors_are_sorted_by_what_to_do_next() {
    let graph = FakeGraph::start("EAAB").await;
    graph.script([
        Scripted::Error { status: 400, code: 4, subcode: None, retry_after: Some(3) },
        Scripted::Error { status: 500, code: 2, subcode: None, retry_after: None },
        Scripted::Error { status: 400, code: 10903, subcode: None, retry_after: None },
        Scripted::Error { status: 400, code: 10, subcode: Some(2018278), retry_after: None },
        Scripted::Error { status: 503, code: 1, subcode: None, retry_after: None },
    ]);
    let c = client(&graph).await;
    let token = SecretString::new("EAAB");
    let (page, comment) = ids("C1");
    let mut got = Vec::new();
    for _ in 0..5 {
        got.push(c.private_reply(&page, &token, &comment, "x").await);
    }
    assert!(
        matches!(&got[0], Err(SendError::Throttled { code: Some(4), retry_after: Some(d), .. }) if *d == Duration::from_secs(3)),
        "{:?}",
        got[0]
    );
    assert!(matches!(&got[1], Err(SendError::Temporary { code: Some(2), .. })), "{:?}", got[1]);
    assert!(matches!(&got[2], Err(SendError::Final { code: Some(10903), .. })), "{:?}", got[2]);
    assert!(matches!(&got[3], Err(SendError::Final { code: Some(10), message, .. }) if message.contains("2018278")), "{:?}", got[3]);
    assert!(matches!(&got[4], Err(SendError::Temporary { .. })), "{:?}", got[4]);
    assert!(graph.replies().is_empty());
}

#[tokio::test]
async fn a_wrong_token_is_token_invalid() {
    let graph = FakeGraph::start("EAAB").await;
    let (page, comment) = ids("C1");
    let got = client(&graph).await.private_reply(&page, &SecretString::new("expired"), &comment, "x").await;
    assert!(matches!(got, Err(SendError::TokenInvalid { code: Some(190), .. })), "{got:?}");
}

#[tokio::test]
async fn an_unreachable_or_slow_graph_is_temporary() {
    let graph = FakeGraph::start("EAAB").await;
    graph.script([Scripted::Delay(Duration::from_secs(5))]);
    let (page, comment) = ids("C1");
    let slow = MetaMessenger::new(&graph.base_url, Duration::from_millis(300)).expect("client");
    let got = slow.private_reply(&page, &SecretString::new("EAAB"), &comment, "x").await;
    assert!(matches!(got, Err(SendError::Temporary { .. })), "{got:?}");
    let nowhere = MetaMessenger::new("http://127.0.0.1:9/v21.0", Duration::from_millis(300)).expect("client");
    let got = nowhere.private_reply(&page, &SecretString::new("EAAB"), &comment, "x").await;
    assert!(matches!(got, Err(SendError::Temporary { .. })), "{got:?}");
}

#[tokio::test]
async fn a_message_to_a_buyer_goes_to_their_messaging_id_as_a_response() {
    let graph = FakeGraph::start("EAAB").await;
    let page = PageId::parse("P1").expect("page");
    let sent = client(&graph).await.send_message(&page, &SecretString::new("EAAB"), "psid-42", "¡Pago recibido!").await;
    assert_eq!(sent.map(|d| d.recipient_id), Ok(Some("psid-42".to_string())));
    let m = graph.messages();
    assert_eq!((m[0].account.as_str(), m[0].recipient.as_str(), m[0].text.as_str()), ("P1", "psid-42", "¡Pago recibido!"));
    assert!(graph.replies().is_empty(), "not a private reply");
}
