// Not a check: captures the page while a job runs (and once it ended), to see how it reads.
//   node screenshot.mjs BASE_URL [OUT_PREFIX]   -> OUT_PREFIX-running.png, OUT_PREFIX-done.png
import { chromium } from 'playwright-core';
import path from 'node:path';
import { TARGET } from './lib.mjs';

const [base, prefix = path.join(TARGET, 'page')] = process.argv.slice(2);
if (!base) {
  console.error('usage: node screenshot.mjs BASE_URL [OUT_PREFIX]');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  await page.goto(base);
  await page.waitForSelector('[data-testid="live"][data-state="open"]');
  await page.$eval('#code', (host, text) => { host.editor.value = text; }, `(xs, ctx) => {
  console.log('part ' + ctx.partition + ' on ' + ctx.node);
  const end = Date.now() + 600 * ctx.partition; // later parts take longer
  while (Date.now() < end) {}
  return xs.map(x => x * x);
}`);
  await page.fill('#partitions', '6');
  await page.$eval('#reduce', (host) => { host.editor.value = '(parts) => parts.flat()'; });
  await page.click('#run');
  await page.waitForFunction(() => /^[3-5] \//.test(document.getElementById('progress-text').textContent),
    null, { timeout: 30000 });
  await page.screenshot({ path: `${prefix}-running.png`, fullPage: true });
  await page.waitForSelector('[data-testid="run-status"]:not([data-status="running"])', { timeout: 30000 });
  await page.screenshot({ path: `${prefix}-done.png`, fullPage: true });
  console.log(`saved ${prefix}-running.png and ${prefix}-done.png`);
} finally {
  await browser.close();
}
