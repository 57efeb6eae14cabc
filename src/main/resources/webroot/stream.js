/**
 * The task stream of one job (after Dask's): one lane per node, one bar per attempt of a part, from its
 * start to its end on a shared time axis, coloured by status; a part that moved shows its first attempt as
 * a "moved" bar in the old lane and its next attempt in the new one. Running bars grow until the job ends.
 * Hovering a bar shows the part's index, node, elapsed time and attempts.
 */
import { duration, el } from './view.js';

/** Height of one row of bars in a lane, in pixels. */
const ROW = 20;

/** Bars that overlap in time go on separate rows of their lane (parts run side by side on a node's workers). */
function stack(bars, now) {
  const rows = [];
  for (const bar of [...bars].sort((a, b) => a.start - b.start || a.index - b.index)) {
    const row = rows.find((r) => (r[r.length - 1].end ?? now) <= bar.start);
    if (row) {
      row.push(bar);
    } else {
      rows.push([bar]);
    }
  }
  return rows;
}

export class TaskStream {
  constructor(container, tip) {
    this.container = container;
    this.tip = tip;
    this.run = null;
    container.addEventListener('mousemove', (e) => this.hover(e));
    container.addEventListener('mouseleave', () => { this.tip.hidden = true; });
  }

  show(run) {
    this.run = run;
    this.render();
  }

  clear() {
    this.run = null;
    this.container.replaceChildren();
    this.tip.hidden = true;
  }

  render(now = Date.now()) {
    const run = this.run;
    if (!run) {
      return;
    }
    const bars = run.bars();
    const t0 = Math.min(run.startedAt, ...bars.map((b) => b.start));
    const ends = bars.map((b) => b.end ?? now);
    const t1 = run.finished ? Math.max(t0 + 1, ...ends) : Math.max(now, t0 + 1, ...ends);
    const span = t1 - t0;
    const lanes = run.nodes.map((node) => {
      const rows = stack(bars.filter((b) => b.node === node), now);
      const track = el('div', { class: 'lane-track', style: `height:${Math.max(1, rows.length) * ROW + 6}px` },
        ...rows.flatMap((row, i) => row.map((b) => this.bar(b, t0, span, now, i))));
      return el('div', { class: 'lane', dataset: { testid: 'stream-lane', node, rows: rows.length } },
        el('div', { class: 'lane-label mono', title: node }, node), track);
    });
    this.container.replaceChildren(...lanes, this.axis(span));
    this.container.dataset.bars = String(bars.length);
    if (!this.tip.hidden && this.hovered) {
      // the bars were drawn anew: the hover follows the same attempt, with its new status and elapsed time
      const again = this.container.querySelector(
        `.bar[data-index="${this.hovered.index}"][data-node="${CSS.escape(this.hovered.node)}"]`);
      if (again) {
        this.describe(again);
      } else {
        this.tip.hidden = true;
      }
    }
  }

  bar(b, t0, span, now, row) {
    const end = b.end ?? now;
    const left = ((b.start - t0) / span) * 100;
    const width = Math.max(0.4, ((end - b.start) / span) * 100);
    return el('div', {
      class: 'bar',
      style: `left:${left.toFixed(3)}%;width:${Math.min(width, 100 - left).toFixed(3)}%;top:${3 + row * ROW}px`,
      dataset: { testid: 'stream-bar', index: b.index, node: b.node, status: b.status, attempts: b.attempts || 1,
        elapsed: Math.round(end - b.start), note: b.note || '' },
    }, width > 3 ? `#${b.index}` : '');
  }

  axis(span) {
    const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => el('span', { style: `left:${f * 100}%` }, duration(f * span)));
    return el('div', { class: 'axis' }, el('div', { class: 'lane-label' }), el('div', { class: 'axis-track' }, ...ticks));
  }

  hover(e) {
    const bar = e.target.closest?.('.bar');
    if (!bar) {
      this.tip.hidden = true;
      return;
    }
    this.hovered = { index: bar.dataset.index, node: bar.dataset.node };
    this.describe(bar);
    this.tip.hidden = false;
    const box = this.container.parentElement.getBoundingClientRect();
    this.tip.style.left = `${Math.min(e.clientX - box.left + 12, box.width - 220)}px`;
    this.tip.style.top = `${e.clientY - box.top + 14}px`;
  }

  describe(bar) {
    const d = bar.dataset;
    const lines = [`part #${d.index} · ${d.status}`, `node ${d.node}`, `elapsed ${duration(Number(d.elapsed))}`,
      `attempts ${d.attempts || 1}`];
    if (d.note) {
      lines.push(`moved: ${d.note}`);
    }
    this.tip.textContent = lines.join('\n');
  }
}

