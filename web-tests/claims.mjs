// Browser test of who said what, in headless Chromium.
// Usage: node claims.mjs BASE_URL SCREENSHOT_DIR
// The server holds the reference article (an article written from the
// reference page's sentences, published 2025-05-25). Opens the main
// speaker's page: his role, his two claims with their resolved dates, and
// links to the sentences; follows one to the article, whose "Who said what"
// marks every speaker and shows the resolved date on hover; opens an
// organisation's page and a place's (China, which speaks for its
// government). axe-core must find no serious or critical
// violation on any of them, in light or dark. Exits non-zero on a failure.
import { mkdirSync } from "node:fs";
import { accessibilityProblems, check, launch } from "./common.mjs";

const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error("usage: node claims.mjs BASE_URL SCREENSHOT_DIR");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const browser = await launch();
try {
  const problems = [];
  for (const colorScheme of ["light", "dark"]) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, colorScheme });

    // The person's page.
    await page.goto(`${base}/people/oleh-ivashchenko`);
    check((await page.locator("h1").innerText()) === "Oleh Ivashchenko", "the person's name as the heading");
    check(
      (await page.locator(".roles").innerText()).includes("head of Ukraine's Foreign Intelligence Service"),
      "the role the article gives him",
    );
    const claims = page.locator("li.claim");
    check((await claims.count()) === 2, `two claims, found ${await claims.count()}`);
    const said = page.locator("time.said");
    const titles = await said.evaluateAll((ts) => ts.map((t) => t.getAttribute("title")));
    check(
      titles.includes("Said 25 May 2025") && titles.includes("Said 19 May 2025"),
      `the resolved dates, found ${titles}`,
    );
    check((await page.locator('link[type="application/atom+xml"][href$="/people/oleh-ivashchenko/feed.atom"]').count()) === 1, "the page names its Atom feed");
    problems.push(...(await accessibilityProblems(page, `person (${colorScheme})`)));
    await page.screenshot({ path: `${shots}/person-${colorScheme}.png`, fullPage: true });

    // To the sentence in the article.
    const link = page.locator('li.claim a[href*="#claim-"]').first();
    const target = (await link.getAttribute("href")).split("#")[1];
    await link.click();
    await page.waitForURL(/\/items\/\d+#claim-\d+$/);
    check((await page.locator(`#${target}`).count()) === 1, "the claim the link names is on the article's page");
    const section = page.locator("section.claims");
    check((await section.locator("h2").innerText()).toLowerCase().includes("who said what"), "the article's claims heading");
    const speakers = await section.locator("a.speaker").allInnerTexts();
    for (const who of ["Oleh Ivashchenko", "Volodymyr Zelensky", "NATO", "US Defense Intelligence Agency", "China"]) {
      check(speakers.includes(who), `${who} marked as a speaker, found ${speakers}`);
    }
    // Hovering a claim's time shows the day it resolves to.
    const april = section.locator('time.said[datetime="2025-04-17"]');
    await april.hover();
    check((await april.getAttribute("title")) === "Said 17 April 2025", "the hover title of the resolved date");
    check((await april.evaluate((t) => getComputedStyle(t).cursor)) === "help", "a resolved date looks hoverable");
    problems.push(...(await accessibilityProblems(page, `article claims (${colorScheme})`)));
    await section.screenshot({ path: `${shots}/article-claims-${colorScheme}.png` });

    // An organisation, through the speaker link.
    await section.locator("a.speaker", { hasText: "NATO" }).first().click();
    await page.waitForURL(/\/organisations\/nato$/);
    check((await page.locator("li.claim").innerText()).includes("decisive enabler"), "NATO's claim on its page");
    problems.push(...(await accessibilityProblems(page, `organisation (${colorScheme})`)));

    // A place, through the speaker link on the article's page.
    await page.goBack();
    await page.locator("section.claims a.speaker", { hasText: "China" }).first().click();
    await page.waitForURL(/\/places\/china$/);
    check((await page.locator("h1").innerText()) === "China", "the place's name as the heading");
    check((await page.locator("li.claim").innerText()).includes("groundless accusations"), "China's claim on its page");
    problems.push(...(await accessibilityProblems(page, `place (${colorScheme})`)));
    await page.screenshot({ path: `${shots}/place-${colorScheme}.png`, fullPage: true });
    await page.close();
  }
  check(problems.length === 0, `accessibility problems:\n${problems.join("\n")}`);
  console.log("claims pages: person, article, organisation and place checked in light and dark; axe clean");
} finally {
  await browser.close();
}
