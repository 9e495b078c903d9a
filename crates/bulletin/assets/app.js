// "Show More" loads the next page in place; without JavaScript it is a plain link.
document.addEventListener("click", async (event) => {
  const link = event.target.closest("a.show-more");
  if (!link) return;
  event.preventDefault();
  link.textContent = "Loading…";
  try {
    const response = await fetch(link.href, { headers: { Accept: "text/html" } });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    document.getElementById("entries").append(...page.querySelectorAll("#entries > li"));
    const next = page.querySelector("a.show-more");
    if (next) { link.href = next.href; link.textContent = "Show More"; } else { link.parentElement.remove(); }
  } catch (error) {
    window.location.href = link.href;
  }
});

// Relative times ("3 h ago") for the last week; the absolute time stays in
// the title, shown on hover. Older items keep their date.
function relativeTime(iso, now) {
  const seconds = (now - Date.parse(iso)) / 1000;
  if (!(seconds >= 0) || seconds > 7 * 86400) return null;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  const days = Math.floor(seconds / 86400);
  return days === 1 ? "yesterday" : `${days} days ago`;
}
window.relativeTime = relativeTime;
function relativeTimes(root) {
  for (const time of root.querySelectorAll("time[datetime]")) {
    const text = relativeTime(time.getAttribute("datetime"), Date.now());
    if (text) time.textContent = text;
  }
}
relativeTimes(document);
// They keep counting while the page is open (not in a hidden tab).
setInterval(() => { if (!document.hidden) relativeTimes(document); }, 30000);
new MutationObserver((changes) => {
  for (const change of changes) for (const node of change.addedNodes) if (node.querySelectorAll) relativeTimes(node);
}).observe(document.body, { childList: true, subtree: true });

// Keyboard: j / k next and previous entry, o opens it, / searches.
let current = -1;
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const typing = event.target.closest && event.target.closest("input, textarea, select, [contenteditable]");
  if (typing) return;
  const entries = [...document.querySelectorAll("article.entry")];
  if (event.key === "/") {
    const search = document.querySelector('input[type="search"]');
    if (search) { event.preventDefault(); search.focus(); }
  } else if ((event.key === "j" || event.key === "k") && entries.length) {
    event.preventDefault();
    current = Math.max(0, Math.min(entries.length - 1, current + (event.key === "j" ? 1 : -1)));
    entries.forEach((e, i) => e.classList.toggle("current", i === current));
    const link = entries[current].querySelector('a[href^="/items/"]');
    if (link) link.focus({ preventScroll: true });
    entries[current].scrollIntoView({ block: "nearest" });
  } else if (event.key === "." && window.showNewUpdates) {
    event.preventDefault();
    window.showNewUpdates();
  } else if (event.key === "o" && entries[current]) {
    const link = entries[current].querySelector('a[href^="/items/"]');
    if (link) window.location.href = link.href;
  }
});

// A file input with data-fills="ID" reads the chosen file into that
// textarea (the OPML import: the form posts text, no upload needed).
document.addEventListener("change", async (event) => {
  const input = event.target.closest("input[type=file][data-fills]");
  const file = input && input.files[0];
  if (!file) return;
  document.getElementById(input.dataset.fills).value = await file.text();
});

// Live updates. An open feed hears of new items (Server-Sent Events from
// /api/v1/events) and says how many at the top, in a floating button that
// does not move the page; a click or "." puts them in place, and the entry
// the reader was looking at stays where it was. An open article says when
// it was edited. Hidden tabs close the stream and catch up on return (the
// last event id says where they were). Without JavaScript the page is as
// it was.
(() => {
  const list = document.querySelector("ol.entries[data-live]");
  const article = document.querySelector("[data-live-item]");
  if (!window.EventSource || (!list && !article)) return;
  // The page says where in the change log it was made, so what arrives
  // between its making and the stream's start is not missed.
  const url = new URL(list ? list.dataset.live : article.dataset.liveEvents, window.location.href);
  const button = document.querySelector("button.new-updates");
  const pending = new Set();
  let last = null;
  let stream = null;

  const shown = (id) => list.querySelector(`li[data-id="${CSS.escape(String(id))}"]`);
  function announce() {
    if (!button) return;
    const n = pending.size;
    button.hidden = n === 0;
    button.textContent = n === 1 ? "1 new update" : `${n} new updates`;
  }
  function onItem(item) {
    if (list) {
      if (shown(item.id) || item.duplicate_of) return;
      pending.add(item.id);
      announce();
    } else if (String(item.id) === article.dataset.liveItem) {
      const at = new Date(item.modified_at || Date.now());
      say(`This article was edited at ${at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}. `, "Reload to read it");
    }
  }
  function onRemoved(removed) {
    if (list) {
      pending.delete(removed.id);
      announce();
    } else if (String(removed.id) === article.dataset.liveItem) {
      say("This article has been removed.", null);
    }
  }
  function say(text, linkText) {
    const note = article.querySelector(".edited");
    if (!note) return;
    note.textContent = text;
    if (linkText) {
      const link = document.createElement("a");
      link.href = window.location.pathname;
      link.textContent = linkText;
      note.append(link);
    }
  }
  // The first entry whose top is in view: what the reader is looking at.
  function anchorEntry() {
    for (const li of list.children) if (li.getBoundingClientRect().bottom > 0) return li;
    return null;
  }
  function insertInOrder(li) {
    const published = li.dataset.published;
    for (const other of list.children) {
      if ((other.dataset.published || "") <= published) { list.insertBefore(li, other); return; }
    }
    list.append(li);
  }
  async function showPending() {
    if (!pending.size) return;
    const ids = [...pending].slice(0, 100);
    let html;
    try {
      const response = await fetch(`/cards?ids=${ids.join(",")}`, { headers: { Accept: "text/html" } });
      if (!response.ok) return;
      html = await response.text();
    } catch (error) {
      return;
    }
    const cards = new DOMParser().parseFromString(`<ol>${html}</ol>`, "text/html").querySelectorAll("li[data-id]");
    // At the top of the list the new entries are what the reader sees;
    // further down, the entry in view keeps its place on the screen.
    const atTop = list.getBoundingClientRect().top >= 0;
    const anchor = atTop ? null : anchorEntry();
    const before = anchor && anchor.getBoundingClientRect().top;
    const fresh = [];
    for (const card of cards) {
      if (shown(card.dataset.id)) continue;
      const li = document.importNode(card, true);
      insertInOrder(li);
      li.querySelector("article")?.classList.add("fresh");
      fresh.push(li);
    }
    ids.forEach((id) => pending.delete(id));
    announce();
    if (anchor) window.scrollBy(0, anchor.getBoundingClientRect().top - before);
    document.querySelector("p.empty")?.remove();
    const link = atTop && fresh[0] && fresh[0].querySelector('a[href^="/items/"]');
    if (link) link.focus({ preventScroll: true });
  }
  if (button) button.addEventListener("click", showPending);
  window.showNewUpdates = showPending;

  function connect() {
    if (stream) return;
    if (last) url.searchParams.set("last_event_id", last);
    stream = new EventSource(url.href);
    const on = (name, handle) => stream.addEventListener(name, (event) => {
      if (event.lastEventId) last = event.lastEventId;
      if (handle) handle(JSON.parse(event.data));
    });
    on("ready", null);
    on("item", onItem);
    on("removed", onRemoved);
    on("reset", null);
  }
  function disconnect() {
    if (stream) { stream.close(); stream = null; }
  }
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) { disconnect(); } else { connect(); relativeTimes(document); }
  });
  if (!document.hidden) connect();
})();
