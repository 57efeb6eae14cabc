// The task stream and the live node view during a job: a 6-part job on 3 nodes (parts of a few seconds)
// shows 6 bars in 3 lanes while it runs and once it ended; a bar's hover names its part, node, elapsed time
// and attempts; the running counts on the page match /api/peers while parts run; a second tab that picks the
// job from the job list follows it live to the end. Screenshots of each state go to target/screenshots/.
//   node stream.mjs BASE_URL NODE_ADDRESS NODE_ADDRESS NODE_ADDRESS
import { Seen, check, eventually, runCheck, setEditor, shot, step, tid, usage } from './lib.mjs';

const [base, ...nodes] = process.argv.slice(2);
if (!base || nodes.length !== 3) {
  usage('node stream.mjs BASE_URL NODE_ADDRESS NODE_ADDRESS NODE_ADDRESS');
}

// two parts per node, each busy for 6 s: long enough to see them run, short enough for a test
const SLOW = `(xs, ctx) => {
  const end = Date.now() + 6000;
  while (Date.now() < end) {}
  return xs.map(x => x + ctx.partition);
}`;

/** Bars and lanes of the task stream on `page`. */
async function stream(page) {
  return page.evaluate(() => ({
    lanes: [...document.querySelectorAll('[data-testid="stream-lane"]')].map((lane) => ({
      node: lane.dataset.node,
      bars: [...lane.querySelectorAll('[data-testid="stream-bar"]')].map((b) => ({ index: Number(b.dataset.index),
        status: b.dataset.status, node: b.dataset.node })),
    })),
  }));
}

/** Passes when the stream has 6 bars of `status`, two in each of the three nodes' lanes, parts 0..5 once each. */
function sixBarsInThreeLanes(seen, status) {
  const lanes = seen.lanes;
  const bars = lanes.flatMap((l) => l.bars);
  const indexes = bars.map((b) => b.index).sort((a, b) => a - b).join(',');
  return lanes.length === 3 && JSON.stringify(lanes.map((l) => l.node).sort()) === JSON.stringify([...nodes].sort())
    && lanes.every((l) => l.bars.length === 2 && l.bars.every((b) => b.node === l.node))
    && bars.length === 6 && indexes === '0,1,2,3,4,5' && bars.every((b) => b.status === status);
}

/** The running counts the page shows per node, and those /api/peers answers, side by side. */
async function runningCounts(page) {
  return page.evaluate(async () => {
    const shown = Object.fromEntries([...document.querySelectorAll('[data-testid="peer-row"]')].map((row) =>
      [row.dataset.address, row.querySelector('[data-testid="peer-running"]').textContent]));
    const api = await (await fetch('/api/peers', { cache: 'no-store' })).json();
    return { shown, api: Object.fromEntries(api.peers.map((p) => [p.address, String(p.running)])) };
  });
}

await runCheck('stream', async (page, browser) => {
  step(`open ${base}`);
  await page.goto(base);
  await eventually('live updates connected', async () => (await page.getAttribute(tid('live'), 'data-state')) === 'open');
  await eventually('the three nodes listed with their stats', async () => {
    const rows = await page.$$eval(tid('peer-row'), (list) => list.map((r) => [r.dataset.address,
      r.querySelector('[data-testid="peer-cpu"]').textContent]));
    return (rows.length === 3 && rows.every(([, cpu]) => /%$/.test(cpu))) || new Seen(rows);
  }, 30000);

  step('run 6 parts of 6 s each over the 3 nodes');
  await setEditor(page, 'code', SLOW);
  await setEditor(page, 'data', JSON.stringify([1, 2, 3, 4, 5, 6]));
  await setEditor(page, 'reduce', '');
  await page.fill('#partitions', '6');
  await page.click(tid('run'));

  await eventually('6 running bars in 3 lanes, two per node', async () => {
    const seen = await stream(page);
    return sixBarsInThreeLanes(seen, 'running') || new Seen(seen);
  }, 15000);
  step('6 running bars in 3 lanes');

  step('the running counts on the page match /api/peers while the parts run');
  const counts = await eventually('running counts on the page equal to /api/peers, 6 parts running in all', async () => {
    const seen = await runningCounts(page);
    const total = Object.values(seen.shown).reduce((sum, n) => sum + (Number(n) || 0), 0);
    const same = JSON.stringify(seen.shown) === JSON.stringify(Object.fromEntries(Object.keys(seen.shown).map((a) =>
      [a, seen.api[a]])));
    return same && total === 6 ? seen : new Seen(seen);
  }, 20000);
  step(`running per node: ${JSON.stringify(counts.shown)}`);

  step('hovering a bar tells its part, node, elapsed time and attempts');
  const bar = page.locator(`${tid('stream-bar')}[data-index="0"]`);
  const node = await bar.getAttribute('data-node');
  await bar.hover();
  const tip = await eventually('the bar\'s hover', async () => {
    const text = (await page.isVisible(tid('stream-tip'))) && await page.textContent(tid('stream-tip'));
    return text || new Seen('hidden');
  });
  check(tip.includes('part #0') && tip.includes(`node ${node}`) && /elapsed \d/.test(tip) && tip.includes('attempts 1'),
    `the hover should name part #0, node ${node}, its elapsed time and attempts; it reads ${JSON.stringify(tip)}`);
  await shot(page, 'stream-running');

  step('a second tab picks the running job from the job list and follows it');
  const id = await page.textContent(tid('run-id'));
  const other = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const problems = [];
  other.on('pageerror', (e) => problems.push(e.message));
  await other.goto(base);
  await eventually('the job in the second tab\'s list', async () =>
    (await other.locator(`${tid('job-row')}[data-id="${id}"]`).count()) === 1);
  await other.click(`${tid('job-row')}[data-id="${id}"]`);
  await eventually('the second tab shows the job with 6 bars in 3 lanes', async () => {
    const seen = await stream(other);
    const shownId = await other.textContent(tid('run-id'));
    return (shownId === id && seen.lanes.length === 3 && seen.lanes.flatMap((l) => l.bars).length === 6) || new Seen(seen);
  });
  await shot(other, 'stream-watched-running');

  await eventually('the job completes', async () => (await page.getAttribute(tid('run-status'), 'data-status')) === 'completed', 40000);
  await eventually('6 done bars in 3 lanes', async () => {
    const seen = await stream(page);
    return sixBarsInThreeLanes(seen, 'done') || new Seen(seen);
  });
  const result = JSON.parse(await page.textContent(tid('result')));
  check(JSON.stringify(result) === '[[1],[3],[5],[7],[9],[11]]', `result ${JSON.stringify(result)}`);
  await shot(page, 'stream-completed');

  await eventually('the second tab sees the job complete, 6 done bars', async () => {
    const status = await other.getAttribute(tid('run-status'), 'data-status');
    const seen = await stream(other);
    return (status === 'completed' && sixBarsInThreeLanes(seen, 'done')) || new Seen({ status, seen });
  }, 20000);
  check(JSON.stringify(JSON.parse(await other.textContent(tid('result')))) === JSON.stringify(result),
    'the second tab shows the same result');
  await shot(other, 'stream-watched-completed');
  check(problems.length === 0, `the second tab reported errors: ${problems}`);

  await eventually('running counts back to 0 on the page', async () => {
    const seen = await runningCounts(page);
    return Object.values(seen.shown).every((n) => n === '0') || new Seen(seen);
  }, 15000);
});
