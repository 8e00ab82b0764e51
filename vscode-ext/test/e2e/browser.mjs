// Drives code-server's workbench in Debian's Chromium (playwright-core, no downloaded browser):
// opens the folder with the extension under development and its test suite, takes the screenshot
// when the suite asks for it (ready.json), and exits with the suite's result.
//
// usage: node browser.mjs URL E2E_DIR SCREENSHOT.png [TIMEOUT_SECONDS]

import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, dir, screenshot, timeoutArg] = process.argv.slice(2);
const timeoutMs = Number(timeoutArg ?? 240) * 1000;
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
  ],
});
let exitCode = 1;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const done = new Promise((resolve) => {
    page.exposeFunction("codeAutomationExit", (code) => resolve(Number(code)));
  });
  await page.exposeFunction("codeAutomationLog", (type, args) => console.log(`[workbench ${type}]`, ...(args ?? [])));
  page.on("pageerror", (err) => console.log(`[page error] ${err.message}`));
  await page.goto(url, { waitUntil: "domcontentloaded" });

  const deadline = Date.now() + timeoutMs;
  let shot = false;
  let code;
  while (Date.now() < deadline) {
    if (!shot && existsSync(join(dir, "ready.json"))) {
      // Collapse the other Run and Debug views so the Timeline gets the room in the screenshot.
      await page.evaluate(() => {
        for (const header of document.querySelectorAll(".pane-header[aria-expanded='true']")) {
          if (/^(variables|watch|call stack|breakpoints)/i.test((header.textContent ?? "").trim())) header.click();
        }
      });
      await page.waitForTimeout(1500); // let the tree and editors render after the suite's last command
      const dom = await page.evaluate(() => {
        const panes = [...document.querySelectorAll(".pane")];
        const timeline = panes.find((p) => /debugtape timeline/i.test(p.querySelector(".pane-header")?.textContent ?? ""));
        const rows = timeline ? [...timeline.querySelectorAll(".monaco-list-row")].map((r) => r.textContent ?? "") : [];
        const status = [...document.querySelectorAll(".statusbar-item")].map((s) => s.textContent ?? "");
        const toasts = [...document.querySelectorAll(".notification-toast .notification-list-item-message")].map((m) => m.textContent ?? "");
        return { timelineFound: Boolean(timeline), timelineRows: rows, statusBar: status, notifications: toasts };
      });
      writeFileSync(join(dir, "dom.json"), JSON.stringify(dom, null, 2));
      await page.screenshot({ path: screenshot });
      writeFileSync(join(dir, "shot.done"), "");
      shot = true;
    }
    code = await Promise.race([done, new Promise((r) => setTimeout(() => r(undefined), 250))]);
    if (code !== undefined) break;
  }
  if (code === undefined) {
    console.log("timed out waiting for the extension tests to finish");
    await page.screenshot({ path: screenshot.replace(/\.png$/, "-timeout.png") }).catch(() => {});
  } else {
    exitCode = code;
  }
} finally {
  await browser.close().catch(() => {});
}
console.log(`extension tests exited with ${exitCode}`);
process.exit(exitCode);
