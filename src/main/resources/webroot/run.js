/**
 * One job as the page follows it, built from the job WebSocket's events (`accepted`, `partition`, `retry`,
 * the final view) or from a job view (`GET /api/jobs/{id}`, a watch `snapshot`). Each part keeps its
 * attempts as bars on the page's clock: where the node says when a part started and ended (`startedAt`,
 * `endedAt`, `at` of a retry) those times are used, shifted by the node's clock offset; otherwise a bar ends
 * when its event arrived and starts `elapsedMs` before, and a running bar grows from when it was placed.
 */
export const FINAL = new Set(['completed', 'failed', 'timed_out', 'cancelled']);

export class JobRun {
  /** @param {{id?: string, spec?: object, origin: string}} options origin: "submitted here" or "watched" */
  constructor({ id = null, spec = null, origin }) {
    this.id = id;
    this.spec = spec;
    this.origin = origin;
    this.status = 'submitting';
    this.mode = spec?.mode;
    this.total = 0;
    this.done = 0;
    this.nodes = [];
    this.parts = [];
    this.startedAt = Date.now(); // page clock
    this.offset = null; // page clock minus node clock, once known
    this.finished = false;
    this.view = null; // the final job view (result or error)
    this.elapsedMs = null;
    this.cancelAsked = false;
  }

  /** A node time (epoch ms) on the page's clock; null when the node gave none. */
  local(nodeTime) {
    return typeof nodeTime === 'number' && nodeTime > 0 ? nodeTime + (this.offset ?? 0) : null;
  }

  part(index) {
    if (!this.parts[index]) {
      this.parts[index] = { index, node: null, status: 'pending', attempts: 0, bars: [], logs: [] };
    }
    return this.parts[index];
  }

  addNode(node) {
    if (node && !this.nodes.includes(node)) {
      this.nodes.push(node);
    }
  }

  /** The part's current attempt, opened at `start` on `node` when it has none running. */
  current(part, node, start) {
    let bar = part.bars[part.bars.length - 1];
    if (!bar || bar.end !== null) {
      bar = { node, start, end: null, status: 'running' };
      part.bars.push(bar);
    }
    return bar;
  }

  accepted(event, now = Date.now()) {
    this.id = event.id;
    this.mode = event.mode || this.mode;
    this.status = 'running';
    this.total = event.partitions;
    this.startedAt = now;
    if (typeof event.createdAt === 'number') {
      this.offset = now - event.createdAt;
      this.startedAt = this.local(event.createdAt);
    }
    (event.nodes || []).forEach((n) => this.addNode(n));
    const placement = event.placement || [];
    for (let index = 0; index < event.partitions; index++) {
      const part = this.part(index);
      part.node = placement[index] || null;
      part.status = 'running';
      this.addNode(part.node);
      if (part.node) {
        this.current(part, part.node, this.startedAt);
      }
    }
  }

  partition(event, now = Date.now()) {
    const part = this.part(event.index);
    const end = this.local(event.endedAt) ?? now;
    const start = this.local(event.startedAt) ?? (typeof event.elapsedMs === 'number' ? end - event.elapsedMs : end);
    const bar = this.current(part, event.node, start);
    Object.assign(bar, { node: event.node, start, end, status: 'done' });
    Object.assign(part, { node: event.node, status: 'done', elapsedMs: event.elapsedMs, attempts: event.attempts,
      logs: event.logs || [] });
    this.addNode(event.node);
    this.done = event.done ?? this.done + 1;
    this.total = event.parts ?? this.total;
  }

  retry(event, now = Date.now()) {
    const part = this.part(event.index);
    const at = this.local(event.at) ?? now;
    const last = part.bars[part.bars.length - 1];
    if (last && last.end === null) {
      Object.assign(last, { end: at, status: 'moved', note: event.reason });
    } else {
      part.bars.push({ node: event.from, start: this.startedAt, end: at, status: 'moved', note: event.reason });
    }
    part.bars.push({ node: event.to, start: at, end: null, status: 'running' });
    Object.assign(part, { node: event.to, status: 'running', attempts: event.attempt ?? part.attempts + 1,
      note: `moved from ${event.from}: ${event.reason}` });
    this.addNode(event.from);
    this.addNode(event.to);
  }

  /** A final event (the job's view): results, errors, and parts that never finished marked stopped. */
  final(view, now = Date.now()) {
    this.snapshot(view, now);
    this.finished = true;
  }

  /**
   * A job view: the whole state at once. Parts already followed keep their bars; others get one bar from
   * the node's times, or from the job's start for the elapsed time they report.
   */
  snapshot(view, now = Date.now()) {
    this.id = view.id;
    this.mode = view.mode || this.mode;
    this.status = view.status;
    this.total = view.parts ?? this.total;
    this.done = view.done ?? this.done;
    if (this.offset === null && typeof view.createdAt === 'number') {
      // a running job's elapsed time tells the node's clock now; a finished one's does not
      this.offset = FINAL.has(view.status) ? 0 : now - (view.createdAt + (view.elapsedMs || 0));
      this.startedAt = this.local(view.createdAt);
    }
    const ended = FINAL.has(view.status);
    for (const p of view.partitions || []) {
      const part = this.part(p.index);
      this.addNode(p.node);
      const failed = p.index === view.partition && view.status === 'failed';
      const status = p.status === 'done' ? 'done' : failed ? 'failed' : ended ? 'stopped' : p.status;
      if (p.status === 'done' && !part.bars.some((b) => b.status === 'done')) {
        const end = this.local(p.endedAt) ?? (typeof p.elapsedMs === 'number' ? this.startedAt + p.elapsedMs : now);
        const start = this.local(p.startedAt) ?? (typeof p.elapsedMs === 'number' ? end - p.elapsedMs : this.startedAt);
        const open = part.bars[part.bars.length - 1];
        if (open && open.end === null && open.node === p.node) {
          Object.assign(open, { start, end, status: 'done' }); // the attempt we saw placed is the one that ended
        } else {
          this.closeOpen(part, start, 'moved');
          part.bars.push({ node: p.node, start, end, status: 'done' });
        }
      } else if (p.status !== 'done') {
        const start = this.local(p.startedAt) ?? this.startedAt;
        if (p.node && (p.status === 'running' || ended)) {
          const bar = this.current(part, p.node, start);
          bar.node = p.node;
          if (ended) {
            Object.assign(bar, { end: bar.end ?? now, status });
          }
        }
      }
      Object.assign(part, { node: p.node, status, attempts: p.attempts ?? part.attempts,
        elapsedMs: p.elapsedMs ?? part.elapsedMs, logs: p.logs || part.logs });
    }
    const failedPart = this.parts[view.partition];
    if (failedPart && view.logs) {
      failedPart.logs = view.logs; // the failed part's logs come with the error, not with a partition event
    }
    if (ended) {
      this.finished = true;
      this.view = view;
      this.elapsedMs = view.elapsedMs;
    }
  }

  closeOpen(part, end, status) {
    const last = part.bars[part.bars.length - 1];
    if (last && last.end === null) {
      Object.assign(last, { end: Math.max(last.start, end), status });
    }
  }

  /** Ends the run without a job view (a refused submission, a lost socket). */
  abort(status, now = Date.now()) {
    this.status = status;
    this.finished = true;
    for (const part of this.parts.filter(Boolean)) {
      this.closeOpen(part, now, 'stopped');
      if (part.status === 'running' || part.status === 'pending') {
        part.status = 'stopped';
      }
    }
  }

  /** Every attempt of every part, with the part's index and attempts, for the task stream. */
  bars() {
    return this.parts.filter(Boolean).flatMap((part) => part.bars.map((bar) => ({ ...bar, index: part.index,
      attempts: part.attempts, partStatus: part.status })));
  }
}
