"""Drives Bulletin's Miniflux API with the official Python client (PyPI
`miniflux`): run by tests/reader_apps.rs against a server holding two
feeds (three items each, the second in a "World" folder)."""

import os
import sys

import miniflux

base = os.environ["BASE"]
by_password = miniflux.Client(base, username=os.environ["NAME"], password=os.environ["APP_PASSWORD"])
by_token = miniflux.Client(base, api_key=os.environ["TOKEN"])


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}")
        sys.exit(1)


me = by_password.me()
check(me["username"] == os.environ["NAME"] and me["is_admin"] is False, f"me: {me}")
check(by_token.me()["id"] == me["id"], "the token speaks for the same account")
try:
    miniflux.Client(base, username=os.environ["NAME"], password="wrong").me()
    check(False, "a wrong password is refused")
except miniflux.AccessUnauthorized:
    pass

categories = by_password.get_categories()
titles = sorted(c["title"] for c in categories)
check("World" in titles, f"categories: {titles}")
world = next(c for c in categories if c["title"] == "World")

feeds = by_password.get_feeds()
check(len(feeds) == 2, f"feeds: {feeds}")
beta = next(f for f in feeds if f["title"] == "Beta News")
check(beta["category"]["id"] == world["id"], f"Beta is in World: {beta}")
check(by_password.get_feed(beta["id"])["feed_url"] == beta["feed_url"], "one feed")
check(len(by_password.get_category_feeds(world["id"])) == 1, "the folder's feeds")

entries = by_password.get_entries(status="unread", order="published_at", direction="desc", limit=10)
check(entries["total"] == 6 and len(entries["entries"]) == 6, f"unread entries: {entries['total']}")
first = entries["entries"][0]
check(first["status"] == "unread" and "harbours" in first["content"], f"an entry: {first}")
check(entries["entries"][0]["published_at"] >= entries["entries"][-1]["published_at"], "newest first")
page = by_password.get_entries(limit=2, offset=2, order="id", direction="asc")
check(len(page["entries"]) == 2 and page["total"] == 6, "a page by offset")
found = by_password.get_entries(search="harbours", category_id=world["id"])
check(found["total"] == 3, f"search in a folder: {found['total']}")
check(by_password.get_feed_entries(beta["id"])["total"] == 3, "a feed's entries")
check(by_password.get_category_entries(world["id"])["total"] == 3, "a folder's entries")
check(by_password.get_entry(first["id"])["id"] == first["id"], "one entry")

by_password.update_entries([first["id"]], status="read")
check(by_password.get_entry(first["id"])["status"] == "read", "marked read")
check(by_password.get_entries(status="unread")["total"] == 5, "five unread")
by_password.toggle_bookmark(first["id"])
starred = by_password.get_entries(starred=True)
check(starred["total"] == 1 and starred["entries"][0]["starred"], "bookmarked")
by_password.toggle_bookmark(first["id"])
check(by_password.get_entries(starred=True)["total"] == 0, "bookmark toggled off")

others = [e for e in by_password.get_entries(status="unread")["entries"] if e["feed_id"] != beta["id"]]
by_password.mark_feed_entries_as_read(beta["id"])
check(by_password.get_entries(status="unread")["total"] == len(others), "a feed marked read")
counters = by_password.get_feed_counters()
check(counters["unreads"][str(beta["id"])] == 0, f"counters: {counters}")

created = by_password.create_category("Evening")
check(created["title"] == "Evening", f"a new folder: {created}")
try:
    by_password.create_category("Evening")
    check(False, "a folder's name is taken once")
except miniflux.BadRequest:
    pass

# Following a feed the installation has (a reader may not add new ones).
by_password.delete_feed(beta["id"])
check(len(by_password.get_feeds()) == 1, "unfollowed")
feed_id = by_password.create_feed(beta["feed_url"], category_id=created["id"])
check(feed_id == beta["id"], f"followed again: {feed_id}")
check(by_password.get_feed(feed_id)["category"]["title"] == "Evening", "in its new folder")
try:
    by_password.create_feed("https://elsewhere.example/feed.xml")
    check(False, "a reader may not add a source")
except miniflux.AccessForbidden:
    pass

opml = by_password.export_feeds()
check("<opml" in opml and "Evening" in opml, "OPML export")
print("all checks passed")
