// Opens a debugtape report in Debian's Chromium (headless) and prints what a person would see, as JSON.
// usage: node check_report.mjs REPORT.html SCREENSHOT.png [SNAPSHOT_TO_CLICK]
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";

const [report, screenshot, clickArg] = process.argv.slice(2);
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const executablePath = process.env.DEBUGTAPE_CHROMIUM || "/usr/bin/chromium";
const url = pathToFileURL(report).href;

const browser = await chromium.launch({ executablePath, args: FLAGS, headless: true });
const out = { requests: [], errors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("request", (r) => { if (r.url() !== url) out.requests.push(r.url()); });
  page.on("pageerror", (e) => out.errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") out.errors.push(m.text()); });
  const t0 = Date.now();
  await page.goto(url, { waitUntil: "load", timeout: 60000 });
  await page.waitForSelector("body[data-ready='1']", { timeout: 60000 });
  out.wallToReadyMs = Date.now() - t0;
  out.readyMs = await page.evaluate(() => window.__debugtapeReady);
  out.markers = await page.locator("#timeline .snap").count();
  out.shown = Number(await page.locator("#timeline").getAttribute("data-shown"));
  out.countText = await page.locator("#snap-count").textContent();
  const k = clickArg === undefined ? 0 : Number(clickArg);
  const marker = page.locator("#timeline .snap").nth(k);
  const tc = Date.now();
  // Markers close in time overlap: dispatch the click on this marker, not at its position.
  await marker.dispatchEvent("click");
  await page.waitForSelector("#detail .frame", { timeout: 30000 });
  out.clickToDetailMs = Date.now() - tc;
  out.detailIndex = await page.locator("#detail").getAttribute("data-i");
  out.detailTitle = await page.locator("#detail h3").first().textContent();
  out.localNames = await page.locator("#detail .frame").first().locator("table[data-kind='locals'] td:first-child").allTextContents();
  out.localValues = await page.locator("#detail .frame").first().locator("table[data-kind='locals'] td.val").allTextContents();
  out.argNames = await page.locator("#detail .frame").first().locator("table[data-kind='args'] td:first-child").allTextContents();
  out.argValues = await page.locator("#detail .frame").first().locator("table[data-kind='args'] td.val").allTextContents();
  out.sourceLines = await page.locator("#detail pre.src").allTextContents();
  // The other views must draw without errors too.
  const shot = async (tab) => { if (screenshot) await page.screenshot({ path: screenshot.replace(/\.png$/, "-" + tab + ".png") }); };
  await page.click("#tabs [data-tab='flame']");
  out.flameBoxes = await page.locator("#flame .fb").count();
  out.flameTitles = await page.locator("#flame .fb").evaluateAll((els) => els.map((e) => e.title));
  out.hotRows = await page.locator("#hot tbody tr").count();
  await shot("flame");
  await page.click("#tabs [data-tab='breakpoints']");
  out.breakpointRows = await page.locator("#bp-table tbody tr").count();
  const compare = page.locator("#bp-table button[data-cmp]").first();
  if (await compare.count()) {
    await compare.click();
    out.compareRows = await page.locator("#compare tbody tr").count();
    out.compareDiffers = await page.locator("#compare tbody tr.diff td:first-child").allTextContents();
  }
  await shot("breakpoints");
  await page.click("#tabs [data-tab='timeline']");
  await page.fill("#filter", "no-such-symbol-anywhere");
  // The page's CSP forbids eval, so poll an attribute rather than waitForFunction.
  const shownAfter = async () => { await page.waitForTimeout(400); return Number(await page.locator("#timeline").getAttribute("data-shown")); };
  out.shownFilteredOut = await shownAfter();
  await page.fill("#filter", process.env.DEBUGTAPE_FILTER || "");
  out.shownFiltered = await shownAfter();
  out.listRowsFiltered = await page.locator("#snap-list tbody tr").count();
  await page.fill("#filter", "");
  await page.waitForTimeout(300);
  await page.uncheck("#aligned"); // wall clock: file changes and commits get their lane
  out.changeMarks = await page.locator("#timeline .chg").count();
  out.markersWallClock = await page.locator("#timeline .snap").count();
  await page.check("#aligned");
  await page.locator("#timeline .snap").nth(k).dispatchEvent("click");
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: false });
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
