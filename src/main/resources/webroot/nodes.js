/**
 * Nodes at a glance: one row per live peer with its engine, parts running and queued, workers busy (and
 * stuck), CPU, heap and counts, and small live charts of the last minute (uPlot) for parts, CPU and heap.
 * The numbers come from the stats every node pushes about once a second (`disruptor.ui.stats` on the bridge);
 * the list of who is live from `disruptor.ui.peers` and `/api/peers`.
 */
import uPlot from 'uplot';
import { ago, clock, count, el } from './view.js';

const HISTORY = 60;
const CHART = { width: 84, height: 24 };

export class NodesPanel {
  constructor(body, { count: countEl, empty }) {
    this.body = body;
    this.countEl = countEl;
    this.empty = empty;
    this.self = null;
    this.peers = [];
    this.stats = new Map(); // node id -> latest stats record
    this.history = new Map(); // node id -> {at, running, queued, cpu, heap}
    this.rows = new Map(); // node id -> {row, charts}
  }

  /** Who is live (from a peers event or /api/peers); counts in these entries are used until stats arrive. */
  setPeers(self, peers) {
    this.self = self ?? this.self;
    this.peers = peers;
    for (const p of peers) {
      if (p.running !== undefined && p.running !== null && !this.stats.has(p.id)) {
        this.stats.set(p.id, p);
        if (p.at !== undefined) {
          this.remember(p);
        }
      }
    }
    this.render();
  }

  /** A stats publication: the latest record of every live node. */
  onStats(body) {
    this.self = body.self ?? this.self;
    for (const record of body.nodes || []) {
      if (record.at === undefined) {
        continue; // a peer not heard yet: keep what we had
      }
      const previous = this.stats.get(record.id);
      this.stats.set(record.id, record);
      if (!previous || previous.at !== record.at) {
        this.remember(record);
      }
    }
    const known = new Set(this.peers.map((p) => p.id));
    if ((body.nodes || []).some((n) => !known.has(n.id))) {
      this.peers = body.nodes.map((n) => ({ id: n.id, address: n.address, since: n.since }));
    }
    this.render();
  }

  /** The running count the page shows for a node address (for checks and the job list). */
  running(address) {
    const peer = this.peers.find((p) => p.address === address);
    return peer ? this.stats.get(peer.id)?.running : undefined;
  }

  remember(record) {
    let h = this.history.get(record.id);
    if (!h) {
      h = { at: [], running: [], queued: [], cpu: [], heap: [] };
      this.history.set(record.id, h);
    }
    h.at.push(record.at / 1000);
    h.running.push(record.running ?? null);
    h.queued.push(record.queued ?? null);
    h.cpu.push(typeof record.cpu === 'number' ? record.cpu * 100 : null);
    h.heap.push(typeof record.heapUsed === 'number' ? record.heapUsed / 1048576 : null);
    for (const series of Object.values(h)) {
      if (series.length > HISTORY) {
        series.splice(0, series.length - HISTORY);
      }
    }
  }

  render(now = Date.now()) {
    const live = new Set(this.peers.map((p) => p.id));
    for (const [id, entry] of this.rows) {
      if (!live.has(id)) {
        entry.charts.forEach((c) => c.destroy());
        entry.row.remove();
        this.rows.delete(id);
        this.history.delete(id);
        this.stats.delete(id);
      }
    }
    let previous = null;
    for (const peer of this.peers) {
      const entry = this.rows.get(peer.id) || this.createRow(peer);
      this.fill(entry, peer, this.stats.get(peer.id) || {}, now);
      // keep the rows in the peers' order
      if (previous ? previous.nextSibling !== entry.row : this.body.firstChild !== entry.row) {
        this.body.insertBefore(entry.row, previous ? previous.nextSibling : this.body.firstChild);
      }
      previous = entry.row;
    }
    this.countEl.textContent = String(this.peers.length);
    this.empty.hidden = this.peers.length > 0;
  }

  createRow(peer) {
    const cells = {
      address: el('td', { class: 'mono', 'data-testid': 'peer-address' }),
      engine: el('td', { 'data-testid': 'peer-engine' }),
      since: el('td', { class: 'since' }),
      running: el('td', { class: 'num', 'data-testid': 'peer-running' }),
      queued: el('td', { class: 'num', 'data-testid': 'peer-queued' }),
      partsChart: el('td', { class: 'chart' }),
      workers: el('td', { class: 'num', 'data-testid': 'peer-workers' }),
      cpu: el('td', { class: 'num', 'data-testid': 'peer-cpu' }),
      cpuChart: el('td', { class: 'chart' }),
      heap: el('td', { class: 'num', 'data-testid': 'peer-heap' }),
      heapChart: el('td', { class: 'chart' }),
      completed: el('td', { class: 'num' }),
    };
    const row = el('tr', { dataset: { testid: 'peer-row', address: peer.address, id: peer.id } }, ...Object.values(cells));
    const charts = [
      sparkline(cells.partsChart, [['running', '#2f5bea', 'rgba(47,91,234,0.15)'], ['queued', '#9a5b00', null]]),
      sparkline(cells.cpuChart, [['cpu', '#18794e', 'rgba(24,121,78,0.15)']], [0, 100]),
      sparkline(cells.heapChart, [['heap', '#7a3db8', 'rgba(122,61,184,0.15)']]),
    ];
    const entry = { row, cells, charts };
    this.rows.set(peer.id, entry);
    return entry;
  }

  fill({ row, cells, charts }, peer, s, now) {
    const self = peer.address === this.self;
    row.className = self ? 'self' : '';
    row.dataset.address = peer.address;
    cells.address.replaceChildren(peer.address, self ? el('span', { class: 'tag' }, 'this node') : '');
    cells.engine.textContent = s.engine ?? '–';
    cells.since.replaceChildren(clock(peer.since), ' ', el('span', { class: 'muted' }, ago(peer.since, now)));
    cells.since.title = new Date(peer.since).toISOString();
    cells.running.textContent = count(s.running);
    cells.queued.textContent = count(s.queued);
    const stuck = s.stuck ? el('span', { class: 'warn sub' }, ` ${s.stuck} stuck`) : '';
    cells.workers.replaceChildren(`${s.busy ?? '–'}/${s.workers ?? '–'}`, stuck);
    cells.cpu.textContent = typeof s.cpu === 'number' ? `${Math.round(s.cpu * 100)}%` : '–';
    cells.heap.textContent = typeof s.heapUsed === 'number'
      ? `${Math.round(s.heapUsed / 1048576)}/${Math.round((s.heapMax || 0) / 1048576)} MB` : '–';
    cells.completed.replaceChildren(el('span', { 'data-testid': 'peer-completed' }, count(s.completed)),
      s.failed ? el('span', { class: 'bad sub', 'data-testid': 'peer-failed' }, ` / ${s.failed} failed`) : '');
    cells.completed.title = s.retries ? `${s.retries} part(s) moved to other nodes` : '';
    const h = this.history.get(peer.id);
    if (h && h.at.length > 0) {
      charts[0].setData([h.at, h.running, h.queued]);
      charts[1].setData([h.at, h.cpu]);
      charts[2].setData([h.at, h.heap]);
    }
  }
}

/** A small chart with no axes, legend or cursor: the shape of the last minute. */
function sparkline(parent, series, range) {
  return new uPlot({
    ...CHART,
    class: 'spark',
    legend: { show: false },
    cursor: { show: false },
    select: { show: false },
    axes: [{ show: false }, { show: false }],
    scales: { x: { time: false }, y: { range: (u, min, max) => {
      const top = range ? range[1] : Math.max(1, max * 1.15);
      return [-top * 0.06, top]; // a line at zero stays visible
    } } },
    series: [{}, ...series.map(([label, stroke, fill]) => ({ label, stroke, fill, width: 1.5, points: { show: false } }))],
  }, [[], ...series.map(() => [])], parent);
}
