/**
 * The page: header (this node, cluster health, live-update state), the live peer list and the live
 * list of recent jobs. Initial state comes from /api/peers, /api/jobs and /health, fetched again on
 * every bridge (re)connect; changes arrive over the event-bus bridge (disruptor.ui.peers / .jobs).
 */
import { Bridge, bridgeUrl } from './bridge.js';
import { $, ago, askToken, clock, count, duration, el, getJson, token } from './view.js';
import { JobConsole } from './console.js';

const PEERS = 'disruptor.ui.peers';
const JOBS = 'disruptor.ui.jobs';
const MAX_JOBS = 25;
const POLL_MS = 10000;

const state = {
  self: null,
  peers: [],
  jobs: new Map(),
  peersRequest: 0,
  bridge: null,
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

function renderPeers() {
  const now = Date.now();
  const rows = state.peers.map((p) => el('tr', {
    dataset: { testid: 'peer-row', address: p.address },
    class: p.address === state.self ? 'self' : '',
  },
  el('td', { class: 'mono', 'data-testid': 'peer-address' }, p.address,
    p.address === state.self ? el('span', { class: 'tag' }, 'this node') : null),
  el('td', { class: 'since', title: new Date(p.since).toISOString() }, clock(p.since), ' ', el('span', { class: 'muted' }, ago(p.since, now))),
  el('td', { class: 'num', 'data-testid': 'peer-running' }, count(p.running)),
  el('td', { class: 'num', 'data-testid': 'peer-completed' }, count(p.completed))));
  $('peers').replaceChildren(...rows);
  $('peer-count').textContent = String(state.peers.length);
  $('peers-empty').hidden = state.peers.length > 0;
}

/** A peers event lists who is live; keep the counts we already had until /api/peers answers. */
function onPeersEvent(body) {
  setSelf(body.self);
  const known = new Map(state.peers.map((p) => [p.id, p]));
  state.peers = body.peers.map((p) => ({ ...known.get(p.id), ...p }));
  renderPeers();
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
      state.peers = body.peers;
      renderPeers();
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

function renderJobs() {
  const now = Date.now();
  const jobs = [...state.jobs.values()].sort((a, b) => b.createdAt - a.createdAt);
  const rows = jobs.map((j) => el('tr', { dataset: { testid: 'job-row', id: j.id, status: j.status } },
    el('td', { class: 'mono', title: `${j.id}\nsubmitted ${clock(j.createdAt)}` }, j.id.slice(0, 8)),
    el('td', {}, j.mode),
    el('td', {}, el('span', { class: 'badge', dataset: { status: j.status }, 'data-testid': 'job-status' }, j.status)),
    el('td', { 'data-testid': 'job-parts' },
      el('progress', { value: j.done, max: Math.max(1, j.parts) }), ` ${j.done} / ${j.parts}`),
    el('td', { class: 'num', 'data-testid': 'job-elapsed' }, duration(jobElapsed(j, now)))));
  $('jobs').replaceChildren(...rows);
  $('jobs-empty').hidden = rows.length > 0;
}

function upsertJob(summary) {
  const { event, ...job } = summary;
  state.jobs.set(job.id, { ...job, receivedAt: Date.now() });
  const oldest = [...state.jobs.values()].sort((a, b) => b.createdAt - a.createdAt).slice(MAX_JOBS);
  oldest.forEach((j) => state.jobs.delete(j.id));
  renderJobs();
  if (event !== 'partition' && event !== 'retry') {
    refreshPeers(); // a job that starts or ends changes the running/completed counts
  }
}

async function refreshJobs() {
  try {
    const body = await getJson('/api/jobs');
    body.jobs.slice(0, MAX_JOBS).forEach((j) => state.jobs.set(j.id, { ...j, receivedAt: Date.now() }));
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
  } else if (bridgeState === 'closed') {
    refreshHealth();
  }
}

function onBridgeMessage(address, body) {
  if (address === PEERS) {
    onPeersEvent(body);
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
  await refreshJobs();
  state.bridge = new Bridge(bridgeUrl(location), [PEERS, JOBS], { onMessage: onBridgeMessage, onState: onBridgeState })
    .start();
  new JobConsole(location).attach();
  setInterval(() => { renderPeers(); renderJobs(); }, 1000);
  setInterval(() => { refreshPeers(); refreshHealth(); }, POLL_MS);
}

start();
