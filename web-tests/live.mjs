// Live updates in headless Chromium: a reader keeps the feed open while an
// editor publishes from the newsroom in another browser.
// Usage: node live.mjs BASE_URL SCREENSHOT_DIR EDITOR PASSWORD
// - the announcement ("1 new update") shows within a second of the publish,
//   without moving the page; axe-core finds nothing serious with it shown;
// - a click shows the update in place, and the entry the reader was looking
//   at stays where it was on the screen; "." does the same;
// - a hidden tab holds no stream and catches up when shown again;
// - an open article says when it was edited;
// - with JavaScript off the feed is as before.
// Prints the measured delays as JSON; exits non-zero on a failure.
import { mkdirSync } from "node:fs";
import { accessibilityProblems, check, launch } from "./common.mjs";

const [base, shots, editor, password] = process.argv.slice(2);
if (!base || !shots || !editor || !password) {
  console.error("usage: node live.mjs BASE_URL SCREENSHOT_DIR EDITOR PASSWORD");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const browser = await launch();
try {
  // The editor, in a browser of their own.
  const desk = await (await browser.newContext()).newPage();
  await desk.goto(`${base}/login`);
  await desk.fill("#name", editor);
  await desk.fill("#password", password);
  await desk.click('button[type="submit"]');
  await desk.waitForURL((url) => !url.pathname.startsWith("/login"));
  // Publishes a short update; resolves when the server has stored it
  // (the newsroom answers with the item's page), with the item's id.
  async function publish(text) {
    await desk.goto(`${base}/newsroom/new?kind=update`);
    await desk.fill("#markdown", text);
    await desk.click('button[value="publish"]');
    await desk.waitForURL(/\/items\/\d+$/);
    return Number(new URL(desk.url()).pathname.split("/")[2]);
  }

  const reader = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];
  await reader.goto(`${base}/`);
  const button = reader.locator("button.new-updates");
  check(await button.isHidden(), "the announcement shows before anything arrived");
  const entries = reader.locator("ol.entries > li");
  const before = await entries.count();
  check(before > 5, `the feed should hold more than 5 entries, has ${before}`);
  // The stream is open once the page's script has connected: give it a moment.
  await reader.waitForTimeout(500);

  // 1. Further down the page: announced, then shown in place.
  await reader.evaluate(() => document.querySelectorAll("ol.entries > li")[4].scrollIntoView());
  const watched = await entries.nth(4).getAttribute("data-id");
  const topOf = (id) => reader.evaluate((id) => document.querySelector(`li[data-id="${id}"]`).getBoundingClientRect().top, id);
  const watchedTop = await topOf(watched);
  const first = await publish("The harbour master says the last ferry leaves at ten tonight.");
  const published = Date.now();
  await button.waitFor({ state: "visible", timeout: 5000 });
  const announced = Date.now() - published;
  check(announced < 1000, `announced ${announced} ms after the publish (bar: 1 s)`);
  check((await button.innerText()).trim() === "1 new update", `announcement says ${await button.innerText()}`);
  check(Math.abs((await topOf(watched)) - watchedTop) < 1, "the announcement moved the page");
  check((await reader.locator(".live-updates[role=status][aria-live=polite]").count()) === 1, "the announcement is not a polite live region");
  problems.push(...(await accessibilityProblems(reader, "feed with an announcement")));
  await reader.screenshot({ path: `${shots}/live-announcement.png` });
  await button.click();
  await reader.locator(`li[data-id="${first}"]`).waitFor({ timeout: 5000 });
  check(await button.isHidden(), "the announcement stays after showing the update");
  const moved = Math.abs((await topOf(watched)) - watchedTop);
  check(moved < 1, `the entry in view moved by ${moved}px when the update was shown`);
  check((await entries.first().getAttribute("data-id")) === String(first), "the update is not first in the feed");
  check((await entries.count()) === before + 1, "showing the update did not add exactly one entry");

  // 2. At the top, by keyboard: "." shows it where the reader looks.
  await reader.evaluate(() => window.scrollTo(0, 0));
  const second = await publish("Road crews expect the coast road to reopen by noon.");
  await button.waitFor({ state: "visible", timeout: 5000 });
  await reader.keyboard.press(".");
  await reader.locator(`li[data-id="${second}"]`).waitFor({ timeout: 5000 });
  const secondTop = await topOf(second);
  check(secondTop >= 0 && secondTop < 900, `the update shown at the top is off screen (${secondTop}px)`);
  problems.push(...(await accessibilityProblems(reader, "feed with a new update shown")));
  await reader.screenshot({ path: `${shots}/live-shown.png` });

  // 3. A hidden tab closes its stream and catches up when shown again.
  const setHidden = (hidden) =>
    reader.evaluate((hidden) => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
      document.dispatchEvent(new Event("visibilitychange"));
    }, hidden);
  await setHidden(true);
  const third = await publish("Schools in the valley will open as normal tomorrow.");
  await reader.waitForTimeout(1500);
  check(await button.isHidden(), "a hidden tab still received updates");
  await setHidden(false);
  await button.waitFor({ state: "visible", timeout: 5000 });
  await button.click();
  await reader.locator(`li[data-id="${third}"]`).waitFor({ timeout: 5000 });

  // 4. An open article hears of its edit.
  await reader.goto(`${base}/items/${third}`);
  await reader.waitForTimeout(500);
  await desk.goto(`${base}/newsroom`);
  await desk.locator('a[href^="/newsroom/posts/"]').first().click();
  await desk.waitForURL(/\/newsroom\/posts\/\d+$/);
  await desk.fill("#markdown", "Schools in the valley will open an hour late tomorrow.");
  const edited = Date.now();
  await desk.click('button[value="publish"]');
  await desk.waitForURL(/\/items\/\d+$/);
  const note = reader.locator("p.edited");
  await reader.waitForFunction(() => document.querySelector("p.edited")?.textContent.includes("edited"), null, { timeout: 5000 });
  const editNoticed = Date.now() - edited;
  check((await note.locator("a").count()) === 1, "the edit notice has no reload link");
  problems.push(...(await accessibilityProblems(reader, "article with an edit notice")));
  await reader.screenshot({ path: `${shots}/live-edited.png` });

  // 5. Without JavaScript: the feed as it was, no announcement, Show More a link.
  const plain = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await plain.goto(`${base}/`);
  check((await plain.locator("ol.entries > li").count()) >= 20, "the feed without JavaScript lost entries");
  check(await plain.locator("button.new-updates").isHidden(), "the announcement shows without JavaScript");
  const more = await plain.locator("a.show-more").getAttribute("href");
  check(more && more.includes("cursor="), "Show More is not a plain link without JavaScript");

  check(problems.length === 0, `accessibility:\n${problems.join("\n")}`);
  console.log(JSON.stringify({ announced_ms: announced, edit_noticed_ms: editNoticed, entries: before }));
} finally {
  await browser.close();
}
