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
