use super::*;

pub async fn a_comment_is_recorded_once_and_redeliveries_are_counted(store: Arc<dyn Store>) {
    setup(&store).await;
    let c = comment("C1", "U1", "A12 M");
    assert_eq!(store.record(&c, Some(&page()), "1-0").await.expect("record"), Recorded::New);
    assert_eq!(store.record(&c, Some(&page()), "1-0").await.expect("record"), Recorded::Retry, "same entry again is a stage retry");
    assert_eq!(store.record(&c, Some(&page()), "2-0").await.expect("record"), Recorded::Duplicate);
    assert_eq!(store.record(&c, Some(&page()), "3-0").await.expect("record"), Recorded::Duplicate);
    let counts = store.counts(Some(&page())).await.expect("counts");
    assert_eq!((counts.comments, counts.duplicates), (1, 2));
    let stored = store.load(&c.key()).await.expect("load").expect("exists");
    assert_eq!((stored.state, stored.comment.text.as_str()), (CommentState::Received, "A12 M"));
}

pub async fn an_edit_changes_the_text_and_reopens_a_classified_comment(store: Arc<dyn Store>) {
    setup(&store).await;
    let c = comment("C1", "U1", "A12 M");
    store.record(&c, Some(&page()), "1-0").await.expect("record");
    let edited = Comment { text: "A12 S".into(), ..c.clone() };
    assert_eq!(store.apply_edit(&edited).await.expect("edit"), EditOutcome::Applied);
    assert!(!store.save_classification(&c.key(), "A12 M", &cls(Intent::Purchase)).await.expect("save"), "stale text is refused");
    assert!(store.save_classification(&c.key(), "A12 S", &cls(Intent::Purchase)).await.expect("save"));
    // Classified already: the new text goes back to intent, as a new revision.
    let late = Comment { text: "A12 L".into(), ..c.clone() };
    assert_eq!(store.apply_edit(&late).await.expect("edit"), EditOutcome::Reopened);
    let stored = store.load(&c.key()).await.expect("load").expect("exists");
    assert_eq!((stored.comment.text.as_str(), stored.state, stored.revision), ("A12 L", CommentState::Received, 1));
    assert!(!stored.needs_redecision(), "never acted on: nothing to decide again");
    let unknown = comment("C9", "U9", "x");
    assert_eq!(store.apply_edit(&unknown).await.expect("edit"), EditOutcome::Unknown);
    assert_eq!(store.counts(Some(&page())).await.expect("counts").edits, 2);
}

pub async fn removing_a_comment_cancels_its_unpaid_claims(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    store.reserve(&reserve_req(&a, 0, "A12-S", 2, t0())).await.expect("reserve");
    let removed = store.remove(&a.comment, t0(), TTL).await.expect("remove");
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].status, ClaimStatus::Cancelled);
    assert_eq!(available(&store, "A12-S").await, 3);
    assert!(store.remove(&a.comment, t0(), TTL).await.expect("remove again").is_empty());
    // A claim arriving after the removal (a retry racing it) is stored cancelled, not reserved.
    let late = store.reserve(&reserve_req(&a, 1, "A12-S", 1, t0())).await.expect("reserve");
    assert_eq!(late.status, ClaimStatus::Cancelled);
    assert_eq!(available(&store, "A12-S").await, 3);
    assert_eq!(store.load(&a.comment).await.expect("load").expect("exists").state, CommentState::Removed);
}

pub async fn an_edit_reopens_a_claimed_comment_but_not_one_whose_claims_are_over(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    store.reserve(&reserve_req(&a, 0, "A12-S", 1, t0())).await.expect("reserve");
    assert!(store.mark_acted(&a.comment).await.expect("acted"));
    let edited = Comment { text: "A12 M".into(), ..comment("C1", "U1", "") };
    assert_eq!(store.apply_edit(&edited).await.expect("edit"), EditOutcome::Reopened);
    let stored = store.load(&a.comment).await.expect("load").expect("exists");
    assert_eq!((stored.state, stored.revision, stored.acted_revision), (CommentState::Received, 1, Some(0)));
    assert!(stored.needs_redecision());
    // A comment whose claims all ended: the edit is kept, the seller told, nothing else changes.
    let b = new_comment(&store, "C2", "U2", Intent::Purchase).await;
    store.reserve(&reserve_req(&b, 0, "A12-S", 1, t0())).await.expect("reserve");
    store.mark_acted(&b.comment).await.expect("acted");
    store.remove(&b.comment, t0(), TTL).await.expect("remove");
    let late = Comment { text: "A12 M".into(), ..comment("C2", "U2", "") };
    assert_eq!(store.apply_edit(&late).await.expect("edit"), EditOutcome::RecordedOnly);
    let q = new_comment(&store, "C3", "U3", Intent::Question).await;
    store.mark_acted(&q.comment).await.expect("acted");
    let asked = Comment { text: "precio?".into(), ..comment("C3", "U3", "") };
    assert_eq!(store.apply_edit(&asked).await.expect("edit"), EditOutcome::RecordedOnly);
    let notices = store.notices(&page()).await.expect("notices");
    assert!(notices.iter().any(|n| n.kind == "edited" && n.message.contains("C3")), "{notices:?}");
}

pub async fn a_removal_that_arrives_first_holds_the_comment_back(store: Arc<dyn Store>) {
    setup(&store).await;
    let c = comment("C1", "U1", "quiero A12 M");
    assert!(store.remove(&c.key(), t0(), TTL).await.expect("remove").is_empty(), "nothing to cancel yet");
    assert!(store.remove(&c.key(), t0(), TTL).await.expect("remove again").is_empty(), "idempotent");
    assert_eq!(store.record(&c, Some(&page()), "e-1").await.expect("record"), Recorded::Removed);
    assert_eq!(store.record(&c, Some(&page()), "e-1").await.expect("retry"), Recorded::Removed, "a stage retry sees it removed too");
    assert_eq!(store.record(&c, Some(&page()), "e-2").await.expect("redelivery"), Recorded::Duplicate);
    let stored = store.load(&c.key()).await.expect("load").expect("exists");
    assert_eq!((stored.state, stored.comment.text.as_str()), (CommentState::Removed, "quiero A12 M"));
    assert!(!store.save_classification(&c.key(), &c.text, &cls(Intent::Purchase)).await.expect("save"), "never classified");
    // A claim racing the removal is stored cancelled.
    let origin =
        ClaimOrigin { comment: c.key(), page: page(), live: c.live_id.clone(), buyer: c.author_id.clone(), buyer_name: "B".into() };
    assert_eq!(store.reserve(&reserve_req(&origin, 0, "A12-M", 1, t0())).await.expect("reserve").status, ClaimStatus::Cancelled);
    assert_eq!(available(&store, "A12-M").await, 20);
}
