// Shared by the page checks: launches Debian's headless Chromium through playwright-core (no browser
// download), runs a check, and on failure prints a clear message, saves a screenshot into target/ and
// exits non-zero. The Java side (PageIT) only looks at the exit code and the output.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const TARGET = path.join(ROOT, 'target');

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

/** An assertion failure with a message meant for a person reading the test output. */
export class CheckFailed extends Error {}

export function check(condition, message) {
  if (!condition) {
    throw new CheckFailed(message);
  }
}

export function step(text) {
  console.log(`- ${text}`);
}

/**
 * Waits until `probe()` returns a truthy value and returns it; on timeout fails with `what` and the last
 * value seen, so the output says what the page showed instead.
 */
export async function eventually(what, probe, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last && !(last instanceof Seen)) {
        return last;
      }
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      const shown = last instanceof Seen ? last.value : last instanceof Error ? last.message : JSON.stringify(last);
      throw new CheckFailed(`${what}: not seen within ${timeoutMs} ms (last seen: ${shown})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A falsy probe answer that still says what was seen (eventually() reports it on timeout). */
export class Seen {
  constructor(value) {
    this.value = typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** Writes a screenshot of the page as it is now to target/screenshots/NAME.png, for a person to look at. */
export async function shot(page, name) {
  const dir = path.join(TARGET, 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
  step(`screenshot target/screenshots/${name}.png`);
}

/** Sets the text of one of the console's code editors (code, data, reduce). */
export async function setEditor(page, id, text) {
  await page.$eval(`#${id}`, (host, value) => { host.editor.value = value; }, text);
}

/** The text of one of the console's code editors. */
export async function editorText(page, id) {
  return page.$eval(`#${id}`, (host) => host.editor.value);
}

/** The page's data-testid selector. */
export const tid = (id) => `[data-testid="${id}"]`;

/**
 * Runs `body(page, browser)` in a fresh headless Chromium and exits the process: 0 when it returns,
 * 1 (with a screenshot target/browser-NAME-failure.png) when it throws.
 */
export async function runCheck(name, body) {
  const started = Date.now();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  let code = 0;
  try {
    await body(page, browser);
    check(problems.length === 0, `the page reported errors:\n  ${problems.join('\n  ')}`);
    console.log(`${name}: OK in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    code = 1;
    const shot = path.join(TARGET, `browser-${name}-failure.png`);
    try {
      mkdirSync(TARGET, { recursive: true });
      await page.screenshot({ path: shot, fullPage: true });
    } catch (shotError) {
      console.error(`(no screenshot: ${shotError.message})`);
    }
    console.error(`${name}: FAILED: ${e instanceof CheckFailed ? e.message : e.stack}`);
    if (problems.length) {
      console.error(`  the page also reported:\n  ${problems.join('\n  ')}`);
    }
    console.error(`  screenshot: ${shot}`);
  } finally {
    await browser.close().catch(() => {});
  }
  process.exit(code);
}

/** http://HOST:PORT/ -> HOST:PORT, the address a node goes by. */
export function addressOf(url) {
  return new URL(url).host;
}

export function usage(text) {
  console.error(`usage: ${text}`);
  process.exit(2);
}
