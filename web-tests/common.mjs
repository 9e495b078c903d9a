// What the browser tests share: checks, axe-core, and the launch of
// Debian's Chromium.
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

// Serious and critical accessibility violations on the page, by axe-core.
export async function accessibilityProblems(page, name) {
  // Evaluated through the DevTools protocol: the page's Content-Security-
  // Policy (no inline script) rightly refuses an injected <script> tag.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => await window.axe.run(document));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${name}: ${v.id} (${v.impact}) on ${v.nodes.length} element(s): ${v.help}`);
}

export function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
}
