//! Every store behaviour, on each backend: SQLite always, PostgreSQL when
//! `BULLETIN_TEST_DATABASE_URL` names a server (each run in a fresh schema,
//! dropped at the end). Without it the PostgreSQL cases say they are
//! skipped; under CI (`CI` set) they fail instead.

mod backends;

use bulletin_core::{Author, ItemId, RelatedLink, SourceId};
use bulletin_store::{
    FetchOutcome, ItemOrder, ItemQuery, NewItem, NewSource, Store, StoreError, WebSubState,
    WebSubscription,
};
use chrono::{DateTime, Utc};

fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).expect("a valid time")
}

store_tests!(
    a_feed_that_moved_for_good_gets_its_new_url_after_three_fetches,
    a_paused_source_waits_for_a_fetch_of_all,
    filters_by_author_name_in_any_case,
    stores_once_and_pages_without_gaps,
    keeps_a_websub_subscription_per_source,
    searches_words_not_syntax,
    searches_in_each_items_language_and_ranks_by_relevance,
    knows_items_by_guid_in_its_source_or_by_url_anywhere,
    workers_claim_each_due_source_once_until_the_lease_ends,
    keeps_accounts_sessions_and_api_tokens,
    prunes_old_items_nobody_starred_in_batches,
    pages_a_common_word_newest_first_without_gaps,
    manages_accounts_disabling_roles_tokens_and_removal,
    counts_sign_in_failures_by_account_and_address,
    keeps_every_revision_of_a_post,
    stores_concurrent_batches_once_each,
    stores_a_fetchs_items_and_its_record_together,
    files_items_in_stories_merges_them_and_marks_duplicates,
    keeps_a_change_log_a_reader_can_resume,
    logs_concurrent_writers_changes_in_commit_order,
    keeps_hub_subscriptions_until_they_expire,
    pages_originals_across_filed_and_unfiled_items,
    keeps_claims_and_merges_their_speakers_across_items,
    keeps_an_items_related_links_and_finds_items_by_url,
);

/// A new source with this feed URL and nothing else.
async fn source_at(store: &dyn Store, url: &str) -> SourceId {
    store
        .add_source(NewSource {
            url: url.into(),
            ..Default::default()
        })
        .await
        .unwrap()
}

/// A successful fetch at `at` that changed nothing but, perhaps, the
/// permanent redirect seen.
fn fetched(at: DateTime<Utc>, moved_to: Option<&str>) -> FetchOutcome {
    FetchOutcome::Success {
        at,
        title: None,
        site_url: None,
        kind: None,
        etag: None,
        last_modified: None,
        ttl_minutes: None,
        warning: None,
        next_fetch_at: at,
        moved_to: moved_to.map(str::to_string),
        move_after: 3,
    }
}

fn item(n: i64, url: &str) -> NewItem {
    NewItem {
        guid: Some(format!("g{n}")),
        url: Some(url.to_string()),
        canonical_url: Some(url.to_string()),
        title: Some(format!("Item number {n}")),
        published_at: from_ms(1_700_000_000_000 + (n % 7) * 1000),
        authors: vec![Author::named("Jane")],
        text: format!("body text {n} about elephants"),
        ..NewItem::default()
    }
}

async fn a_feed_that_moved_for_good_gets_its_new_url_after_three_fetches(store: &dyn Store) {
    let id = source_at(store, "http://old.example/feed").await;
    let other = source_at(store, "http://c.example/feed").await;
    let taken = source_at(store, "http://taken.example/feed").await;
    let now = Utc::now();
    let ok = |moved_to: Option<&str>| fetched(now, moved_to);
    let url_of = |id| {
        let store = &store;
        async move { store.source(id).await.unwrap().unwrap().url }
    };
    for _ in 0..2 {
        store
            .record_fetch(id, ok(Some("https://new.example/feed")))
            .await
            .unwrap();
    }
    assert_eq!(
        url_of(id).await,
        "http://old.example/feed",
        "two sightings are not enough"
    );
    // A fetch without the redirect starts the count again.
    store.record_fetch(id, ok(None)).await.unwrap();
    for _ in 0..2 {
        store
            .record_fetch(id, ok(Some("https://new.example/feed")))
            .await
            .unwrap();
    }
    assert_eq!(url_of(id).await, "http://old.example/feed");
    store
        .record_fetch(id, ok(Some("https://new.example/feed")))
        .await
        .unwrap();
    assert_eq!(url_of(id).await, "https://new.example/feed");
    // Never onto an address another source already follows.
    for _ in 0..4 {
        store
            .record_fetch(other, ok(Some("http://taken.example/feed")))
            .await
            .unwrap();
    }
    assert_eq!(url_of(other).await, "http://c.example/feed");
    assert_eq!(url_of(taken).await, "http://taken.example/feed");
}

async fn a_paused_source_waits_for_a_fetch_of_all(store: &dyn Store) {
    let id = store
        .add_source(NewSource {
            url: "http://down.example/feed".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let now = Utc::now();
    let fail = |pause| FetchOutcome::Failure {
        at: now,
        error: "connection refused".into(),
        next_fetch_at: now,
        pause,
    };
    store.record_fetch(id, fail(false)).await.unwrap();
    assert_eq!(store.due_sources(now, false).await.unwrap().len(), 1);
    store.record_fetch(id, fail(true)).await.unwrap();
    let source = store.source(id).await.unwrap().unwrap();
    assert!(source.paused_at.is_some());
    assert_eq!(source.error_count, 2, "kept, not deleted, with its history");
    assert!(store.due_sources(now, false).await.unwrap().is_empty());
    assert_eq!(store.due_sources(now, true).await.unwrap().len(), 1);
    store.record_fetch(id, fetched(now, None)).await.unwrap();
    assert!(store.source(id).await.unwrap().unwrap().paused_at.is_none());
    assert_eq!(store.due_sources(now, false).await.unwrap().len(), 1);
}

async fn filters_by_author_name_in_any_case(store: &dyn Store) {
    let src = store
        .add_source(NewSource {
            url: "http://b.example/feed".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let items: Vec<NewItem> = (0..12)
        .map(|n| {
            let mut it = item(n, &format!("http://b.example/{n}"));
            it.authors = match n % 3 {
                0 => vec![Author::named("Ana Ruiz"), Author::named("Jane")],
                1 => vec![Author::named("Jane")],
                _ => Vec::new(),
            };
            it
        })
        .collect();
    store.insert_items(src, items).await.unwrap();
    let by = |name: &str, limit: usize, cursor: Option<String>| ItemQuery {
        limit,
        cursor,
        author: Some(name.to_string()),
        ..Default::default()
    };
    let ana = store.items(by("ana ruiz", 50, None)).await.unwrap();
    assert_eq!(ana.items.len(), 4);
    // Searching one author's items.
    let searched = store
        .items(ItemQuery {
            limit: 50,
            author: Some("jane".into()),
            search: Some("elephants".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(searched.items.len(), 8);
    assert!(searched.items.iter().all(|i| i.snippet.is_some()));
    assert!(
        ana.items
            .iter()
            .all(|i| i.authors.iter().any(|a| a.name == "Ana Ruiz"))
    );
    // Pages of an author's items neither skip nor repeat.
    let first = store.items(by("Jane", 5, None)).await.unwrap();
    let cursor = first.next_cursor.clone();
    let second = store.items(by("Jane", 5, cursor)).await.unwrap();
    let mut ids: Vec<_> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|i| i.id)
        .collect();
    ids.sort_by_key(|id| id.0);
    ids.dedup();
    assert_eq!(ids.len(), 8);
    assert!(
        store
            .items(by("Nobody", 5, None))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn stores_once_and_pages_without_gaps(store: &dyn Store) {
    let src = store
        .add_source(NewSource {
            url: "http://a.example/feed".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_source(NewSource {
                url: "http://a.example/feed".into(),
                ..Default::default()
            })
            .await,
        Err(StoreError::DuplicateSource(_))
    ));
    let items: Vec<NewItem> = (0..45)
        .map(|n| item(n, &format!("http://a.example/{n}")))
        .collect();
    assert_eq!(store.insert_items(src, items.clone()).await.unwrap(), 45);
    // The same entries again, and one under a new GUID but a known URL.
    assert_eq!(store.insert_items(src, items).await.unwrap(), 0);
    let mut dup = item(99, "http://a.example/3");
    dup.guid = Some("other".into());
    assert_eq!(store.insert_items(src, vec![dup]).await.unwrap(), 0);

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .items(ItemQuery {
                limit: 10,
                cursor: cursor.clone(),
                ..Default::default()
            })
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|i| i.id));
        // New items arriving between pages must not disturb the walk.
        store
            .insert_items(
                src,
                vec![item(
                    1000 + seen.len() as i64,
                    &format!("http://a.example/new{}", seen.len()),
                )],
            )
            .await
            .unwrap();
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "an item was repeated");
    assert!(seen.len() >= 45);

    // Every item (the 45 and those that arrived during the walk) was
    // published within the same seven seconds.
    let activity = store
        .daily_activity(from_ms(1_700_000_000_000 + 6000), 2)
        .await
        .unwrap();
    assert!(activity.iter().all(|(s, day, _)| *s == src && *day < 2));
    assert_eq!(
        activity.iter().map(|(_, _, n)| n).sum::<u64>(),
        store.item_count().await.unwrap()
    );

    let found = store
        .items(ItemQuery {
            limit: 100,
            search: Some("elephants 7".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].title.as_deref(), Some("Item number 7"));

    let sources = store.sources().await.unwrap();
    assert!(sources[0].item_count >= 45);
    assert!(store.remove_source(src).await.unwrap());
    assert_eq!(store.item_count().await.unwrap(), 0);
    let none = store
        .items(ItemQuery {
            limit: 10,
            search: Some("elephants".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(none.items.is_empty());
}

async fn keeps_a_websub_subscription_per_source(store: &dyn Store) {
    let src = store
        .add_source(NewSource {
            url: "http://pushed.example/feed".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(store.websub(src).await.unwrap(), None);
    let now = from_ms(1_700_000_000_123);
    let mut sub = WebSubscription {
        source: src,
        hub: "https://hub.example/".into(),
        topic: "http://pushed.example/feed".into(),
        secret: "s".repeat(48),
        callback_token: "t0k3n".into(),
        state: WebSubState::Pending,
        requested_at: now,
        lease_expires_at: None,
        last_error: None,
        last_push_at: None,
    };
    store.save_websub(sub.clone()).await.unwrap();
    assert_eq!(store.websub(src).await.unwrap().as_ref(), Some(&sub));
    sub.state = WebSubState::Active;
    sub.lease_expires_at = Some(from_ms(1_700_864_000_123));
    store.save_websub(sub.clone()).await.unwrap();
    assert_eq!(
        store.websub_by_token("t0k3n".into()).await.unwrap(),
        Some(sub)
    );
    assert_eq!(store.websub_by_token("other".into()).await.unwrap(), None);
    assert!(store.remove_source(src).await.unwrap());
    assert_eq!(store.websub_by_token("t0k3n".into()).await.unwrap(), None);
}

/// Stores one item per (headline, body, language) in `source`, a second
/// apart, oldest first.
async fn store_texts(store: &dyn Store, source: SourceId, texts: &[(&str, &str, Option<&str>)]) {
    let items: Vec<NewItem> = texts
        .iter()
        .enumerate()
        .map(|(n, (title, text, lang))| NewItem {
            guid: Some(format!("t{n}")),
            title: Some(title.to_string()),
            text: text.to_string(),
            lang: lang.map(str::to_string),
            published_at: from_ms(1_700_000_000_000 + n as i64 * 1000),
            ..NewItem::default()
        })
        .collect();
    store.insert_items(source, items).await.unwrap();
}

async fn searches_words_not_syntax(store: &dyn Store) {
    let src = store
        .add_source(NewSource {
            url: "http://search.example/feed".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let texts = [
        (
            "Rail strike ends",
            "Trains run again on Monday.",
            Some("en"),
        ),
        (
            "Grève du rail",
            "Les trains circulent à nouveau.",
            Some("fr"),
        ),
        (
            "Budget vote",
            "Parliament passed the budget; rail money was cut.",
            None,
        ),
        (
            "Tags",
            "A <script> tag & a rail <b>token</b> in plain text.",
            None,
        ),
    ];
    store_texts(store, src, &texts).await;
    let search = |q: &str| {
        let q = q.to_string();
        async move {
            let mut titles: Vec<String> = store
                .items(ItemQuery {
                    limit: 10,
                    search: Some(q),
                    ..Default::default()
                })
                .await
                .unwrap()
                .items
                .into_iter()
                .filter_map(|i| i.title)
                .collect();
            titles.sort();
            titles
        }
    };
    assert_eq!(
        search("rail").await,
        ["Budget vote", "Grève du rail", "Rail strike ends", "Tags"]
    );
    // Each result says where it matched: its snippet's text, and the spans
    // of it that matched.
    let page = store
        .items(ItemQuery {
            limit: 10,
            search: Some("rail".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    for item in &page.items {
        let snippet = item.snippet.clone().unwrap_or_default();
        let marked = marked(&snippet);
        assert!(marked.to_lowercase().contains("[rail]"), "{marked}");
    }
    // The text is the item's text as it is: marking it up is the reader's
    // business.
    let tags = page
        .items
        .iter()
        .find(|i| i.title.as_deref() == Some("Tags"))
        .and_then(|i| i.snippet.clone())
        .unwrap();
    assert!(
        tags.text.contains("<script>") && tags.text.contains('&'),
        "{tags:?}"
    );
    let plain = store
        .items(ItemQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(plain.items.iter().all(|i| i.snippet.is_none()));
    assert_eq!(
        search("trains").await,
        ["Grève du rail", "Rail strike ends"]
    );
    assert_eq!(search("budget rail").await, ["Budget vote"]);
    // The snippet is the body's passage when the body has the words, the
    // headline's otherwise (the headline is shown anyway).
    let trains = store
        .items(ItemQuery {
            limit: 10,
            search: Some("trains".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let strike = trains
        .items
        .iter()
        .find(|i| i.title.as_deref() == Some("Rail strike ends"))
        .and_then(|i| i.snippet.clone())
        .unwrap_or_default();
    assert_eq!(marked(&strike), "[Trains] run again on Monday.");
    // Query syntax is read as words, never as an error.
    assert_eq!(search("rail \"strike* -(").await, ["Rail strike ends"]);
    assert!(search("*** ::").await.is_empty());
    assert!(search("elephant").await.is_empty());
}

async fn searches_in_each_items_language_and_ranks_by_relevance(store: &dyn Store) {
    let src = store
        .add_source(NewSource {
            url: "http://languages.example/feed".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let texts = [
        // Oldest first.
        (
            "Harbour reopens",
            "The harbour reopened; harbour staff cheered the harbour master.",
            Some("en"),
        ),
        (
            "Ministers resigned",
            "Two ministers resigned on Tuesday.",
            Some("en"),
        ),
        (
            "Les élections",
            "Les élections municipales ont eu lieu.",
            Some("fr"),
        ),
        (
            "Wahlen in Berlin",
            "Die Wahlen fanden am Sonntag statt.",
            Some("de"),
        ),
        (
            "Weather",
            "Rain all week. Ships stayed near the harbour.",
            None,
        ),
        (
            "Markets",
            "Shares rose. A long day of trading ended near the old harbour in town.",
            Some("en"),
        ),
    ];
    store_texts(store, src, &texts).await;
    let search = |q: &str, order: ItemOrder, limit: usize, cursor: Option<String>| {
        let q = q.to_string();
        async move {
            let page = store
                .items(ItemQuery {
                    limit,
                    cursor,
                    order,
                    search: Some(q),
                    ..Default::default()
                })
                .await
                .unwrap();
            let titles: Vec<String> = page.items.into_iter().filter_map(|i| i.title).collect();
            (titles, page.next_cursor)
        }
    };
    // Other forms of a word find it, in the item's language.
    assert_eq!(
        search("minister", ItemOrder::Newest, 10, None).await.0,
        ["Ministers resigned"]
    );
    assert_eq!(
        search("resigning", ItemOrder::Newest, 10, None).await.0,
        ["Ministers resigned"]
    );
    assert_eq!(
        search("élection", ItemOrder::Newest, 10, None).await.0,
        ["Les élections"]
    );
    assert_eq!(
        search("Wahl", ItemOrder::Newest, 10, None).await.0,
        ["Wahlen in Berlin"]
    );
    // Newest first, or best match first: the headline and the most
    // mentions count, however old.
    assert_eq!(
        search("harbour", ItemOrder::Newest, 10, None).await.0,
        ["Markets", "Weather", "Harbour reopens"]
    );
    let (best, next) = search("harbour", ItemOrder::Relevance, 10, None).await;
    assert_eq!(best.len(), 3);
    assert_eq!(best[0], "Harbour reopens", "{best:?}");
    assert_eq!(next, None);
    // Pages by relevance follow on from an offset, each result once.
    let (first, next) = search("harbour", ItemOrder::Relevance, 2, None).await;
    assert_eq!(first, best[..2]);
    assert!(next.is_some(), "a next page");
    let (rest, last) = search("harbour", ItemOrder::Relevance, 2, next.clone()).await;
    assert_eq!(rest, best[2..]);
    assert_eq!(last, None);
    // A cursor is read by the store, for the order it was given out for:
    // any other is refused as such, never as a database failure.
    for (order, cursor) in [
        (ItemOrder::Newest, next.clone().unwrap_or_default()),
        (ItemOrder::Newest, "12.x".to_string()),
        (ItemOrder::Newest, "99999999999999999.1".to_string()),
        (ItemOrder::Relevance, "1700000000000.5".to_string()),
        (ItemOrder::Relevance, "r999999".to_string()),
    ] {
        let refused = store
            .items(ItemQuery {
                limit: 2,
                cursor: Some(cursor.clone()),
                order,
                search: Some("harbour".into()),
                ..Default::default()
            })
            .await;
        assert!(
            matches!(refused, Err(StoreError::InvalidCursor)),
            "{order:?} {cursor}: {refused:?}"
        );
    }
}

async fn knows_items_by_guid_in_its_source_or_by_url_anywhere(store: &dyn Store) {
    let a = source_at(store, "http://a.example/feed").await;
    let b = source_at(store, "http://b.example/feed").await;
    store
        .insert_items(a, vec![item(1, "http://a.example/1")])
        .await
        .unwrap();
    let key = |guid: Option<&str>, url: Option<&str>| bulletin_store::ItemKey {
        guid: guid.map(str::to_string),
        canonical_url: url.map(str::to_string),
    };
    let keys = vec![
        key(Some("g1"), None),
        key(Some("g2"), None),
        key(None, Some("http://a.example/1")),
        key(Some("new"), Some("http://a.example/new")),
        key(None, None),
    ];
    assert_eq!(
        store.known_items(a, keys.clone()).await.unwrap(),
        [true, false, true, false, false]
    );
    // Another source: its own GUIDs are its own, URLs are shared.
    assert_eq!(
        store.known_items(b, keys).await.unwrap(),
        [false, false, true, false, false]
    );
    assert!(store.known_items(b, Vec::new()).await.unwrap().is_empty());
}

async fn workers_claim_each_due_source_once_until_the_lease_ends(store: &dyn Store) {
    for n in 0..10 {
        store
            .add_source(NewSource {
                url: format!("http://s{n}.example/feed"),
                ..Default::default()
            })
            .await
            .unwrap();
    }
    let now = Utc::now();
    let claim = |worker: &str, limit: usize, at: DateTime<Utc>| bulletin_store::Claim {
        worker: worker.into(),
        now: at,
        lease_until: at + chrono::Duration::seconds(60),
        limit,
        all_since: None,
        all_after: bulletin_core::SourceId(0),
    };
    let a = store.claim_sources(claim("a", 4, now)).await.unwrap();
    let b = store.claim_sources(claim("b", 100, now)).await.unwrap();
    assert_eq!((a.len(), b.len()), (4, 6));
    let mut ids: Vec<i64> = a.iter().chain(&b).map(|s| s.id.0).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 10, "no source claimed twice");
    assert!(
        store
            .claim_sources(claim("c", 100, now))
            .await
            .unwrap()
            .is_empty()
    );

    // "a" records its fetches, except one: it crashed. The fetched ones are
    // no longer due; the other is taken over once its lease has run out.
    let later = now + chrono::Duration::minutes(30);
    for s in &a[..3] {
        store
            .record_fetch(s.id, fetched_at(now, later))
            .await
            .unwrap();
    }
    assert!(
        store
            .claim_sources(claim("c", 100, now))
            .await
            .unwrap()
            .is_empty()
    );
    let after_lease = now + chrono::Duration::seconds(61);
    let taken = store
        .claim_sources(claim("c", 100, after_lease))
        .await
        .unwrap();
    let mut taken_ids: Vec<i64> = taken.iter().map(|s| s.id.0).collect();
    taken_ids.sort_unstable();
    let mut expected: Vec<i64> = std::iter::once(a[3].id.0)
        .chain(b.iter().map(|s| s.id.0))
        .collect();
    expected.sort_unstable();
    assert_eq!(
        taken_ids, expected,
        "a's unfinished source and b's expired ones"
    );

    // A pass over all: every source not fetched since the pass began, due
    // or not, once.
    for s in &taken {
        store
            .record_fetch(s.id, fetched_at(after_lease, later))
            .await
            .unwrap();
    }
    let pass = after_lease + chrono::Duration::seconds(1);
    let all = |worker: &str| bulletin_store::Claim {
        all_since: Some(pass),
        ..claim(worker, 100, pass)
    };
    assert_eq!(store.claim_sources(all("d")).await.unwrap().len(), 10);
    assert!(store.claim_sources(all("e")).await.unwrap().is_empty());
}

/// A successful fetch at `at`, next due at `next`.
fn fetched_at(at: DateTime<Utc>, next: DateTime<Utc>) -> FetchOutcome {
    FetchOutcome::Success {
        at,
        title: None,
        site_url: None,
        kind: None,
        etag: None,
        last_modified: None,
        ttl_minutes: None,
        warning: None,
        next_fetch_at: next,
        moved_to: None,
        move_after: 3,
    }
}

async fn keeps_accounts_sessions_and_api_tokens(store: &dyn Store) {
    use bulletin_store::{NewUser, Role, Session};
    let ana = store
        .add_user(NewUser {
            name: "Ana".into(),
            role: Some(Role::Editor),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            display_name: Some("Ana Ruiz".into()),
            title: Some("Senior News Editor".into()),
            ..NewUser::default()
        })
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_user(NewUser {
                name: "ana".into(),
                ..NewUser::default()
            })
            .await,
        Err(StoreError::DuplicateUser(_))
    ));
    let found = store.user_by_name("ANA".into()).await.unwrap().unwrap();
    assert_eq!(found.id, ana);
    assert_eq!(found.role, Role::Editor);
    assert!(found.password_hash.starts_with("$argon2id$"));
    assert_eq!(found.title.as_deref(), Some("Senior News Editor"));
    assert!(store.user_by_name("bob".into()).await.unwrap().is_none());
    assert_eq!(store.users().await.unwrap().len(), 1);

    let now = Utc::now();
    let session = Session {
        token_hash: "h1".into(),
        user: ana,
        csrf_token: "c1".into(),
        created_at: now,
        expires_at: now + chrono::Duration::days(1),
    };
    store.create_session(session).await.unwrap();
    let (got, user) = store.session("h1".into(), now).await.unwrap().unwrap();
    assert_eq!((got.csrf_token.as_str(), user.id), ("c1", ana));
    let later = now + chrono::Duration::days(2);
    assert!(
        store.session("h1".into(), later).await.unwrap().is_none(),
        "expired"
    );
    store.delete_session("h1".into()).await.unwrap();
    assert!(store.session("h1".into(), now).await.unwrap().is_none());

    store
        .add_api_token(ana, "laptop".into(), "t1".into())
        .await
        .unwrap();
    assert_eq!(
        store
            .api_token_user("t1".into())
            .await
            .unwrap()
            .map(|u| u.id),
        Some(ana)
    );
    assert!(store.api_token_user("t2".into()).await.unwrap().is_none());
}

async fn prunes_old_items_nobody_starred_in_batches(store: &dyn Store) {
    use bulletin_store::{NewUser, Role};
    let src = store
        .add_source(NewSource {
            url: "http://old.example/feed".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let items: Vec<NewItem> = (0..30)
        .map(|n| NewItem {
            guid: Some(format!("p{n}")),
            title: Some(format!("Item {n}")),
            // One a day: items 0..=19 are older than twenty days.
            published_at: from_ms(1_700_000_000_000 + n * 86_400_000),
            ..NewItem::default()
        })
        .collect();
    store.insert_items(src, items).await.unwrap();
    let reader = store
        .add_user(NewUser {
            name: "reader".into(),
            role: Some(Role::Reader),
            password_hash: "x".into(),
            ..NewUser::default()
        })
        .await
        .unwrap();
    let page = store
        .items(ItemQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let id_of = |title: &str| {
        page.items
            .iter()
            .find(|i| i.title.as_deref() == Some(title))
            .map(|i| i.id)
            .unwrap()
    };
    store.set_star(reader, id_of("Item 3"), true).await.unwrap();
    store.set_star(reader, id_of("Item 4"), true).await.unwrap();
    store
        .set_star(reader, id_of("Item 4"), false)
        .await
        .unwrap();
    assert_eq!(
        store
            .starred(reader, vec![id_of("Item 3"), id_of("Item 4")])
            .await
            .unwrap(),
        [true, false]
    );
    let before = from_ms(1_700_000_000_000 + 20 * 86_400_000);
    let mut removed = Vec::new();
    loop {
        let n = store.prune_items(before, 7).await.unwrap();
        assert!(n <= 7);
        if n == 0 {
            break;
        }
        removed.push(n);
    }
    assert_eq!(
        removed.iter().sum::<usize>(),
        19,
        "twenty old items, one starred"
    );
    let left = store.item_count().await.unwrap();
    assert_eq!(left, 11);
    assert!(
        store.item(id_of("Item 3")).await.unwrap().is_some(),
        "starred, kept"
    );
    assert!(store.item(id_of("Item 4")).await.unwrap().is_none());
    // Pruned items are remembered: the feed that still lists them does
    // not bring them back.
    let known = store
        .known_items(
            src,
            vec![
                bulletin_store::ItemKey {
                    guid: Some("p4".into()),
                    canonical_url: None,
                },
                bulletin_store::ItemKey {
                    guid: Some("p99".into()),
                    canonical_url: None,
                },
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        known,
        [true, false],
        "a pruned GUID is known, a new one is not"
    );
}

async fn manages_accounts_disabling_roles_tokens_and_removal(store: &dyn Store) {
    use bulletin_store::{NewUser, Role, Session};
    let add = |name: &str| NewUser {
        name: name.into(),
        role: Some(Role::Editor),
        password_hash: "x".into(),
        ..NewUser::default()
    };
    let ana = store.add_user(add("ana")).await.unwrap();
    let bob = store.add_user(add("bob")).await.unwrap();
    let now = Utc::now();
    for (hash, user) in [("s-ana", ana), ("s-bob", bob)] {
        store
            .create_session(Session {
                token_hash: hash.into(),
                user,
                csrf_token: "c".into(),
                created_at: now,
                expires_at: now + chrono::Duration::days(1),
            })
            .await
            .unwrap();
    }
    store
        .add_api_token(ana, "phone".into(), "t-ana-1".into())
        .await
        .unwrap();
    let second = store
        .add_api_token(ana, "laptop".into(), "t-ana-2".into())
        .await
        .unwrap();

    // Roles.
    assert!(store.set_user_role(ana, Role::ChiefEditor).await.unwrap());
    assert_eq!(
        store.user(ana).await.unwrap().unwrap().role,
        Role::ChiefEditor
    );
    assert!(
        !store
            .set_user_role(bulletin_store::UserId(9999), Role::Admin)
            .await
            .unwrap()
    );

    // Disabled: no session, no token; enabled again, tokens work, the
    // session was ended.
    assert!(store.set_user_disabled(ana, true).await.unwrap());
    assert!(store.user(ana).await.unwrap().unwrap().disabled);
    assert!(store.session("s-ana".into(), now).await.unwrap().is_none());
    assert!(
        store
            .api_token_user("t-ana-1".into())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store.session("s-bob".into(), now).await.unwrap().is_some(),
        "others unaffected"
    );
    assert!(store.set_user_disabled(ana, false).await.unwrap());
    assert!(
        store
            .api_token_user("t-ana-1".into())
            .await
            .unwrap()
            .is_some()
    );
    assert!(store.session("s-ana".into(), now).await.unwrap().is_none());

    // Tokens: listed, one revoked, then all.
    let tokens = store.api_tokens(ana).await.unwrap();
    assert_eq!(
        tokens.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["phone", "laptop"]
    );
    assert!(tokens[0].last_used_at.is_some() && tokens[1].last_used_at.is_none());
    assert_eq!(
        store.revoke_api_tokens(bob, Some(second)).await.unwrap(),
        0,
        "not bob's"
    );
    assert_eq!(store.revoke_api_tokens(ana, Some(second)).await.unwrap(), 1);
    assert!(
        store
            .api_token_user("t-ana-2".into())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.revoke_api_tokens(ana, None).await.unwrap(), 1);
    assert!(
        store
            .api_token_user("t-ana-1".into())
            .await
            .unwrap()
            .is_none()
    );

    // Sessions ended on request.
    assert_eq!(store.end_sessions(bob).await.unwrap(), 1);
    assert!(store.session("s-bob".into(), now).await.unwrap().is_none());

    // Removal: refused while the account wrote posts.
    store.save_post(draft(ana, None, "Hi", now)).await.unwrap();
    assert!(matches!(
        store.remove_user(ana).await,
        Err(StoreError::InUse(_))
    ));
    assert!(store.remove_user(bob).await.unwrap());
    assert!(store.user(bob).await.unwrap().is_none());
    assert!(!store.remove_user(bob).await.unwrap());
}

async fn counts_sign_in_failures_by_account_and_address(store: &dyn Store) {
    let t0 = Utc::now() - chrono::Duration::minutes(30);
    let at = |m: i64| t0 + chrono::Duration::minutes(m);
    let fail = |account: &str, address: &str, m: i64| {
        store.record_login_failure(
            account.into(),
            address.into(),
            at(m),
            at(m) - chrono::Duration::hours(1),
        )
    };
    fail("ana", "10.0.0.1", 0).await.unwrap();
    fail("ana", "10.0.0.1", 1).await.unwrap();
    fail("ana", "10.0.0.2", 2).await.unwrap();
    fail("bob", "10.0.0.1", 3).await.unwrap();
    let f = store
        .login_failures("ana".into(), "10.0.0.1".into(), at(0))
        .await
        .unwrap();
    assert_eq!((f.pair, f.account, f.address), (2, 3, 3));
    assert_eq!(f.pair_last.map(|t| t.timestamp()), Some(at(1).timestamp()));
    assert_eq!(
        f.account_last.map(|t| t.timestamp()),
        Some(at(2).timestamp())
    );
    let later = store
        .login_failures("ana".into(), "10.0.0.1".into(), at(2))
        .await
        .unwrap();
    assert_eq!(
        (later.pair, later.account, later.address),
        (0, 1, 1),
        "counted since"
    );
    store
        .clear_login_failures("ana".into(), "10.0.0.1".into())
        .await
        .unwrap();
    let cleared = store
        .login_failures("ana".into(), "10.0.0.1".into(), at(0))
        .await
        .unwrap();
    assert_eq!((cleared.pair, cleared.account, cleared.address), (0, 1, 1));
    // Old failures are forgotten as new ones come.
    store
        .record_login_failure("ana".into(), "10.0.0.9".into(), at(200), at(100))
        .await
        .unwrap();
    let all = store
        .login_failures("ana".into(), "10.0.0.9".into(), at(-100))
        .await
        .unwrap();
    assert_eq!(all.account, 1, "the old ones were dropped");
}

async fn keeps_every_revision_of_a_post(store: &dyn Store) {
    use bulletin_store::{NewUser, PostRevision, PostState, Role};
    let ana = store
        .add_user(NewUser {
            name: "ana".into(),
            role: Some(Role::Editor),
            password_hash: "x".into(),
            ..NewUser::default()
        })
        .await
        .unwrap();
    let now = Utc::now();
    let post = store
        .save_post(draft(ana, Some("One"), "Text", now))
        .await
        .unwrap();
    for (n, changes) in [(1, "created"), (2, "headline")] {
        store
            .add_post_revision(PostRevision {
                id: 0,
                post,
                editor: Some(ana),
                saved_at: now + chrono::Duration::seconds(n),
                changes: changes.into(),
                headline: Some(format!("Headline {n}")),
                markdown: "Text".into(),
                image_url: None,
                image_caption: None,
                image_credit: None,
                state: PostState::Draft,
            })
            .await
            .unwrap();
    }
    let revisions = store.post_revisions(post).await.unwrap();
    assert_eq!(
        revisions
            .iter()
            .map(|r| r.changes.as_str())
            .collect::<Vec<_>>(),
        ["headline", "created"],
        "newest first"
    );
    assert_eq!(revisions[0].editor, Some(ana));
    assert_eq!(revisions[0].headline.as_deref(), Some("Headline 2"));
}

async fn pages_a_common_word_newest_first_without_gaps(store: &dyn Store) {
    let sources = [
        source_at(store, "http://one.example/feed").await,
        source_at(store, "http://two.example/feed").await,
    ];
    // 6,200 items, dates shuffled against ids; all but every 31st say
    // "common" (more than the walk threshold of SQLite's search).
    let total = 6_200i64;
    let mut expected: Vec<(i64, i64, usize)> = Vec::new(); // (date, n, source index)
    for (k, source) in sources.iter().enumerate() {
        let items: Vec<NewItem> = (0..total)
            .filter(|n| (*n as usize) % 2 == k)
            .map(|n| {
                let date = 1_700_000_000_000 + ((n * 7_919) % total) * 1000;
                if n % 31 != 0 {
                    expected.push((date, n, k));
                }
                NewItem {
                    guid: Some(format!("c{n}")),
                    title: Some(format!("n{n}")),
                    text: match (n % 31 == 0, (n * 7_919) % total < 40) {
                        (true, _) => "rare words only".into(),
                        // The forty oldest items also hold an old word.
                        (false, true) => format!("a common archive story number {n}"),
                        (false, false) => format!("a common story number {n}"),
                    },
                    published_at: from_ms(date),
                    ..NewItem::default()
                }
            })
            .collect();
        store.insert_items(*source, items).await.unwrap();
    }
    // Newest first; equal dates cannot happen here (the permutation).
    expected.sort_by_key(|e| std::cmp::Reverse(e.0));
    let walk = |source: Option<bulletin_core::SourceId>, word: &'static str, limit: usize| async move {
        let mut titles = Vec::new();
        let mut cursor = None;
        loop {
            let page = store
                .items(ItemQuery {
                    limit,
                    cursor: cursor.clone(),
                    source,
                    search: Some(word.into()),
                    ..Default::default()
                })
                .await
                .unwrap();
            titles.extend(page.items.iter().filter_map(|i| i.title.clone()));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return titles,
            }
        }
    };
    let all: Vec<String> = expected.iter().map(|(_, n, _)| format!("n{n}")).collect();
    assert_eq!(walk(None, "common", 250).await, all);
    let second: Vec<String> = expected
        .iter()
        .filter(|(_, _, k)| *k == 1)
        .map(|(_, n, _)| format!("n{n}"))
        .collect();
    assert_eq!(walk(Some(sources[1]), "common", 250).await, second);
    // Few matches, all among the oldest items: found all the same, one by
    // one (SQLite gives up walking the newest items and sorts them).
    let oldest: Vec<String> = expected
        .iter()
        .filter(|(date, n, _)| (date - 1_700_000_000_000) / 1000 < 40 && n % 31 != 0)
        .map(|(_, n, _)| format!("n{n}"))
        .collect();
    assert!(oldest.len() > 30);
    assert_eq!(walk(None, "archive", 1).await, oldest);
}

async fn stores_concurrent_batches_once_each(store: &dyn Store) {
    // Many sources' batches at once (the SQLite store commits waiting
    // batches together): every item is stored once, each caller is told
    // how many of its own were new, and every stored item is searchable.
    let mut sources = Vec::new();
    for n in 0..12 {
        sources.push(
            store
                .add_source(NewSource {
                    url: format!("http://many{n}.example/feed"),
                    ..Default::default()
                })
                .await
                .unwrap(),
        );
    }
    let batch = |s: usize| -> Vec<NewItem> {
        (0..25)
            .map(|i| {
                // Every source repeats one URL another source also has.
                let url = if i == 0 {
                    "http://shared.example/story".to_string()
                } else {
                    format!("http://many{s}.example/{i}")
                };
                NewItem {
                    guid: Some(format!("c{s}-{i}")),
                    title: Some(format!("Concurrent story {s} {i}")),
                    canonical_url: Some(url.clone()),
                    url: Some(url),
                    text: format!("walrus sighting number {i} near harbour {s}"),
                    published_at: from_ms(1_700_000_000_000 + (s * 100 + i) as i64),
                    ..NewItem::default()
                }
            })
            .collect()
    };
    let inserts = sources
        .iter()
        .enumerate()
        .map(|(s, id)| store.insert_items(*id, batch(s)));
    let added: Vec<usize> = futures_util::future::join_all(inserts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let total: usize = added.iter().sum();
    assert_eq!(
        total,
        12 * 24 + 1,
        "each item once, the shared URL once: {added:?}"
    );
    assert_eq!(store.item_count().await.unwrap(), total as u64);
    assert_eq!(store.indexed_item_count().await.unwrap(), total as u64);
    let walruses = || async {
        store
            .items(ItemQuery {
                limit: 500,
                search: Some("walrus".into()),
                ..Default::default()
            })
            .await
            .unwrap()
            .items
            .len()
    };
    assert_eq!(walruses().await, total);
    // Indexed again from scratch (and the index optimized): the same.
    assert_eq!(store.rebuild_search_index().await.unwrap(), total as u64);
    store.refresh_statistics().await.unwrap();
    assert_eq!(walruses().await, total);
}

async fn stores_a_fetchs_items_and_its_record_together(store: &dyn Store) {
    use bulletin_store::Claim;
    let src = store
        .add_source(NewSource {
            url: "http://together.example/feed".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let now = Utc::now();
    let claimed = store
        .claim_sources(Claim {
            worker: "w1".into(),
            now,
            lease_until: now + chrono::Duration::seconds(60),
            limit: 10,
            all_since: Some(now),
            all_after: SourceId(0),
        })
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let items = vec![
        item(1, "http://together.example/1"),
        item(2, "http://together.example/2"),
    ];
    let added = store
        .store_fetch(src, items.clone(), fetched(now, None))
        .await
        .unwrap();
    assert_eq!(added, 2);
    let source = store.source(src).await.unwrap().unwrap();
    assert_eq!(source.item_count, 2);
    assert!(source.last_fetch_at.is_some(), "the fetch is recorded");
    assert!(source.held_by(now).is_none(), "and its lease released");
    // The same items again: nothing new, the fetch still recorded.
    let later = now + chrono::Duration::seconds(5);
    assert_eq!(
        store
            .store_fetch(src, items, fetched(later, None))
            .await
            .unwrap(),
        0
    );
    let source = store.source(src).await.unwrap().unwrap();
    assert_eq!(
        source.last_fetch_at.map(|t| t.timestamp()),
        Some(later.timestamp())
    );
}

async fn files_items_in_stories_merges_them_and_marks_duplicates(store: &dyn Store) {
    use bulletin_store::{FilingBatch, FilingStep, LeaseTaken, StoryQuery};
    let a = source_at(store, "http://a.example/feed").await;
    let b = source_at(store, "http://b.example/feed").await;
    let dated = |n: i64, title: Option<&str>, minutes: i64| NewItem {
        guid: Some(format!("s{n}")),
        url: Some(format!("http://x.example/{n}")),
        canonical_url: Some(format!("http://x.example/{n}")),
        title: title.map(str::to_string),
        published_at: from_ms(1_700_000_000_000 + minutes * 60_000),
        text: format!("story text {n}"),
        summary: Some(format!("Summary {n}")),
        ..NewItem::default()
    };
    store
        .insert_items(
            a,
            vec![dated(1, None, 0), dated(2, Some("Flood warning"), 5)],
        )
        .await
        .unwrap();
    store
        .insert_items(
            b,
            vec![
                dated(3, Some("Rivers rise"), 10),
                dated(4, Some("Vote"), 20),
            ],
        )
        .await
        .unwrap();
    let id_of = |page: &bulletin_store::ItemPage, guid: &str| {
        page.items
            .iter()
            .find(|i| i.url.as_deref() == Some(&format!("http://x.example/{}", &guid[1..])))
            .map(|i| i.id)
            .unwrap()
    };
    let all = store
        .items(ItemQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        all.items
            .iter()
            .all(|i| i.story_id.is_none() && i.duplicate_of.is_none())
    );
    let (i1, i2, i3, i4) = (
        id_of(&all, "s1"),
        id_of(&all, "s2"),
        id_of(&all, "s3"),
        id_of(&all, "s4"),
    );
    // Filing is done under a lease, which one holder has at a time.
    let now = from_ms(1_800_000_000_000);
    let soon = now + chrono::Duration::seconds(60);
    let take = |holder: &str, at: DateTime<Utc>| {
        store.take_lease(
            "stories".into(),
            holder.into(),
            at,
            at + chrono::Duration::seconds(60),
        )
    };
    assert_eq!(take("w1", now).await.unwrap(), LeaseTaken::Acquired);
    assert_eq!(take("w2", now).await.unwrap(), LeaseTaken::Refused);
    assert_eq!(take("w1", now).await.unwrap(), LeaseTaken::Renewed);
    let batch = |holder: &str, steps: Vec<FilingStep>| FilingBatch {
        lease: "stories".into(),
        holder: holder.into(),
        until: soon,
        steps,
        claims: Vec::new(),
    };
    // Unfiled items come in publication order, with their text.
    let unfiled = store.unfiled_items(10).await.unwrap();
    let file = |item: ItemId, story: i64, duplicate_of: Option<ItemId>| {
        let read = unfiled.iter().find(|i| i.id == item).unwrap();
        FilingStep::file(read, story, duplicate_of)
    };
    assert_eq!(
        unfiled.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![i1, i2, i3, i4]
    );
    assert_eq!(unfiled[1].text, "story text 2");
    assert_eq!(unfiled[1].title.as_deref(), Some("Flood warning"));
    // A holder without the lease writes nothing.
    assert!(
        !store
            .apply_filing(batch("w2", vec![file(i1, 7, None)]))
            .await
            .unwrap()
    );
    assert_eq!(store.item(i1).await.unwrap().unwrap().story_id, None);
    // A new story, then items added to it: its numbers follow its items.
    let flood = 7;
    assert!(
        store
            .apply_filing(batch("w1", vec![file(i1, flood, None)]))
            .await
            .unwrap()
    );
    let story = store.story(flood).await.unwrap().unwrap();
    assert_eq!((story.size, story.sources), (1, 1));
    assert_eq!(story.representative, Some(i1));
    assert_eq!(
        story.title.as_deref(),
        Some("Summary 1"),
        "an update's words stand for a headline"
    );
    assert!(
        store
            .apply_filing(batch("w1", vec![file(i2, flood, None)]))
            .await
            .unwrap()
    );
    let story = store.story(flood).await.unwrap().unwrap();
    assert_eq!(story.size, 2);
    assert_eq!(story.representative, Some(i2));
    assert_eq!(story.title.as_deref(), Some("Flood warning"));
    assert_eq!(story.first_at, from_ms(1_700_000_000_000));
    assert_eq!(story.latest_at, from_ms(1_700_000_000_000 + 5 * 60_000));
    // Two stories that grow together merge: every item moves; steps apply
    // in order within one batch. A near-duplicate points at its original.
    let (rivers, vote) = (8, 9);
    assert!(
        store
            .apply_filing(batch(
                "w1",
                vec![
                    file(i3, rivers, Some(i2)),
                    file(i4, vote, None),
                    FilingStep::Merge {
                        into: flood,
                        from: rivers
                    },
                ],
            ))
            .await
            .unwrap()
    );
    assert_eq!(store.story(rivers).await.unwrap(), None);
    let story = store.story(flood).await.unwrap().unwrap();
    assert_eq!((story.size, story.sources), (3, 2));
    assert_eq!(story.latest_at, from_ms(1_700_000_000_000 + 10 * 60_000));
    let items: Vec<_> = store
        .story_items(flood)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(items, vec![i3, i2, i1], "newest first");
    let item = store.item(i3).await.unwrap().unwrap();
    assert_eq!(item.story_id, Some(flood));
    assert_eq!(item.duplicate_of, Some(i2));
    // Its page reads the item it repeats with it.
    let detail = store.item_detail(i3, 3).await.unwrap().unwrap();
    assert_eq!(detail.original.map(|o| o.id), Some(i2));
    assert_eq!(detail.story.map(|s| s.id), Some(flood));
    assert!(store.unfiled_items(10).await.unwrap().is_empty());
    let copies = store.duplicates(vec![i2, i4], None).await.unwrap();
    assert_eq!(copies.iter().map(|i| i.id).collect::<Vec<_>>(), vec![i3]);
    // Listings may leave the copies out.
    let originals = store
        .items(ItemQuery {
            limit: 10,
            originals_only: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(originals.items.len(), 3);
    assert!(originals.items.iter().all(|i| i.id != i3));
    // Where a new holder resumes: the highest story id, and the filed
    // items published within the window of the newest.
    let state = store
        .filing_state(chrono::Duration::minutes(25))
        .await
        .unwrap();
    assert_eq!(state.last_story_id, vote);
    assert_eq!(
        state
            .items
            .iter()
            .map(|i| (i.id, i.story_id))
            .collect::<Vec<_>>(),
        vec![
            (i1, Some(flood)),
            (i2, Some(flood)),
            (i3, Some(flood)),
            (i4, Some(vote))
        ]
    );
    assert_eq!(state.items[2].duplicate_of, Some(i2));
    let state = store
        .filing_state(chrono::Duration::minutes(12))
        .await
        .unwrap();
    assert_eq!(
        state.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![i3, i4],
        "items published 12 minutes or more before the vote are out of the window"
    );
    // The lease expires; another holder takes it over.
    assert_eq!(
        take("w2", soon + chrono::Duration::seconds(1))
            .await
            .unwrap(),
        LeaseTaken::Acquired
    );
    assert!(!store.apply_filing(batch("w1", vec![])).await.unwrap());
    store
        .release_lease("stories".into(), "w2".into())
        .await
        .unwrap();
    assert_eq!(take("w1", now).await.unwrap(), LeaseTaken::Acquired);
    // Stories, latest update first, paged without gaps.
    let first = store
        .stories(StoryQuery {
            limit: 1,
            cursor: None,
        })
        .await
        .unwrap();
    assert_eq!(first.stories.len(), 1);
    assert_eq!(first.stories[0].id, vote);
    let second = store
        .stories(StoryQuery {
            limit: 1,
            cursor: first.next_cursor.clone(),
        })
        .await
        .unwrap();
    assert_eq!(second.stories[0].id, flood);
    assert_eq!(second.next_cursor, None);
    assert!(matches!(
        store
            .stories(StoryQuery {
                limit: 1,
                cursor: Some("r2".into()),
            })
            .await,
        Err(StoreError::InvalidCursor)
    ));
    // Resetting unfiles everything.
    assert_eq!(store.reset_stories().await.unwrap(), 4);
    assert_eq!(store.unfiled_items(10).await.unwrap().len(), 4);
    assert_eq!(store.story(flood).await.unwrap(), None);
    assert_eq!(store.item(i3).await.unwrap().unwrap().duplicate_of, None);
    assert!(
        store
            .apply_filing(batch(
                "w1",
                vec![
                    file(i1, flood, None),
                    file(i2, flood, None),
                    file(i3, flood, None),
                    file(i4, vote, None),
                ],
            ))
            .await
            .unwrap()
    );
    // Filing an item again in its own story counts it once; its related
    // coverage is read back in the order it was filed.
    assert!(
        store
            .apply_filing(batch(
                "w1",
                vec![file(i4, vote, None).with_related(vec![i3, i1])]
            ))
            .await
            .unwrap()
    );
    let story = store.story(vote).await.unwrap().unwrap();
    assert_eq!((story.size, story.sources), (1, 1));
    let related = |limit: usize| async move {
        store
            .related_items(i4, limit)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(related(3).await, vec![i3, i1]);
    assert_eq!(related(1).await, vec![i3]);
    let detail = store.item_detail(i4, 3).await.unwrap().unwrap();
    assert_eq!(
        detail.related.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![i3, i1]
    );
    assert_eq!(detail.story.map(|s| (s.id, s.size)), Some((vote, 1)));
    assert!(store.related_items(i1, 3).await.unwrap().is_empty());
    // An item that moves leaves its story's numbers and joins the other's;
    // what is now in the item's own story is no longer related.
    assert!(
        store
            .apply_filing(batch("w1", vec![file(i1, vote, None)]))
            .await
            .unwrap()
    );
    let (f, v) = (
        store.story(flood).await.unwrap().unwrap(),
        store.story(vote).await.unwrap().unwrap(),
    );
    assert_eq!((f.size, f.sources, v.size, v.sources), (2, 2, 2, 2));
    assert_eq!(f.first_at, from_ms(1_700_000_000_000 + 5 * 60_000));
    assert_eq!(v.first_at, from_ms(1_700_000_000_000));
    assert_eq!(related(3).await, vec![i3]);
    assert!(
        store
            .apply_filing(batch("w1", vec![file(i1, flood, None)]))
            .await
            .unwrap()
    );
    let story = store.story(flood).await.unwrap().unwrap();
    assert_eq!((story.size, story.sources), (3, 2));
    // Items that go take their part of their stories with them, and
    // nothing stays a duplicate of them.
    assert!(
        store
            .apply_filing(batch("w1", vec![file(i2, flood, Some(i3))]))
            .await
            .unwrap()
    );
    assert!(store.remove_source(b).await.unwrap());
    let story = store.story(flood).await.unwrap().unwrap();
    assert_eq!((story.size, story.sources), (2, 1));
    assert_eq!(story.latest_at, from_ms(1_700_000_000_000 + 5 * 60_000));
    assert_eq!(
        store.story(vote).await.unwrap(),
        None,
        "an emptied story goes"
    );
    assert_eq!(store.item(i2).await.unwrap().unwrap().duplicate_of, None);
    // Pruning the first item: the story keeps the second.
    let pruned = store
        .prune_items(from_ms(1_700_000_000_000 + 60_000), 10)
        .await
        .unwrap();
    assert_eq!(pruned, 1);
    let story = store.story(flood).await.unwrap().unwrap();
    assert_eq!(story.size, 1);
    assert_eq!(story.first_at, from_ms(1_700_000_000_000 + 5 * 60_000));
    let pruned = store
        .prune_items(from_ms(1_800_000_000_000), 10)
        .await
        .unwrap();
    assert_eq!(pruned, 1);
    assert_eq!(store.story(flood).await.unwrap(), None);
}

/// A draft post by `author`: an article with a headline, else an update.
fn draft(
    author: bulletin_store::UserId,
    headline: Option<&str>,
    markdown: &str,
    now: DateTime<Utc>,
) -> bulletin_store::Post {
    bulletin_store::Post {
        id: 0,
        author,
        kind: match headline {
            Some(_) => bulletin_core::ItemKind::Article,
            None => bulletin_core::ItemKind::Update,
        },
        headline: headline.map(str::to_string),
        markdown: markdown.into(),
        image_url: None,
        image_caption: None,
        image_credit: None,
        state: bulletin_store::PostState::Draft,
        publish_at: None,
        item: None,
        created_at: now,
        updated_at: now,
    }
}

/// A snippet with its matches in brackets.
fn marked(snippet: &bulletin_store::Snippet) -> String {
    snippet
        .parts()
        .into_iter()
        .map(|(text, matched)| {
            if matched {
                format!("[{text}]")
            } else {
                text.to_string()
            }
        })
        .collect()
}

/// Writes filing steps as the holder of the `stories` lease.
async fn file_under_lease(store: &dyn Store, steps: Vec<bulletin_store::FilingStep>) {
    file_with_claims(store, steps, Vec::new()).await;
}

/// Writes filing steps and claims as the holder of the `stories` lease.
async fn file_with_claims(
    store: &dyn Store,
    steps: Vec<bulletin_store::FilingStep>,
    claims: Vec<bulletin_store::ItemClaims>,
) {
    let now = Utc::now();
    let until = now + chrono::Duration::seconds(60);
    store
        .take_lease("stories".into(), "w".into(), now, until)
        .await
        .unwrap();
    let batch = bulletin_store::FilingBatch {
        lease: "stories".into(),
        holder: "w".into(),
        until,
        steps,
        claims,
    };
    assert!(
        store.apply_filing(batch).await.unwrap(),
        "the lease is held"
    );
}

/// Every position after `after`, read `limit` at a time, as (seq, what).
async fn read_log(
    store: &dyn Store,
    after: i64,
    limit: usize,
) -> (Vec<(i64, bulletin_store::Changed)>, i64) {
    let mut seen = Vec::new();
    let mut next = after;
    loop {
        let batch = store.changes(next, limit).await.unwrap();
        assert!(batch.next >= next);
        seen.extend(batch.changes.into_iter().map(|c| (c.seq, c.what)));
        next = batch.next;
        if !batch.more {
            return (seen, next);
        }
    }
}

async fn keeps_a_change_log_a_reader_can_resume(store: &dyn Store) {
    use bulletin_store::{Changed, FilingStep};
    use futures_util::StreamExt;
    let start = store.last_change().await.unwrap();
    let mut notices = store.change_notices().await.unwrap();
    let a = source_at(store, "http://log.example/feed").await;
    store
        .insert_items(
            a,
            (1..=3)
                .map(|n| item(n, &format!("http://log.example/{n}")))
                .collect(),
        )
        .await
        .unwrap();
    // A write wakes the process's listener.
    tokio::time::timeout(std::time::Duration::from_secs(5), notices.next())
        .await
        .expect("a notice after a write")
        .expect("the notices go on");
    let (log, last) = read_log(store, start, 100).await;
    let ids: Vec<ItemId> = log
        .iter()
        .map(|(_, what)| match what {
            Changed::Item(item) => item.id,
            other => panic!("only new items so far, not {other:?}"),
        })
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in commit order");
    assert_eq!(store.last_change().await.unwrap(), last);
    // An edit is a new position with the item as it is now; read from the
    // start, the item comes once, at its last position.
    let mut edited = item(2, "http://log.example/2");
    edited.title = Some("Item number 2, corrected".into());
    assert!(store.update_item(ids[1], edited).await.unwrap());
    let (log, last) = read_log(store, last, 100).await;
    assert_eq!(log.len(), 1);
    match &log[0].1 {
        Changed::Item(item) => {
            assert_eq!(item.id, ids[1]);
            assert_eq!(item.title.as_deref(), Some("Item number 2, corrected"));
            assert!(item.text.is_none(), "listed without its body");
        }
        other => panic!("an edit is an item change, not {other:?}"),
    }
    let (from_start, _) = read_log(store, start, 100).await;
    let seqs: Vec<i64> = from_start.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs.len(), 3, "the edited item once: {from_start:?}");
    // Read one position at a time, nothing is lost and no position comes
    // twice (the edited item comes at both of its positions, as it is now).
    let (one_by_one, _) = read_log(store, start, 1).await;
    let singles: Vec<i64> = one_by_one.iter().map(|(s, _)| *s).collect();
    assert!(singles.windows(2).all(|w| w[0] < w[1]), "{singles:?}");
    assert!(seqs.iter().all(|s| singles.contains(s)), "{singles:?}");
    assert_eq!(singles.len(), 4);
    // Filing: the story that grew is a position.
    let unfiled = store.unfiled_items(10).await.unwrap();
    let steps = unfiled
        .iter()
        .map(|i| FilingStep::file(i, 41, None))
        .collect();
    file_under_lease(store, steps).await;
    let (log, last) = read_log(store, last, 100).await;
    match &log[..] {
        [(_, Changed::Story(story))] => assert_eq!((story.id, story.size), (41, 3)),
        other => panic!("one story change, not {other:?}"),
    }
    // Removals, and a rebuild of the stories.
    let pruned = store
        .prune_items(from_ms(1_800_000_000_000), 1)
        .await
        .unwrap();
    assert_eq!(pruned, 1);
    assert_eq!(store.reset_stories().await.unwrap(), 2);
    let (log, last) = read_log(store, last, 100).await;
    assert!(
        matches!(&log[..], [(_, Changed::Removed(_)), (_, Changed::Reset)]),
        "{log:?}"
    );
    // Pruning the log: a reader behind it can tell it missed positions.
    assert_eq!(store.changes(start, 10).await.unwrap().pruned_through, 0);
    let forgotten = store
        .prune_changes(Utc::now() + chrono::Duration::seconds(5))
        .await
        .unwrap();
    assert!(forgotten >= 7, "{forgotten}");
    let batch = store.changes(start, 10).await.unwrap();
    assert!(batch.changes.is_empty());
    assert_eq!(batch.pruned_through, last);
    assert_eq!(
        store.last_change().await.unwrap(),
        last,
        "positions are never reused"
    );
    store
        .insert_items(a, vec![item(9, "http://log.example/9")])
        .await
        .unwrap();
    let (log, _) = read_log(store, last, 100).await;
    assert!(matches!(&log[..], [(seq, Changed::Item(_))] if *seq > last));
}

async fn logs_concurrent_writers_changes_in_commit_order(store: &dyn Store) {
    // Writers commit while a reader follows the log: the reader sees every
    // new item once, even when a later position commits first.
    use bulletin_store::Changed;
    let start = store.last_change().await.unwrap();
    let mut sources = Vec::new();
    for n in 0..4 {
        sources.push(source_at(store, &format!("http://order{n}.example/feed")).await);
    }
    let done = std::sync::atomic::AtomicBool::new(false);
    let writers = async {
        let writes = sources.iter().enumerate().map(|(s, id)| async move {
            for round in 0..15 {
                let batch = (0..3)
                    .map(|i| {
                        let n = (s * 1000 + round * 10 + i) as i64;
                        item(n, &format!("http://order{s}.example/{round}/{i}"))
                    })
                    .map(|mut i| {
                        i.guid = Some(format!("o{}", i.canonical_url.clone().unwrap()));
                        i
                    })
                    .collect();
                store.insert_items(*id, batch).await.unwrap();
            }
        });
        futures_util::future::join_all(writes).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
    };
    let reader = async {
        let mut seen = Vec::new();
        let mut next = start;
        loop {
            let finished = done.load(std::sync::atomic::Ordering::SeqCst);
            let batch = store.changes(next, 7).await.unwrap();
            for change in batch.changes {
                if let Changed::Item(item) = change.what {
                    seen.push(item.id);
                }
            }
            next = batch.next;
            if finished && !batch.more {
                return seen;
            }
            tokio::task::yield_now().await;
        }
    };
    let ((), mut seen) = futures_util::join!(writers, reader);
    assert_eq!(seen.len(), 4 * 15 * 3, "every new item once");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 4 * 15 * 3, "no item twice");
}

async fn keeps_hub_subscriptions_until_they_expire(store: &dyn Store) {
    use bulletin_store::HubSubscription;
    let now = from_ms(1_800_000_000_000);
    let sub = |topic: &str, callback: &str, hours: i64| HubSubscription {
        topic: topic.into(),
        callback: callback.into(),
        secret: Some("s3cret".into()),
        expires_at: now + chrono::Duration::hours(hours),
    };
    let atom = "http://news.example/feed.atom";
    let rss = "http://news.example/feed.rss";
    store
        .save_hub_subscription(sub(atom, "http://a.example/cb", 1))
        .await
        .unwrap();
    store
        .save_hub_subscription(sub(atom, "http://b.example/cb", -1))
        .await
        .unwrap();
    store
        .save_hub_subscription(sub(rss, "http://a.example/cb", 2))
        .await
        .unwrap();
    // A renewal replaces the subscription (one per topic and callback).
    let mut renewed = sub(atom, "http://a.example/cb", 5);
    renewed.secret = None;
    store.save_hub_subscription(renewed.clone()).await.unwrap();
    let found = store
        .hub_subscriptions(vec![atom.into()], now)
        .await
        .unwrap();
    assert_eq!(found, vec![renewed], "the expired one is left out");
    let both = store
        .hub_subscriptions(vec![atom.into(), rss.into()], now)
        .await
        .unwrap();
    assert_eq!(both.len(), 2);
    assert!(
        store
            .remove_hub_subscription(rss.into(), "http://a.example/cb".into())
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_hub_subscription(rss.into(), "http://a.example/cb".into())
            .await
            .unwrap()
    );
    assert!(
        store
            .hub_subscriptions(vec![rss.into()], now)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn pages_originals_across_filed_and_unfiled_items(store: &dyn Store) {
    use bulletin_store::FilingStep;
    let a = source_at(store, "http://orig.example/feed").await;
    let at = |n: i64| NewItem {
        guid: Some(format!("o{n}")),
        url: Some(format!("http://orig.example/{n}")),
        canonical_url: Some(format!("http://orig.example/{n}")),
        title: Some(format!("Original {n}")),
        published_at: from_ms(1_700_000_000_000 + n * 60_000),
        text: format!("text {n}"),
        ..NewItem::default()
    };
    store
        .insert_items(a, (1..=4).map(at).collect())
        .await
        .unwrap();
    // The four are filed; the newest of them repeats the first.
    let unfiled = store.unfiled_items(10).await.unwrap();
    let first = unfiled[0].id;
    let steps = unfiled
        .iter()
        .enumerate()
        .map(|(n, i)| FilingStep::file(i, 90, (n == 3).then_some(first)))
        .collect();
    file_under_lease(store, steps).await;
    // Listings name a bounded number of an item's copies.
    assert_eq!(store.duplicates(vec![first], None).await.unwrap().len(), 1);
    assert!(
        store
            .duplicates(vec![first], Some(0))
            .await
            .unwrap()
            .is_empty()
    );
    // Two more arrive, not yet filed, one older than every filed item.
    store.insert_items(a, vec![at(0), at(5)]).await.unwrap();
    let mut titles = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .items(ItemQuery {
                limit: 2,
                cursor: cursor.clone(),
                originals_only: true,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(page.items.len() <= 2);
        titles.extend(page.items.iter().map(|i| i.title.clone().unwrap()));
        if page
            .items
            .iter()
            .any(|i| i.title.as_deref() == Some("Original 1"))
        {
            let original = page
                .items
                .iter()
                .find(|i| i.title.as_deref() == Some("Original 1"));
            assert_eq!(
                original.unwrap().duplicates.len(),
                1,
                "its copy is on its card"
            );
        }
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(
        titles,
        [
            "Original 5",
            "Original 3",
            "Original 2",
            "Original 1",
            "Original 0"
        ],
        "newest first, the copy left out, nothing twice"
    );
}

/// A claim by `speaker` (a person when `person`) with this content.
fn said(
    speaker: Option<(&str, bool)>,
    content: &str,
    role: Option<&str>,
) -> bulletin_store::NewClaim {
    use bulletin_store::{EntityKind, NewClaim, NewSpeaker};
    NewClaim {
        speaker: speaker.map(|(name, person)| NewSpeaker {
            kind: if person {
                EntityKind::Person
            } else {
                EntityKind::Organisation
            },
            name: name.into(),
        }),
        source: speaker.map(|(name, _)| name.to_string()),
        cue: "said".into(),
        content: content.into(),
        direct: content.starts_with('“'),
        role: role.map(str::to_string),
        channel: Some("on Telegram".into()),
        said_from: chrono::NaiveDate::from_ymd_opt(2025, 5, 19),
        said_to: chrono::NaiveDate::from_ymd_opt(2025, 5, 25),
        said_text: Some("last week".into()),
        start: 10,
        end: 10 + content.chars().count() as u32,
    }
}

async fn keeps_claims_and_merges_their_speakers_across_items(store: &dyn Store) {
    use bulletin_store::{ClaimQuery, EntityKind, FilingStep, ItemClaims};
    let a = source_at(store, "http://claims.example/feed").await;
    let at = |n: i64| NewItem {
        guid: Some(format!("c{n}")),
        url: Some(format!("http://claims.example/{n}")),
        title: Some(format!("Claims {n}")),
        published_at: from_ms(1_700_000_000_000 + n * 60_000),
        text: format!("text {n}"),
        ..NewItem::default()
    };
    store
        .insert_items(a, (1..=3).map(at).collect())
        .await
        .unwrap();
    let unfiled = store.unfiled_items(10).await.unwrap();
    let ids: Vec<ItemId> = unfiled.iter().map(|i| i.id).collect();
    let steps: Vec<FilingStep> = unfiled
        .iter()
        .enumerate()
        .map(|(n, i)| FilingStep::file(i, 70 + n as i64, None))
        .collect();
    let claims = vec![
        ItemClaims {
            item: ids[0],
            claims: vec![
                said(
                    Some(("Oleh Ivashchenko", true)),
                    "“Russia is preparing”",
                    Some("head of Ukraine's Foreign Intelligence Service"),
                ),
                said(Some(("The Kremlin", false)), "the talks were useful", None),
                said(None, "it was cold", None),
            ],
        },
        // "Ivashchenko" alone, and the organisation without "The": the same.
        ItemClaims {
            item: ids[1],
            claims: vec![
                said(
                    Some(("Ivashchenko", true)),
                    "the 50% figure holds",
                    Some("intelligence chief"),
                ),
                said(Some(("Kremlin", false)), "nothing changed", None),
            ],
        },
        // Two people named Ruiz: "Ruiz" alone is neither.
        ItemClaims {
            item: ids[2],
            claims: vec![
                said(Some(("Ana Ruiz", true)), "one", None),
                said(Some(("Luis Ruiz", true)), "two", None),
                said(Some(("Ruiz", true)), "three", None),
            ],
        },
    ];
    file_with_claims(store, steps.clone(), claims).await;

    let person = store
        .entity("oleh-ivashchenko".into())
        .await
        .unwrap()
        .expect("an entity for the person");
    assert_eq!(person.name, "Oleh Ivashchenko");
    assert_eq!(person.kind, EntityKind::Person);
    assert_eq!(person.aliases, vec!["Ivashchenko", "Oleh Ivashchenko"]);
    assert_eq!(person.claims, 2);
    let roles: Vec<&str> = person.roles.iter().map(|r| r.role.as_str()).collect();
    assert_eq!(
        roles,
        vec![
            "intelligence chief",
            "head of Ukraine's Foreign Intelligence Service"
        ],
        "newest role first"
    );
    let theirs = store
        .claims(ClaimQuery {
            speaker: Some("oleh-ivashchenko".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let contents: Vec<&str> = theirs.iter().map(|c| c.content.as_str()).collect();
    assert_eq!(
        contents,
        vec!["the 50% figure holds", "“Russia is preparing”"]
    );
    let first = &theirs[1];
    assert!(first.direct);
    assert_eq!(first.item, ids[0]);
    assert_eq!(first.item_title.as_deref(), Some("Claims 1"));
    assert_eq!(first.story_id, Some(70));
    assert_eq!(first.channel.as_deref(), Some("on Telegram"));
    assert_eq!(
        first.said_from,
        chrono::NaiveDate::from_ymd_opt(2025, 5, 19)
    );
    assert_eq!(first.said_to, chrono::NaiveDate::from_ymd_opt(2025, 5, 25));
    assert_eq!(first.said_text.as_deref(), Some("last week"));
    assert_eq!((first.start, first.end), (10, 31));
    let kremlin = store.entity("the-kremlin".into()).await.unwrap().unwrap();
    assert_eq!(
        (kremlin.kind, kremlin.claims),
        (EntityKind::Organisation, 2)
    );
    // Ambiguous surname: a third entity, not either Ruiz.
    let ruiz = store.entity("ruiz".into()).await.unwrap().unwrap();
    assert_eq!(ruiz.claims, 1);
    assert_eq!(
        store
            .entity("ana-ruiz".into())
            .await
            .unwrap()
            .unwrap()
            .claims,
        1
    );

    // Search by words (any case, `%` literal), by item and by date.
    let found = |q: ClaimQuery| async move { store.claims(q).await.unwrap() };
    let q = |words: &str| ClaimQuery {
        q: Some(words.into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(found(q("RUSSIA")).await.len(), 1);
    assert_eq!(found(q("50%")).await.len(), 1);
    assert_eq!(found(q("5%")).await.len(), 0, "% is not a wildcard");
    assert_eq!(found(q("kremlin")).await.len(), 2, "by the speaker's name");
    let in_first = found(ClaimQuery {
        item: Some(ids[0]),
        limit: 10,
        ..Default::default()
    })
    .await;
    assert_eq!(in_first.len(), 3);
    assert!(in_first[2].speaker.is_none());
    // An item's page reads it with its claims, story and related items in
    // one call: the same as asking for each.
    let detail = store
        .item_detail(ids[0], 3)
        .await
        .unwrap()
        .expect("the item");
    assert_eq!(detail.item.id, ids[0]);
    assert_eq!(detail.item.text.as_deref(), Some("text 1"));
    let mut contents: Vec<&str> = detail.claims.iter().map(|c| c.content.as_str()).collect();
    let mut expected: Vec<&str> = in_first.iter().map(|c| c.content.as_str()).collect();
    contents.sort_unstable();
    expected.sort_unstable();
    assert_eq!(contents, expected);
    assert_eq!(
        detail.story.map(|s| s.id),
        store.story(70).await.unwrap().map(|s| s.id)
    );
    let related: Vec<ItemId> = store
        .related_items(ids[0], 3)
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(
        detail.related.iter().map(|i| i.id).collect::<Vec<_>>(),
        related
    );
    assert!(detail.original.is_none());
    assert!(
        store
            .item_detail(ItemId(999_999), 3)
            .await
            .unwrap()
            .is_none()
    );
    let recent = found(ClaimQuery {
        since: Some(from_ms(1_700_000_000_000 + 2 * 60_000)),
        limit: 10,
        ..Default::default()
    })
    .await;
    assert!(recent.iter().all(|c| c.item != ids[0]) && recent.len() == 5);

    // Filed again (stories rebuilt): the item's claims are replaced, not
    // added to.
    file_with_claims(
        store,
        steps[..1].to_vec(),
        vec![ItemClaims {
            item: ids[0],
            claims: vec![said(Some(("Oleh Ivashchenko", true)), "again", None)],
        }],
    )
    .await;
    let again = store
        .entity("oleh-ivashchenko".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.claims, 2);
    // An item removed takes its claims along.
    assert!(store.remove_source(a).await.unwrap());
    assert!(found(q("again")).await.is_empty());
    assert!(store.entity("nobody".into()).await.unwrap().is_none());
}

async fn keeps_an_items_related_links_and_finds_items_by_url(store: &dyn Store) {
    let a = source_at(store, "http://a.example/feed").await;
    let link = |title: &str, url: &str| RelatedLink {
        title: title.into(),
        url: url.into(),
    };
    let with_links = NewItem {
        related_links: vec![
            link("Dockers vote on the plan", "http://a.example/2"),
            link("Fleet returns early", "http://a.example/9"),
        ],
        ..item(1, "http://a.example/1")
    };
    store
        .insert_items(a, vec![with_links.clone(), item(2, "http://a.example/2")])
        .await
        .unwrap();
    let found = store
        .items_at_urls(vec![
            "http://a.example/2".into(),
            "http://a.example/9".into(),
            "http://a.example/1".into(),
        ])
        .await
        .unwrap();
    assert!(found[0].is_some() && found[2].is_some() && found[0] != found[2]);
    assert_eq!(found[1], None);
    assert!(store.items_at_urls(Vec::new()).await.unwrap().is_empty());
    let first = found[2].unwrap();

    // With its content the item has its links; in a listing it has none.
    let whole = store.item(first).await.unwrap().unwrap();
    assert_eq!(whole.related_links, with_links.related_links);
    let listed = store
        .items(ItemQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(listed.items.iter().all(|i| i.related_links.is_empty()));
    let with_content = store
        .items(ItemQuery {
            limit: 10,
            include_content: true,
            ..Default::default()
        })
        .await
        .unwrap();
    let listed_whole = with_content.items.iter().find(|i| i.id == first).unwrap();
    assert_eq!(listed_whole.related_links, with_links.related_links);

    // An update replaces them; an export carries them.
    let updated = NewItem {
        related_links: vec![link("Night shift ends", "http://a.example/3")],
        ..with_links
    };
    assert!(store.update_item(first, updated.clone()).await.unwrap());
    let whole = store.item(first).await.unwrap().unwrap();
    assert_eq!(whole.related_links, updated.related_links);
    let exported = store.export_items(ItemId(0), 10).await.unwrap();
    let out = exported.iter().find(|e| e.id == first).unwrap();
    assert_eq!(out.item.related_links, updated.related_links);
}
