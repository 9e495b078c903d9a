//! Each reader's own state, on each backend (see `store_suite.rs` for how
//! backends are chosen).

mod backends;

use bulletin_core::{ItemId, SourceId};
use bulletin_store::{
    DEFAULT_CATEGORY, NewItem, NewSource, NewUser, ReadFilter, ReaderOrder, ReaderQuery, Role,
    Scope, Store, StoreError, SubscriptionEdit, UserId,
};
use chrono::{DateTime, Utc};

store_tests!(
    keeps_read_and_starred_state_per_reader,
    marks_all_read_per_scope_with_one_mark,
    follows_every_source_in_the_installations_folders,
    lists_by_id_bounds_times_labels_and_words,
);

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_700_000_000_000 + ms).expect("a valid time")
}

async fn reader(store: &dyn Store, name: &str) -> UserId {
    store
        .add_user(NewUser {
            name: name.into(),
            role: Some(Role::Reader),
            password_hash: "x".into(),
            ..NewUser::default()
        })
        .await
        .unwrap()
}

/// A source with `n` items, published a second apart (the last newest).
async fn source_with(store: &dyn Store, url: &str, category: Option<&str>, n: i64) -> SourceId {
    let source = store
        .add_source(NewSource {
            url: url.into(),
            title: Some(format!("Feed {url}")),
            category: category.map(str::to_string),
            ..NewSource::default()
        })
        .await
        .unwrap();
    let items = (0..n)
        .map(|i| NewItem {
            guid: Some(format!("{url}#{i}")),
            url: Some(format!("{url}/{i}")),
            canonical_url: Some(format!("{url}/{i}")),
            title: Some(format!("Item {i} of {url}")),
            published_at: at(i * 1000),
            text: format!("body {i} about harbours"),
            ..NewItem::default()
        })
        .collect();
    store.insert_items(source, items).await.unwrap();
    source
}

fn ids(items: &[bulletin_store::ReaderItem]) -> Vec<i64> {
    items.iter().map(|i| i.item.id.0).collect()
}

async fn unread(store: &dyn Store, user: UserId, scope: Scope) -> u64 {
    store
        .reader_count(ReaderQuery {
            scope,
            status: ReadFilter::Unread,
            ..ReaderQuery::new(user)
        })
        .await
        .unwrap()
}

async fn keeps_read_and_starred_state_per_reader(store: &dyn Store) {
    let feed = source_with(store, "https://a.example/feed", None, 5).await;
    let ana = reader(store, "ana").await;
    let bo = reader(store, "bo").await;
    let all = store.reader_items(ReaderQuery::new(ana)).await.unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.iter().all(|i| !i.read && !i.starred));
    // Newest first by default.
    let newest = all[0].item.id;
    assert_eq!(
        all[0].item.title.as_deref(),
        Some("Item 4 of https://a.example/feed")
    );

    let missing = ItemId(newest.0 + 1000);
    assert_eq!(
        store
            .set_read(ana, vec![newest, missing], true)
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.set_starred(ana, vec![newest], true).await.unwrap(), 1);
    let mine = store.reader_items(ReaderQuery::new(ana)).await.unwrap();
    assert!(mine[0].read && mine[0].starred);
    assert!(mine[1..].iter().all(|i| !i.read && !i.starred));
    // Bo's state is his own.
    let his = store.reader_items(ReaderQuery::new(bo)).await.unwrap();
    assert!(his.iter().all(|i| !i.read && !i.starred));
    assert_eq!(unread(store, ana, Scope::Subscribed).await, 4);
    assert_eq!(unread(store, bo, Scope::Subscribed).await, 5);

    let starred = store
        .reader_items(ReaderQuery {
            starred: Some(true),
            ..ReaderQuery::new(ana)
        })
        .await
        .unwrap();
    assert_eq!(ids(&starred), vec![newest.0]);
    // Unread again.
    store.set_read(ana, vec![newest], false).await.unwrap();
    assert_eq!(unread(store, ana, Scope::Subscribed).await, 5);
    assert_eq!(unread(store, ana, Scope::Source(feed)).await, 5);
    let counts = store.unread_counts(ana).await.unwrap();
    assert_eq!(counts.len(), 1);
    assert_eq!((counts[0].source, counts[0].count), (feed, 5));
    assert_eq!(counts[0].newest, Some(at(4000)));
}

async fn marks_all_read_per_scope_with_one_mark(store: &dyn Store) {
    let world = source_with(store, "https://w.example/feed", Some("News"), 4).await;
    let sport = source_with(store, "https://s.example/feed", Some("Sport"), 3).await;
    let ana = reader(store, "ana").await;
    let folders = store.categories(ana).await.unwrap();
    let news = folders.iter().find(|c| c.title == "News").unwrap().id;

    // One item of the folder marked unread by hand stays unread only
    // until the folder is marked read.
    let first = store
        .reader_refs(ReaderQuery {
            scope: Scope::Source(world),
            order: ReaderOrder::Id,
            ascending: true,
            ..ReaderQuery::new(ana)
        })
        .await
        .unwrap();
    assert_eq!(first.len(), 4);
    store.set_read(ana, vec![first[0].id], true).await.unwrap();
    store
        .mark_all_read(ana, Scope::Category(news), None)
        .await
        .unwrap();
    assert_eq!(unread(store, ana, Scope::Category(news)).await, 0);
    assert_eq!(unread(store, ana, Scope::Source(sport)).await, 3);
    store.set_read(ana, vec![first[1].id], false).await.unwrap();
    assert_eq!(unread(store, ana, Scope::Source(world)).await, 1);
    store
        .mark_all_read(ana, Scope::Subscribed, None)
        .await
        .unwrap();
    assert_eq!(unread(store, ana, Scope::Subscribed).await, 0);

    // Items stored after the mark are unread; a mark up to a time before
    // they were stored leaves them so.
    let before_new = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    store
        .insert_items(
            sport,
            vec![NewItem {
                guid: Some("late".into()),
                title: Some("Late".into()),
                published_at: at(-5000),
                ..NewItem::default()
            }],
        )
        .await
        .unwrap();
    assert_eq!(unread(store, ana, Scope::Source(sport)).await, 1);
    store
        .mark_all_read(ana, Scope::Source(sport), Some(before_new))
        .await
        .unwrap();
    assert_eq!(unread(store, ana, Scope::Source(sport)).await, 1);
    store
        .mark_all_read(ana, Scope::Source(sport), None)
        .await
        .unwrap();
    assert_eq!(unread(store, ana, Scope::Source(sport)).await, 0);
    // Another reader's marks are untouched.
    let bo = reader(store, "bo").await;
    assert_eq!(unread(store, bo, Scope::Subscribed).await, 8);
    let read = store
        .reader_count(ReaderQuery {
            status: ReadFilter::Read,
            ..ReaderQuery::new(ana)
        })
        .await
        .unwrap();
    assert_eq!(read, 8);
}

async fn follows_every_source_in_the_installations_folders(store: &dyn Store) {
    let world = source_with(store, "https://w.example/feed", Some("News"), 2).await;
    let plain = source_with(store, "https://p.example/feed", None, 2).await;
    let ana = reader(store, "ana").await;
    let subs = store.subscriptions(ana).await.unwrap();
    assert_eq!(subs.len(), 2);
    let folder_of = |id: SourceId| {
        subs.iter()
            .find(|s| s.source.id == id)
            .and_then(|s| s.category.as_ref())
            .map(|c| c.title.clone())
    };
    assert_eq!(folder_of(world).as_deref(), Some("News"));
    assert_eq!(folder_of(plain).as_deref(), Some(DEFAULT_CATEGORY));

    // Her own folder, her own name for a feed, and unsubscribing.
    let mine = store
        .save_category(ana, None, "Morning".into())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        store.save_category(ana, None, "Morning".into()).await,
        Err(StoreError::DuplicateCategory(_))
    ));
    assert!(
        store
            .edit_subscription(
                ana,
                world,
                SubscriptionEdit {
                    category: Some(Some(mine)),
                    title: Some(Some("The World".into())),
                    ..SubscriptionEdit::default()
                },
            )
            .await
            .unwrap()
    );
    assert_eq!(unread(store, ana, Scope::Category(mine)).await, 2);
    store
        .edit_subscription(
            ana,
            plain,
            SubscriptionEdit {
                subscribed: Some(false),
                ..SubscriptionEdit::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(unread(store, ana, Scope::Subscribed).await, 2);
    let subs = store.subscriptions(ana).await.unwrap();
    let world_sub = subs.iter().find(|s| s.source.id == world).unwrap();
    assert_eq!(world_sub.display_title(), "The World");
    assert_eq!(world_sub.category.as_ref().unwrap().id, mine);
    assert!(
        !subs
            .iter()
            .find(|s| s.source.id == plain)
            .unwrap()
            .subscribed
    );

    // A folder of another reader is not hers to use.
    let bo = reader(store, "bo").await;
    let his = store
        .save_category(bo, None, "His".into())
        .await
        .unwrap()
        .unwrap();
    assert!(
        !store
            .edit_subscription(
                ana,
                world,
                SubscriptionEdit {
                    category: Some(Some(his)),
                    ..SubscriptionEdit::default()
                },
            )
            .await
            .unwrap()
    );
    // Renamed, then removed: the feed stays followed, in no folder.
    assert_eq!(
        store
            .save_category(ana, Some(mine), "Evening".into())
            .await
            .unwrap(),
        Some(mine)
    );
    assert!(store.remove_category(ana, mine).await.unwrap());
    let subs = store.subscriptions(ana).await.unwrap();
    let world_sub = subs.iter().find(|s| s.source.id == world).unwrap();
    assert!(world_sub.subscribed && world_sub.category.is_none());
    // A source added later is followed, in its folder.
    let late = source_with(store, "https://l.example/feed", Some("Late"), 1).await;
    let subs = store.subscriptions(ana).await.unwrap();
    let late_sub = subs.iter().find(|s| s.source.id == late).unwrap();
    assert_eq!(late_sub.category.as_ref().unwrap().title, "Late");
}

async fn lists_by_id_bounds_times_labels_and_words(store: &dyn Store) {
    let feed = source_with(store, "https://a.example/feed", None, 6).await;
    let ana = reader(store, "ana").await;
    let refs = store
        .reader_refs(ReaderQuery {
            order: ReaderOrder::Id,
            ascending: true,
            ..ReaderQuery::new(ana)
        })
        .await
        .unwrap();
    let all: Vec<ItemId> = refs.iter().map(|r| r.id).collect();
    assert_eq!(all.len(), 6);
    assert!(refs.iter().all(|r| r.source == feed));
    let page = store
        .reader_items(ReaderQuery {
            after_id: Some(all[1]),
            before_id: Some(all[5]),
            order: ReaderOrder::Id,
            ascending: true,
            limit: 2,
            offset: 1,
            ..ReaderQuery::new(ana)
        })
        .await
        .unwrap();
    assert_eq!(ids(&page), vec![all[3].0, all[4].0]);
    let timed = store
        .reader_count(ReaderQuery {
            published_after: Some(at(1000)),
            published_before: Some(at(4000)),
            ..ReaderQuery::new(ana)
        })
        .await
        .unwrap();
    assert_eq!(timed, 2);
    let chosen = store
        .reader_items(ReaderQuery {
            ids: Some(vec![all[2], all[0]]),
            ..ReaderQuery::new(ana)
        })
        .await
        .unwrap();
    assert_eq!(ids(&chosen), vec![all[2].0, all[0].0]);

    store
        .set_label(ana, vec![all[0], all[1]], "Keep".into(), true)
        .await
        .unwrap();
    let kept = store
        .reader_items(ReaderQuery {
            label: Some("Keep".into()),
            ..ReaderQuery::new(ana)
        })
        .await
        .unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|i| i.labels == vec!["Keep".to_string()]));
    assert_eq!(
        store.labels(ana).await.unwrap(),
        vec![("Keep".to_string(), 2)]
    );
    assert!(
        store
            .rename_label(ana, "Keep".into(), "Saved".into())
            .await
            .unwrap()
    );
    store
        .set_label(ana, vec![all[0]], "Saved".into(), false)
        .await
        .unwrap();
    assert_eq!(
        store.labels(ana).await.unwrap(),
        vec![("Saved".to_string(), 1)]
    );

    let found = store
        .reader_count(ReaderQuery {
            search: Some("Harbours".into()),
            ..ReaderQuery::new(ana)
        })
        .await
        .unwrap();
    assert_eq!(found, 6);
    let none = store
        .reader_count(ReaderQuery {
            search: Some("volcano".into()),
            ..ReaderQuery::new(ana)
        })
        .await
        .unwrap();
    assert_eq!(none, 0);
}
