// The live peer list: the page lists exactly the cluster's peers, and a node that joins or leaves after the
// page loaded shows up or goes away without a reload.
//   node peers.mjs BASE_URL PEER... [--join ADDRESS]
// PEER: every node the page must list at first (the node at BASE_URL included).
// --join: prints "AWAIT-JOIN ADDRESS" once the page is checked; start that node (pointed at the cluster)
// then. When the page lists it, prints "AWAIT-LEAVE ADDRESS": stop that node then. PageIT reacts to
// these lines; by hand, start and stop the node in another terminal.
import { Seen, addressOf, check, eventually, runCheck, shot, step, tid, usage } from './lib.mjs';

const args = process.argv.slice(2);
const joinAt = args.indexOf('--join');
const joiner = joinAt >= 0 ? args.splice(joinAt, 2)[1] : null;
const [base, ...peers] = args;
if (!base || peers.length === 0 || (joinAt >= 0 && !joiner)) {
  usage('node peers.mjs BASE_URL PEER... [--join ADDRESS]');
}
const self = addressOf(base);
const JOIN_TIMEOUT_MS = 60000;
const LEAVE_TIMEOUT_MS = 30000;

async function listed(page) {
  return page.$$eval(tid('peer-row'), (rows) => rows.map((r) => r.dataset.address).sort());
}

async function awaitListed(page, expected, what, timeoutMs) {
  const want = [...expected].sort();
  await eventually(what, async () => {
    const shown = await listed(page);
    return JSON.stringify(shown) === JSON.stringify(want) || new Seen(shown);
  }, timeoutMs);
}

async function awaitMembers(page, members, timeoutMs) {
  await eventually(`header health says UP with ${members} members`, async () => {
    const status = await page.getAttribute(tid('health'), 'data-status');
    const shown = (await page.textContent(tid('health'))).trim();
    return (status === 'UP' && shown.includes(`${members} members`)) || new Seen(`${status}: ${shown}`);
  }, timeoutMs);
}

async function checkRows(page) {
  const read = () => page.$$eval(tid('peer-row'), (list) => list.map((r) => ({
    address: r.dataset.address, text: r.textContent,
    running: r.querySelector('[data-testid="peer-running"]').textContent,
    completed: r.querySelector('[data-testid="peer-completed"]').textContent,
    engine: r.querySelector('[data-testid="peer-engine"]').textContent,
    cpu: r.querySelector('[data-testid="peer-cpu"]').textContent,
    heap: r.querySelector('[data-testid="peer-heap"]').textContent })));
  // a node that just joined shows "–" until its first stats arrive (within a second or so)
  const rows = await eventually('every peer with its running and completed counts, engine, CPU and heap', async () => {
    const seen = await read();
    return seen.every((r) => /^\d+$/.test(r.running) && /^\d+$/.test(r.completed) && r.engine !== '–'
      && /%$/.test(r.cpu) && /MB$/.test(r.heap)) ? seen : new Seen(seen);
  });
  for (const row of rows) {
    check(!row.text.includes('Invalid'), `peer ${row.address} should show when it joined, shows ${row.text}`);
  }
  const selfRow = rows.find((r) => r.address === self);
  check(selfRow && selfRow.text.includes('this node'), `the row of ${self} should be marked "this node"`);
}

await runCheck('peers', async (page) => {
  let navigations = 0;
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations++; });

  step(`open ${base}`);
  await page.goto(base);
  await eventually(`header shows this node's address ${self}`,
    async () => (await page.textContent(tid('self-address'))).trim() === self || new Seen(await page.textContent(tid('self-address'))));
  await eventually('live updates connected', async () =>
    (await page.getAttribute(tid('live'), 'data-state')) === 'open');
  await awaitListed(page, peers, `peer list is exactly ${peers.join(', ')}`, 15000);
  await awaitMembers(page, peers.length, 15000);
  await checkRows(page);
  check(await page.textContent(tid('peer-count')) === String(peers.length), 'the peer count should match the rows');
  step(`listed: ${(await listed(page)).join(', ')}`);

  if (joiner) {
    console.log(`AWAIT-JOIN ${joiner}`);
    await awaitListed(page, [...peers, joiner], `node ${joiner} joins the list without a reload`, JOIN_TIMEOUT_MS);
    await awaitMembers(page, peers.length + 1, 15000);
    await checkRows(page);
    await shot(page, 'peers-joined');
    step(`joined: ${joiner}`);
    console.log(`AWAIT-LEAVE ${joiner}`);
    await awaitListed(page, peers, `node ${joiner} leaves the list without a reload`, LEAVE_TIMEOUT_MS);
    await awaitMembers(page, peers.length, 15000);
    step(`left: ${joiner}`);
  }
  check(navigations === 1, `the page should never reload, it navigated ${navigations} times`);
});
