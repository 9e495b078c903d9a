// Browser end-to-end test of the reader's page, in headless Chromium.
// Usage: node feed.mjs BASE_URL SCREENSHOT_DIR EDITOR PASSWORD
// Signs in as the editor and publishes an article with a picture and a short
// update, sees both on the feed; walks "Show More" to the end and checks every item appears exactly once,
// opens an article with an author card, searches, and saves screenshots of
// the feed and an article in light and dark; axe-core must find no serious
// or critical accessibility violation on the feed, article, author,
// search, stories and story pages and an article's related articles.
// Exits non-zero on a failure.
import { mkdirSync } from "node:fs";
import { accessibilityProblems, check, launch } from "./common.mjs";

const [base, shots, editor, password] = process.argv.slice(2);
if (!base || !shots || !editor || !password) {
  console.error("usage: node feed.mjs BASE_URL SCREENSHOT_DIR EDITOR PASSWORD");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

// Every item the API lists (`params`: more of its query, such as
// "&duplicates=false").
async function apiItems(params = "") {
  const ids = [];
  let cursor = "";
  for (;;) {
    const r = await fetch(`${base}/api/v1/items?limit=100${params}${cursor ? `&cursor=${cursor}` : ""}`);
    const page = await r.json();
    ids.push(...page.items.map((i) => i));
    if (!page.next_cursor) return ids;
    cursor = encodeURIComponent(page.next_cursor);
  }
}

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];

  // The newsroom: the editor signs in (sent there by the newsroom link),
  // publishes an article with a picture, then a short update.
  await page.goto(`${base}/newsroom`);
  await page.waitForURL(/\/login/);
  problems.push(...(await accessibilityProblems(page, "sign-in")));
  await page.fill("#name", editor);
  await page.fill("#password", password);
  await page.click('button[type="submit"]');
  await page.waitForURL(/\/newsroom$/);
  check((await page.locator("header.site").innerText()).includes("Sign out"), "not signed in");
  // The account page: an app password for reader apps.
  await page.click("text=Account");
  await page.waitForURL(/\/account$/);
  problems.push(...(await accessibilityProblems(page, "account")));
  await page.fill("#password", "an-app-password-1");
  await page.fill("#again", "an-app-password-1");
  await page.click("text=Set the app password");
  await page.waitForURL(/\/account\/app-password$/);
  check((await page.content()).includes("An app password is set"), "the app password was not set");
  problems.push(...(await accessibilityProblems(page, "account, app password set")));
  await page.screenshot({ path: `${shots}/account.png`, fullPage: true });
  await page.goto(`${base}/newsroom`);
  await page.click("text=New article");
  await page.waitForURL(/\/newsroom\/new/);
  problems.push(...(await accessibilityProblems(page, "post form")));
  const headline = "Harbour reopens after the storm";
  await page.fill("#headline", headline);
  await page.fill("#markdown", "The harbour **reopened** at dawn.\n\nFerries resume on Tuesday, the port authority said.");
  await page.fill("#image_url", `${base}/demo/img/forest.svg`);
  await page.fill("#image_caption", "Boats return to the harbour");
  await page.fill("#image_credit", "Photo: Newsroom staff");
  await page.screenshot({ path: `${shots}/newsroom-form.png`, fullPage: true });
  await page.click('button[value="publish"]');
  await page.waitForURL(/\/items\/\d+$/);
  const articleId = Number(new URL(page.url()).pathname.split("/")[2]);
  check((await page.locator("h1").first().innerText()).includes(headline), "the published article's headline");
  check((await page.locator("figure img").count()) > 0, "the published article has no picture");
  check((await page.content()).includes("Photo: Newsroom staff"), "the picture's credit is missing");
  check((await page.locator("aside.author-card").count()) > 0, "the published article has no author card");
  await page.goto(`${base}/newsroom/new?kind=update`);
  const updateText = "Ferry operators say the first crossing leaves at six.";
  await page.fill("#markdown", updateText);
  await page.click('button[value="publish"]');
  await page.waitForURL(/\/items\/\d+$/);
  const updateId = Number(new URL(page.url()).pathname.split("/")[2]);
  await page.goto(`${base}/`);
  const firstPage = await page.$$eval('article.entry a[href^="/items/"]', (links) =>
    links.map((a) => Number(a.getAttribute("href").split("/")[2])),
  );
  check(firstPage.includes(articleId) && firstPage.includes(updateId), "the new posts are not on the feed's first page");
  check((await page.content()).includes(updateText), "the update's text is not on the feed");

  // The feed shows one card per article: near-duplicates on their
  // original's card.
  const items = await apiItems("&duplicates=false");
  check(items.length > 20, `the demo should hold more than a page of items, has ${items.length}`);

  // The feed, then "Show More" until there is none: every item once.
  await page.goto(`${base}/`);
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    problems.push(...(await accessibilityProblems(page, `feed (${scheme})`)));
  }
  await page.goto(`${base}/`);
  await page.emulateMedia({ colorScheme: "light" });
  await page.screenshot({ path: `${shots}/feed-light.png` });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: `${shots}/feed-dark.png` });
  let clicks = 0;
  for (;;) {
    const more = page.locator("a.show-more");
    if ((await more.count()) === 0) break;
    const before = await page.locator("article.entry").count();
    await more.first().click();
    await page.waitForFunction(
      (n) => document.querySelectorAll("article.entry").length > n,
      before,
      { timeout: 10000 },
    );
    clicks += 1;
    check(clicks < 200, "Show More never ends");
  }
  const shown = await page.$$eval("article.entry", (entries) =>
    entries.map((e) => {
      const a = e.querySelector('a[href^="/items/"]');
      return a ? Number(a.getAttribute("href").split("/")[2]) : null;
    }),
  );
  check(!shown.includes(null), "an entry without a link to its article");
  check(new Set(shown).size === shown.length, "an item appears twice after Show More");
  const expected = new Set(items.map((i) => i.id));
  check(
    shown.length === expected.size && shown.every((id) => expected.has(id)),
    `the page shows ${shown.length} items, the API ${expected.size}`,
  );
  check(page.url() === `${base}/`, "Show More in place keeps the address");

  // Keyboard: j / k move between entries, o opens, / goes to search.
  await page.goto(`${base}/`);
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  const marked = () =>
    page.$$eval("article.entry", (es) => es.findIndex((e) => e.classList.contains("current")));
  check((await marked()) === 1, "j j should mark the second entry");
  const focused = await page.evaluate(() => document.activeElement?.getAttribute("href") || "");
  check(focused.startsWith("/items/"), `j should focus the entry's link, not ${focused}`);
  await page.keyboard.press("k");
  check((await marked()) === 0, "k should go back to the first entry");
  const firstHref = await page.$eval('article.entry a[href^="/items/"]', (a) => a.getAttribute("href"));
  await page.keyboard.press("o");
  await page.waitForURL(`${base}${firstHref}`);
  await page.goBack();
  await page.keyboard.press("/");
  check(
    (await page.evaluate(() => document.activeElement?.getAttribute("type"))) === "search",
    "/ should focus the search box",
  );
  // Times: relative for the last week, the absolute time on hover.
  const rel = await page.evaluate(() => [
    window.relativeTime(new Date(Date.now() - 3 * 3600e3).toISOString(), Date.now()),
    window.relativeTime(new Date(Date.now() - 90e3).toISOString(), Date.now()),
    window.relativeTime("2020-01-01T00:00:00Z", Date.now()),
  ]);
  check(rel[0] === "3 h ago" && rel[1] === "1 min ago" && rel[2] === null, `relative times: ${rel}`);
  check(
    await page.$$eval("article.entry time", (ts) => ts.length > 0 && ts.every((t) => t.title.length > 5)),
    "every time shows its absolute date on hover",
  );

  // Light: the feed page with its own CSS and JS under 60 KB before images.
  let bytes = 0;
  for (const path of ["/", "/static/style.css", "/static/app.js"]) {
    bytes += (await (await fetch(`${base}${path}`)).arrayBuffer()).byteLength;
  }
  check(bytes < 60 * 1024, `the feed page weighs ${bytes} bytes before images`);
  // Down to 360 px wide without sideways scrolling.
  const narrow = await browser.newPage({ viewport: { width: 360, height: 740 } });
  for (const path of ["/", `/items/${items[0].id}`]) {
    await narrow.goto(`${base}${path}`);
    const width = await narrow.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 360, `${path} is ${width} px wide on a 360 px screen`);
  }
  await narrow.screenshot({ path: `${shots}/article-360.png`, fullPage: true });
  await narrow.close();

  // An article with its author card.
  const authored = items.find((i) => i.authors && i.authors.length > 0 && i.title);
  check(authored, "no item with an author in the demo");
  await page.goto(`${base}/items/${authored.id}`);
  const card = page.locator("aside.author-card").first();
  check(await card.isVisible(), "the article has no visible author card");
  check(
    (await card.innerText()).includes(authored.authors[0].name),
    "the author card does not name the author",
  );
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    problems.push(...(await accessibilityProblems(page, `article (${scheme})`)));
  }
  await page.goto(`${base}/items/${authored.id}`);
  await page.emulateMedia({ colorScheme: "light" });
  await page.screenshot({ path: `${shots}/article-light.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: `${shots}/article-dark.png`, fullPage: true });

  // The author's page, reached from the card.
  await page.goto(`${base}/items/${authored.id}`);
  await page.locator("aside.author-card .author-name a").first().click();
  await page.waitForURL(/\/authors\//);
  check(await page.locator("aside.author-card").first().isVisible(), "the author page has no card");
  const theirs = await page.$$eval('article.entry a[href^="/items/"]', (links) =>
    links.map((a) => Number(a.getAttribute("href").split("/")[2])),
  );
  check(theirs.includes(authored.id), "the author page does not list their article");
  problems.push(...(await accessibilityProblems(page, "author")));

  // Search finds the article by a word of its headline.
  const word = authored.title.split(/\W+/).find((w) => w.length > 5) || authored.title.split(/\s+/)[0];
  await page.goto(`${base}/search?q=${encodeURIComponent(word)}`);
  const found = await page.$$eval('article.entry a[href^="/items/"]', (links) =>
    links.map((a) => Number(a.getAttribute("href").split("/")[2])),
  );
  check(found.includes(authored.id), `searching "${word}" does not find item ${authored.id}`);
  problems.push(...(await accessibilityProblems(page, "search")));
  // The same search, best match first: the switch says which order is on.
  await page.getByRole("link", { name: "Best match" }).click();
  await page.waitForURL(/order=relevance/);
  const best = await page.$$eval('article.entry a[href^="/items/"]', (links) =>
    links.map((a) => Number(a.getAttribute("href").split("/")[2])),
  );
  check(best.includes(authored.id), `"${word}" by relevance does not find item ${authored.id}`);
  check(
    (await page.locator('.order [aria-current="true"]').textContent()) === "Best match",
    "the search page does not say it is ordered by best match",
  );
  await page.screenshot({ path: `${shots}/search-relevance.png`, fullPage: true });
  problems.push(...(await accessibilityProblems(page, "search by relevance")));

  // Stories: one card per story, the biggest coverage with its count of
  // sources; a story's page with its coverage by source and its timeline;
  // an article's related articles from other stories.
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(`${base}/stories`);
  const cards = page.locator(".story-card");
  check((await cards.count()) > 0, "the stories view shows no story");
  const counts = await page.locator(".story-card .sources-count").allTextContents();
  const widest = counts.findIndex((t) => parseInt(t, 10) >= 2);
  check(widest >= 0, `no story has two sources or more: ${counts.join(", ")}`);
  await page.screenshot({ path: `${shots}/stories-light.png`, fullPage: true });
  problems.push(...(await accessibilityProblems(page, "stories view")));
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: `${shots}/stories-dark.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: "light" });
  await cards.nth(widest).locator(".headline a").click();
  await page.waitForURL(/\/stories\/\d+$/);
  const sources = await page.locator(".source-coverage").count();
  check(sources >= 2, `the story page shows ${sources} source(s)`);
  const steps = await page.locator(".timeline li").count();
  check(steps >= 2, `the story's timeline has ${steps} entries`);
  await page.screenshot({ path: `${shots}/story-light.png`, fullPage: true });
  problems.push(...(await accessibilityProblems(page, "story page")));
  // From the story to an article of it, which links back.
  await page.locator(".timeline li a").first().click();
  await page.waitForURL(/\/items\/\d+$/);
  check((await page.locator(".story-link a").count()) === 1, "the article does not link to its story");
  // Related articles: some article of the feed shows up to three, none of
  // its own story.
  let related = null;
  for (const item of (await apiItems()).filter((i) => i.title && i.story_id !== null).slice(0, 12)) {
    await page.goto(`${base}/items/${item.id}`);
    const links = await page.locator(".related li a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    if (links.length > 0) {
      check(links.length <= 3, `${links.length} related articles on item ${item.id}`);
      const own = (await (await fetch(`${base}/api/v1/stories/${item.story_id}`)).json()).items.map((i) => `/items/${i.id}`);
      check(!links.some((l) => own.includes(l)), `item ${item.id} shows its own story as related`);
      related = item.id;
      break;
    }
  }
  check(related !== null, "no article shows related articles");
  await page.locator(".related").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${shots}/related-light.png`, fullPage: true });
  problems.push(...(await accessibilityProblems(page, "article with related articles")));
  check(problems.length === 0, `accessibility:\n${problems.join("\n")}`);

  console.log(
    JSON.stringify({ items: shown.length, show_more_clicks: clicks, article: authored.id, search: word, page_bytes: bytes }),
  );
} finally {
  await browser.close();
}
