// Clicks every link of every page given and fails if any script runs.
// Usage: node hostile.mjs BASE_URL PATH...
// Run by crates/bulletin/tests/hostile.rs against pages built from feeds,
// newsroom posts and OPML whose every URL field was hostile. Script counts
// as "run" when it opens a dialog (alert, confirm, prompt), calls one of
// those functions, or sets window.__pwned; requests leaving the server are
// aborted, so nothing waits on the network.
import { chromium } from "playwright-core";

const [base, ...paths] = process.argv.slice(2);
if (!base || paths.length === 0) {
  console.error("usage: node hostile.mjs BASE_URL PATH...");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const ran = [];
let clicks = 0;
try {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    for (const name of ["alert", "confirm", "prompt"]) {
      window[name] = (...args) => {
        window.__pwned = `${name}(${args.join(",")})`;
      };
    }
    // A click on an http(s) link would only load another page (each page
    // is checked on its own): it is stopped after every handler ran. A
    // click on anything else goes ahead, and runs whatever it would run.
    window.addEventListener("click", (event) => {
      const link = event.target.closest && event.target.closest("a[href]");
      if (link && (link.protocol === "http:" || link.protocol === "https:")) {
        event.preventDefault();
      }
    });
  });
  // Leave nothing to the network but this server.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    return url.startsWith(base) ? route.continue() : route.abort();
  });
  const page = await context.newPage();
  page.on("dialog", async (dialog) => {
    ran.push(`dialog "${dialog.message()}" on ${page.url()}`);
    await dialog.dismiss();
  });
  const pwned = async (where) => {
    const mark = await page.evaluate(() => window.__pwned).catch(() => undefined);
    if (mark) ran.push(`${mark} after ${where}`);
  };

  for (const path of paths) {
    const url = `${base}${path}`;
    await page.goto(url, { waitUntil: "domcontentloaded" });
    await pwned(`loading ${path}`);
    const count = await page.locator("a[href]").count();
    for (let i = 0; i < count; i++) {
      if (page.url() !== url) {
        await page.goto(url, { waitUntil: "domcontentloaded" }).catch(() => {});
      }
      const link = page.locator("a[href]").nth(i);
      const href = await link.getAttribute("href").catch(() => null);
      if (href === null) continue;
      // Same-page links only: following one away is checked when that
      // page is loaded; clicking runs what the href would run.
      await link.click({ timeout: 2000, noWaitAfter: true, force: true }).catch(() => {});
      clicks++;
      await page.waitForTimeout(5);
      await pwned(`clicking ${href} on ${path}`);
    }
  }
} finally {
  await browser.close();
}
if (ran.length > 0) {
  console.error(`script ran:\n${ran.join("\n")}`);
  process.exit(1);
}
console.log(`hostile pages: ${paths.length} pages, ${clicks} links clicked, no script ran`);
