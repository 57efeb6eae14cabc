/**
 * The page: header (this node, cluster health, live-update state), nodes at a glance, the recent jobs (paged,
 * filtered by status; a click shows a job in the console), the module store and the job console. Initial state comes from
 * /api/peers, /api/jobs and /health, fetched again on every bridge (re)connect; changes arrive over the
 * event-bus bridge: disruptor.ui.peers (who is live), disruptor.ui.stats (every node's load, about once a
 * second) and disruptor.ui.jobs (job progress).
 */
import { Bridge, bridgeUrl } from './bridge.js';
import { $, askToken, clock, duration, el, getJson, token } from './view.js';
import { JobConsole } from './console.js';
import { NodesPanel } from './nodes.js';
import { ModulesPanel } from './modules.js';

const PEERS = 'disruptor.ui.peers';
const STATS = 'disruptor.ui.stats';
const JOBS = 'disruptor.ui.jobs';
const MAX_JOBS = 500;
const PAGE = 10;
const POLL_MS = 10000;

const state = {
  self: null,
  jobs: new Map(),
  page: 0,
  filter: '',
  selected: null,
  peersRequest: 0,
  bridge: null,
  nodes: null,
  console: null,
  modules: null,
};

function renderHealth(health) {
  const badge = $('health');
  badge.dataset.status = health.status;
  const cluster = health.cluster || {};
  badge.textContent = `${health.status} · cluster ${cluster.name} · ${cluster.members} member${cluster.members === 1 ? '' : 's'}`;
  badge.title = `${health.runningJobs} running job(s) coordinated here; JS JIT ${health.jsJit ? 'on' : 'off'}`;
  setSelf(health.node);
}

function setSelf(address) {
  if (address && state.self !== address) {
    state.self = address;
    $('self-address').textContent = address;
    document.title = `disruptor · ${address}`;
  }
}

/** A peers event lists who is live; /api/peers adds their latest stats. */
function onPeersEvent(body) {
  setSelf(body.self);
  state.nodes.setPeers(body.self, body.peers);
  refreshPeers();
  refreshHealth();
}

/** Only the answer to the latest request is applied, so a slow stale answer cannot undo a join or leave. */
async function refreshPeers() {
  const request = ++state.peersRequest;
  try {
    const body = await getJson('/api/peers');
    if (request === state.peersRequest) {
      setSelf(body.self);
      state.nodes.setPeers(body.self, body.peers);
    }
  } catch (e) {
    console.warn('peers', e);
  }
}

async function refreshHealth() {
  try {
    renderHealth(await getJson('/health'));
    state.bridge?.retryNow(); // the node is back: no need to wait out the backoff
  } catch (e) {
    $('health').dataset.status = 'DOWN';
    $('health').textContent = 'unreachable';
  }
}

function jobElapsed(job, now) {
  return job.status === 'running' ? job.elapsedMs + (now - job.receivedAt) : job.elapsedMs;
}

function sortedJobs() {
  return [...state.jobs.values()].sort((a, b) => b.createdAt - a.createdAt);
}

function renderJobs() {
  const now = Date.now();
  const all = sortedJobs();
  const shown = state.filter ? all.filter((j) => j.status === state.filter) : all;
  const pages = Math.max(1, Math.ceil(shown.length / PAGE));
  state.page = Math.min(state.page, pages - 1);
  const first = state.page * PAGE;
  const rows = shown.slice(first, first + PAGE).map((j) => {
    const row = el('tr', {
      dataset: { testid: 'job-row', id: j.id, status: j.status },
      class: j.id === state.selected ? 'selected' : '',
      title: `${j.id}\nsubmitted ${clock(j.createdAt)}; click to show it in the console`,
    },
    el('td', { class: 'mono' }, j.id.slice(0, 8), el('span', { class: 'muted mode' }, j.mode)),
    el('td', {}, el('span', { class: 'badge', dataset: { status: j.status }, 'data-testid': 'job-status' }, j.status.replace('_', ' '))),
    el('td', { 'data-testid': 'job-parts' },
      el('progress', { value: j.done, max: Math.max(1, j.parts) }), ` ${j.done} / ${j.parts}`),
    el('td', { class: 'num', 'data-testid': 'job-elapsed' }, duration(jobElapsed(j, now))));
    row.addEventListener('click', () => select(j.id));
    return row;
  });
  $('jobs').replaceChildren(...rows);
  $('job-count').textContent = String(all.length);
  $('jobs-empty').hidden = rows.length > 0;
  $('jobs-empty').textContent = all.length && state.filter ? `No ${state.filter.replace('_', ' ')} jobs.` : 'No jobs on this node yet.';
  $('jobs-range').textContent = shown.length ? `${first + 1}–${Math.min(shown.length, first + PAGE)} of ${shown.length}` : '';
  $('jobs-prev').disabled = state.page === 0;
  $('jobs-next').disabled = state.page >= pages - 1;
}

function select(id) {
  state.selected = id;
  renderJobs();
  if (id) {
    state.console.show(id);
  }
}

function remember(job) {
  state.jobs.set(job.id, { ...job, receivedAt: Date.now() });
  if (state.jobs.size > MAX_JOBS) {
    sortedJobs().slice(MAX_JOBS).forEach((j) => state.jobs.delete(j.id));
  }
}

function upsertJob(summary) {
  const { event, ...job } = summary;
  remember(job);
  renderJobs();
  state.console.onJobEvent(job);
}

async function refreshJobs() {
  try {
    const body = await getJson('/api/jobs');
    body.jobs.slice(0, MAX_JOBS).forEach(remember);
    renderJobs();
  } catch (e) {
    console.warn('jobs', e);
  }
}

function onBridgeState(bridgeState) {
  const live = $('live');
  live.dataset.state = bridgeState;
  document.body.dataset.live = bridgeState; // lists dim while they may be stale
  live.textContent = { connecting: 'connecting…', open: 'live', closed: 'reconnecting…' }[bridgeState];
  if (bridgeState === 'open') {
    refreshPeers();
    refreshJobs();
    refreshHealth();
    state.modules.refresh();
  } else if (bridgeState === 'closed') {
    refreshHealth();
  }
}

function onBridgeMessage(address, body) {
  if (address === PEERS) {
    onPeersEvent(body);
  } else if (address === STATS) {
    state.nodes.onStats(body);
  } else if (address === JOBS) {
    upsertJob(body);
  }
}

async function start() {
  // a node with a token asks for it here, once per tab, before anything needs it
  const health = await getJson('/health').catch(() => ({}));
  if (health.tokenRequired && !token()) {
    await askToken();
  }
  state.nodes = new NodesPanel($('peers'), { count: $('peer-count'), empty: $('peers-empty') });
  state.console = new JobConsole(location);
  state.console.attach();
  state.console.onSelect = (id) => { state.selected = id; renderJobs(); };
  state.modules = new ModulesPanel($('modules'), { count: $('module-count'), empty: $('modules-empty'),
    onImport: (name) => state.console.importModule(name), onScript: (name) => state.console.addScript(name) });
  await state.modules.refresh();
  $('job-filter').addEventListener('change', (e) => { state.filter = e.target.value; state.page = 0; renderJobs(); });
  $('jobs-prev').addEventListener('click', () => { state.page = Math.max(0, state.page - 1); renderJobs(); });
  $('jobs-next').addEventListener('click', () => { state.page++; renderJobs(); });
  await refreshJobs();
  state.bridge = new Bridge(bridgeUrl(location), [PEERS, STATS, JOBS], { onMessage: onBridgeMessage, onState: onBridgeState })
    .start();
  setInterval(() => { state.nodes.render(); renderJobs(); }, 1000);
  setInterval(() => { refreshPeers(); refreshHealth(); state.modules.refresh(); }, POLL_MS);
  document.body.dataset.ready = 'true';
}

start();
