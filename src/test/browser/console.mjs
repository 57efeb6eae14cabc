// The job console, driven like a person would: the code editor highlights JavaScript; run a map job, watch
// its parts arrive and check the exact result in the result viewer and its download; run a job that throws
// and check the error's code, partition, node and line, marked in the editor; a form error replaces the old
// error; cancel a long job; page and filter the job list. Screenshots of each state go to target/screenshots/.
//   node console.mjs BASE_URL [NODE_ADDRESS ...]
// NODE_ADDRESS: the cluster's nodes; each must run at least one part of the map job (default: any node).
import { Seen, addressOf, check, editorText, eventually, runCheck, setEditor, shot, step, tid, usage } from './lib.mjs';
import { readFileSync } from 'node:fs';

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
  await setEditor(page, 'code', code);
  await setEditor(page, 'data', JSON.stringify(data));
  await page.selectOption('#mode', mode);
  await page.fill('#partitions', String(partitions));
  await setEditor(page, 'reduce', reduce);
}

async function editorHighlights(page) {
  step('the code editor is a code editor: line numbers, JavaScript highlighting, matching brackets');
  await eventually('the code editor', async () => (await page.locator('#code .cm-content').count()) === 1);
  await setEditor(page, 'code', SQUARES);
  check(await editorText(page, 'code') === SQUARES, 'the editor should hold the text that was set');
  const gutter = await page.locator('#code .cm-lineNumbers .cm-gutterElement').allTextContents();
  check(gutter.includes('8'), `the code editor should number its 8 lines, shows ${JSON.stringify(gutter)}`);
  const keywords = await page.locator('#code .cm-content .tok-keyword').allTextContents();
  check(keywords.includes('const') && keywords.includes('return'),
    `const and return should be highlighted as keywords, highlighted: ${JSON.stringify(keywords)}`);
  const colours = await page.$eval('#code .cm-content', (content) => {
    const keyword = content.querySelector('.tok-keyword');
    return [getComputedStyle(keyword).color, getComputedStyle(content).color];
  });
  check(colours[0] !== colours[1], `keywords should have their own colour, both are ${colours[0]}`);
  // the cursor right after the function's last closing brace: the editor marks it and its opening brace
  await page.$eval('#code', (host) => {
    const view = host.editor.view;
    view.focus();
    view.dispatch({ selection: { anchor: view.state.doc.length } });
  });
  await eventually('matching brackets marked at the cursor',
    async () => (await page.locator('#code .cm-matchingBracket').count()) === 2);
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

  const result = JSON.parse(await page.textContent(tid('result')));
  const expected = data.map((x) => x * x);
  check(JSON.stringify(result) === JSON.stringify(expected),
    `result should be ${JSON.stringify(expected)}, page shows ${JSON.stringify(result)}`);
  check(await page.isVisible(tid('result-tree')), 'the result should be shown as a tree');
  const size = await text(page, 'result-size');
  check(size === `${JSON.stringify(expected).length} B`, `the result's size should read ${JSON.stringify(expected).length} B, reads ${size}`);
  await shot(page, 'console-completed');
  step('the tree closes and opens; Download saves the result');
  const toggle = page.locator(`${tid('result-tree')} .jt-toggle`).first();
  await toggle.click();
  check(await page.getAttribute(`${tid('result-tree')} .jt-node`, 'data-open') === 'false', 'a click should close the tree');
  await toggle.click();
  check(await page.getAttribute(`${tid('result-tree')} .jt-node`, 'data-open') === 'true', 'a second click should open it');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(tid('result-download'))]);
  const saved = JSON.parse(readFileSync(await download.path(), 'utf8'));
  check(JSON.stringify(saved) === JSON.stringify(expected), `the download should hold the result, holds ${JSON.stringify(saved)}`);
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
  const marked = await page.$$eval('#code .cm-error-line', (lines) => lines.map((l) => [l.dataset.errorLine, l.textContent]));
  check(marked.length === 1 && marked[0][0] === '3' && marked[0][1].includes("throw new Error('bad part '"),
    `the code editor should mark line 3, marks ${JSON.stringify(marked)}`);
  const note = await page.textContent('#code [data-testid="editor-error-message"]');
  check(note.includes('bad part 1'), `the marked line should carry the message, reads ${note}`);
  await shot(page, 'console-error');

  step('editing the code clears its error mark');
  await setEditor(page, 'code', THROWS.replace('bad part', 'bad piece'));
  check(await page.locator('#code .cm-error-line').count() === 0, 'an edit should clear the error mark');
  step('a form error replaces the old error: the last job\'s error box goes away');
  await setEditor(page, 'data', '[1, 2,');
  await page.click(tid('run'));
  await eventually('the form error', async () => (await page.isVisible(tid('form-error'))) || new Seen('hidden'));
  check((await text(page, 'form-error')).startsWith('Data is not valid JSON'), `form error: ${await text(page, 'form-error')}`);
  check(await page.isHidden(tid('error')), 'the previous job\'s error box should not stay under a new form error');
  await shot(page, 'console-form-error');
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
  await shot(page, 'console-cancelled');
}

/** Enough finished jobs for two pages, some failed: the list shows ten at a time and filters by status. */
async function jobList(page) {
  step('run 12 small jobs (3 of them fail) and page through the job list');
  const outcomes = [];
  for (let i = 0; i < 12; i++) { // from this script, not the page: a failed job's 422 would read as a page error
    const code = i % 4 === 3 ? '(xs) => { throw new Error("no") }' : '(xs) => xs';
    const response = await fetch(new URL('/api/jobs', base), { method: 'POST',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, data: [i], partitions: 1 }) });
    outcomes.push((await response.json()).status);
  }
  check(outcomes.filter((s) => s === 'failed').length === 3, `3 of the 12 jobs should fail: ${outcomes}`);
  const total = await eventually('every job listed', async () => {
    const count = Number(await text(page, 'job-count'));
    return count >= 15 ? count : new Seen(count);
  });
  check(await page.locator(tid('job-row')).count() === 10, 'the job list should show 10 jobs a page');
  check(await text(page, 'jobs-range') === `1–10 of ${total}`, `the pager should read 1–10 of ${total}, reads ${await text(page, 'jobs-range')}`);
  await page.click(tid('jobs-next'));
  const second = Math.min(10, total - 10);
  check(await page.locator(tid('job-row')).count() === second, `the second page should show ${second} jobs`);
  await page.selectOption(tid('job-filter'), 'failed');
  const failed = await page.$$eval(tid('job-row'), (rows) => rows.map((r) => r.dataset.status));
  check(failed.length >= 4 && failed.every((s) => s === 'failed'), `the failed filter should list only failed jobs: ${failed}`);
  await shot(page, 'jobs-filtered');
  await page.selectOption(tid('job-filter'), '');
  const box = await page.locator('#console-panel').boundingBox();
  check(box.y < 700, `the console should start within the first screen, starts at ${box.y}px`);
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
  await shot(page, 'console-start');
  await editorHighlights(page);
  await mapJob(page);
  await throwingJob(page);
  await cancelledJob(page);
  await jobList(page);
});
