// The job console, driven like a person would: run a map job, watch its parts arrive and check the exact
// result; run a job that throws and check the error's code, partition, node and line; cancel a long job.
//   node console.mjs BASE_URL [NODE_ADDRESS ...]
// NODE_ADDRESS: the cluster's nodes; each must run at least one part of the map job (default: any node).
import { Seen, addressOf, check, eventually, runCheck, step, tid, usage } from './lib.mjs';

const [base, ...nodes] = process.argv.slice(2);
if (!base) {
  usage('node console.mjs BASE_URL [NODE_ADDRESS ...]');
}

const SQUARES = `(xs, ctx) => {
  console.log('part ' + ctx.partition + ' on ' + ctx.node);
  if (ctx.partition === ctx.partitions - 1) {
    const end = Date.now() + 2500; // the last part lags, so progress is seen before the end
    while (Date.now() < end) {}
  }
  return xs.map(x => x * x);
}`;

const THROWS = `(xs, ctx) => {
  if (ctx.partition === 1) {
    throw new Error('bad part ' + ctx.partition);
  }
  return xs;
}`;

const SPINS = `(xs) => {
  const end = Date.now() + 60000;
  while (Date.now() < end) {}
  return xs;
}`;

async function fillJob(page, { code, data, partitions, reduce = '', mode = 'map' }) {
  await page.fill('#code', code);
  await page.fill('#data', JSON.stringify(data));
  await page.selectOption('#mode', mode);
  await page.fill('#partitions', String(partitions));
  await page.fill('#reduce', reduce);
}

async function text(page, id) {
  return (await page.textContent(tid(id)))?.trim();
}

async function awaitStatus(page, status, timeoutMs) {
  await eventually(`run status "${status}"`, async () => {
    const shown = await page.getAttribute(tid('run-status'), 'data-status');
    return shown === status || new Seen(shown);
  }, timeoutMs);
}

/** Records every progress text shown while the job's status badge says "running". */
async function recordProgress(page) {
  await page.evaluate(() => {
    window.progressSeen = [];
    new MutationObserver(() => {
      const status = document.getElementById('run-status').dataset.status;
      window.progressSeen.push(`${status} ${document.getElementById('progress-text').textContent}`);
    }).observe(document.getElementById('progress-text'), { childList: true, characterData: true, subtree: true });
  });
}

async function mapJob(page) {
  step('run a map job: squares of 1..16 in 4 partitions, reduce flattens');
  const data = Array.from({ length: 16 }, (_, i) => i + 1);
  await fillJob(page, { code: SQUARES, data, partitions: 4, reduce: '(parts) => parts.flat()' });
  await recordProgress(page);
  await page.click(tid('run'));
  check(await page.isEnabled(tid('cancel')), 'Cancel should be enabled while the job runs');
  await awaitStatus(page, 'completed', 30000);

  const result = JSON.parse(await text(page, 'result'));
  const expected = data.map((x) => x * x);
  check(JSON.stringify(result) === JSON.stringify(expected),
    `result should be ${JSON.stringify(expected)}, page shows ${JSON.stringify(result)}`);
  check(await text(page, 'progress-text') === '4 / 4', `progress should read 4 / 4, not ${await text(page, 'progress-text')}`);

  const seen = await page.evaluate(() => window.progressSeen);
  check(seen.some((s) => /^running [123] \/ 4$/.test(s)),
    `parts should appear one by one while the job runs; progress seen: ${JSON.stringify(seen)}`);

  const parts = await page.$$eval(`${tid('part-row')}`, (rows) => rows.map((r) => ({
    index: Number(r.dataset.index), status: r.dataset.status,
    node: r.querySelector('[data-testid="part-node"]').textContent,
    logs: r.querySelector('[data-testid="part-logs"]').textContent,
    elapsed: r.querySelector('[data-testid="part-elapsed"]').textContent })));
  check(parts.length === 4, `4 part rows expected, page shows ${parts.length}`);
  for (const p of parts) {
    check(p.status === 'done', `part ${p.index} should be done, is ${p.status}`);
    check(p.logs.includes(`part ${p.index} on ${p.node}`),
      `part ${p.index}'s logs should say it ran on ${p.node}; they read ${JSON.stringify(p.logs)}`);
    check(/\d+(\.\d)? (ms|s)/.test(p.elapsed), `part ${p.index} should show its elapsed time, shows ${p.elapsed}`);
    check(nodes.length === 0 || nodes.includes(p.node), `part ${p.index} ran on ${p.node}, not one of ${nodes}`);
  }
  const used = new Set(parts.map((p) => p.node));
  for (const node of nodes) {
    check(used.has(node), `node ${node} should have run a part; parts ran on ${[...used]}`);
  }
  step(`completed over ${[...used].join(', ')}: ${JSON.stringify(result)}`);

  const id = await text(page, 'run-id');
  await eventually(`job ${id} listed as completed 4 / 4 in the recent jobs`, async () => {
    const row = page.locator(`${tid('job-row')}[data-id="${id}"]`);
    if (await row.count() === 0) {
      return new Seen('no row');
    }
    const status = await row.getAttribute('data-status');
    const progress = (await row.locator(tid('job-parts')).textContent()).trim();
    return (status === 'completed' && progress === '4 / 4') || new Seen(`${status} ${progress}`);
  });
}

async function throwingJob(page) {
  step('run a job whose part 1 throws on line 3');
  await fillJob(page, { code: THROWS, data: [1, 2, 3, 4], partitions: 2 });
  await page.click(tid('run'));
  await awaitStatus(page, 'failed', 30000);
  check(await page.isVisible(tid('error')), 'the error panel should be shown');
  check(await page.isHidden('#result-box'), 'no result should be shown for a failed job');
  const error = {
    code: await text(page, 'error-code'),
    message: await text(page, 'error-message'),
    partition: await text(page, 'error-partition'),
    node: await text(page, 'error-node'),
    location: await text(page, 'error-location'),
    source: await text(page, 'error-source'),
  };
  step(`error shown: ${JSON.stringify(error)}`);
  check(error.code === 'job_error', `error code should be job_error, is ${error.code}`);
  check(error.message.includes('bad part 1'), `error message should carry the thrown text, is ${error.message}`);
  check(error.partition === '1', `error partition should be 1, is ${error.partition}`);
  check(nodes.length === 0 ? /:\d+$/.test(error.node) : nodes.includes(error.node),
    `error node should be a node of the cluster, is ${error.node}`);
  check(/^3:\d+$/.test(error.location), `error location should be line 3, is ${error.location}`);
  const failedPart = await page.getAttribute(`${tid('part-row')}[data-index="1"]`, 'data-status');
  check(failedPart === 'failed', `part 1's row should say failed, says ${failedPart}`);
  check(error.source.includes("3 |     throw new Error('bad part ' + ctx.partition);"),
    `the offending line should be quoted, got ${JSON.stringify(error.source)}`);
}

async function cancelledJob(page) {
  step('run a job that spins for a minute, then cancel it');
  await fillJob(page, { code: SPINS, data: [1, 2], partitions: 2 });
  await page.click(tid('run'));
  await awaitStatus(page, 'running', 15000);
  await page.click(tid('cancel'));
  await awaitStatus(page, 'cancelled', 15000);
  check(await page.isEnabled(tid('run')), 'Run should be enabled again after the cancel');
  check(await page.isDisabled(tid('cancel')), 'Cancel should be disabled once the job ended');
}

await runCheck('console', async (page) => {
  step(`open ${base}`);
  await page.goto(base);
  await eventually(`header shows this node's address ${addressOf(base)}`, async () => {
    const shown = await text(page, 'self-address');
    return shown === addressOf(base) || new Seen(shown);
  });
  for (const node of nodes) {
    await eventually(`peer ${node} listed`, async () => {
      const listed = await page.$$eval(tid('peer-row'), (rows) => rows.map((r) => r.dataset.address));
      return listed.includes(node) || new Seen(listed);
    });
  }
  await mapJob(page);
  await throwingJob(page);
  await cancelledJob(page);
});
