/**
 * The job console: reads the form into a job, sends it over the job WebSocket (/api/jobs/ws) and
 * shows its events as they come: accepted, each part (node, elapsed, logs), retries, then the
 * result or the error (code, message, partition, node, line:column and the offending source line).
 * One job at a time; closing the socket would cancel it on the node, so the socket is kept open.
 */
import { $, duration, el, getJson, pretty, token } from './view.js';

const FINAL = new Set(['completed', 'failed', 'timed_out', 'cancelled']);

export class JobConsole {
  constructor(location) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.url = `${scheme}//${location.host}/api/jobs/ws`;
    this.socket = null;
    this.job = null;
    this.ticker = null;
  }

  attach() {
    $('job-form').addEventListener('submit', (e) => { e.preventDefault(); this.run(); });
    $('cancel').addEventListener('click', () => this.cancel());
    for (const id of ['code', 'data', 'reduce']) {
      $(id).addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          $('job-form').requestSubmit();
        }
      });
    }
  }

  /** The form as a job object, or throws an Error whose message says which field is wrong. */
  readForm() {
    const code = $('code').value; // sent as written: error lines and columns refer to it
    if (!code.trim()) {
      throw new Error('Code is empty: write a function (input, ctx) => ...');
    }
    const job = { code, mode: $('mode').value };
    const data = $('data').value.trim();
    if (data) {
      try {
        job.data = JSON.parse(data);
      } catch (e) {
        throw new Error(`Data is not valid JSON: ${e.message}`);
      }
    }
    const partitions = $('partitions').value.trim();
    if (partitions) {
      job.partitions = Number(partitions);
      if (!Number.isInteger(job.partitions) || job.partitions < 1) {
        throw new Error('Partitions must be a whole number of at least 1');
      }
    }
    const reduce = $('reduce').value;
    if (reduce.trim()) {
      job.reduce = reduce;
    }
    const timeout = $('timeout').value.trim();
    if (timeout) {
      const seconds = Number(timeout);
      if (!(seconds > 0)) {
        throw new Error('Timeout must be a positive number of seconds');
      }
      job.timeoutMs = Math.round(seconds * 1000);
    }
    return job;
  }

  async run() {
    let spec;
    try {
      spec = this.readForm();
    } catch (e) {
      this.formError(e.message);
      return;
    }
    this.formError(null);
    this.job = { id: null, spec, parts: [], done: 0, total: 0, startedAt: Date.now(), cancelAsked: false };
    this.resetView();
    this.setStatus('submitting');
    this.setBusy(true);
    try {
      const socket = await this.open();
      socket.send(JSON.stringify(spec));
    } catch (e) {
      this.showError({ error: 'unreachable', message: `cannot reach the node's job socket: ${e.message}` }, 'error');
    }
  }

  cancel() {
    if (!this.job || this.job.finished) {
      return;
    }
    this.job.cancelAsked = true;
    $('cancel').disabled = true;
    if (this.job.id) {
      this.socket.send(JSON.stringify({ type: 'cancel', id: this.job.id }));
    } // else: sent as soon as the job is accepted
  }

  open() {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      return Promise.resolve(this.socket);
    }
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url);
      socket.onopen = () => {
        if (token()) {
          socket.send(JSON.stringify({ type: 'auth', token: token() }));
        }
        resolve(socket);
      };
      socket.onerror = () => reject(new Error('WebSocket error'));
      socket.onmessage = (m) => this.onEvent(JSON.parse(m.data));
      socket.onclose = () => this.onClose(socket);
      this.socket = socket;
    });
  }

  onClose(socket) {
    if (socket === this.socket) {
      this.socket = null;
    }
    if (this.job && !this.job.finished) {
      this.showError({ error: 'disconnected', message: 'the connection to the node closed; the job was cancelled' },
        'error');
    }
  }

  onEvent(event) {
    const job = this.job;
    if (!job || job.finished || (event.id && job.id && event.id !== job.id)) {
      return; // an event of an earlier job, e.g. after a cancel raced its completion
    }
    switch (event.type) {
      case 'accepted': return this.onAccepted(event);
      case 'partition': return this.onPartition(event);
      case 'retry': return this.onRetry(event);
      case 'error':
      case 'rejected': return this.showError(event, event.type);
      default:
        if (FINAL.has(event.type)) {
          this.onFinal(event);
        }
    }
  }

  onAccepted(event) {
    const job = this.job;
    job.id = event.id;
    job.total = event.partitions;
    job.parts = Array.from({ length: event.partitions }, (_, index) => ({ index, status: 'running' }));
    $('run-id').textContent = event.id;
    $('run-id').title = `${event.mode} over ${event.nodes.join(', ')}`;
    this.setStatus('running');
    this.renderParts();
    if (job.cancelAsked) {
      this.socket.send(JSON.stringify({ type: 'cancel', id: job.id }));
    }
    this.fetchPlacement(job);
  }

  /** `accepted` names the nodes but not which part went where; the job's view does. */
  async fetchPlacement(job) {
    try {
      const view = await getJson(`/api/jobs/${encodeURIComponent(job.id)}`);
      if (this.job !== job || job.finished || !Array.isArray(view.partitions)) {
        return;
      }
      for (const p of view.partitions) {
        const part = job.parts[p.index];
        if (part && !part.node && p.node) {
          part.node = p.node;
        }
      }
      this.renderParts();
    } catch (e) {
      console.warn('placement', e);
    }
  }

  onPartition(event) {
    const part = this.job.parts[event.index] || (this.job.parts[event.index] = { index: event.index });
    Object.assign(part, { node: event.node, elapsedMs: event.elapsedMs, attempts: event.attempts,
      logs: event.logs, status: 'done' });
    this.job.done = event.done;
    this.job.total = event.parts;
    this.renderParts();
  }

  onRetry(event) {
    const part = this.job.parts[event.index] || (this.job.parts[event.index] = { index: event.index });
    Object.assign(part, { node: event.to, status: 'retrying', note: `moved from ${event.from}: ${event.reason}` });
    this.renderParts();
  }

  onFinal(view) {
    const job = this.job;
    job.finished = true;
    job.done = view.done;
    job.total = view.parts;
    job.parts = view.partitions.map((p) => ({ ...job.parts[p.index], ...p,
      status: p.status === 'done' ? 'done' : p.index === view.partition ? 'failed' : 'stopped' }));
    const failed = job.parts[view.partition];
    if (failed && view.logs) {
      failed.logs = view.logs; // the failed part's logs come with the error, not with a partition event
    }
    this.setStatus(view.status, view.elapsedMs);
    this.renderParts();
    if (view.status === 'completed') {
      $('result').textContent = pretty(view.result);
      $('result-box').hidden = false;
    } else {
      this.renderError(view);
    }
    this.setBusy(false);
  }

  /** A job that ended before or without running: validation error, rejection, lost socket. */
  showError(event, status) {
    if (this.job) {
      this.job.finished = true;
    }
    this.setStatus(status);
    this.renderError(event);
    this.setBusy(false);
  }

  renderError(view) {
    $('error-title').textContent = { timed_out: 'Timed out', cancelled: 'Cancelled' }[view.status] || 'Error';
    $('error-code').textContent = view.error || view.status;
    $('error-message').textContent = view.message || '';
    $('error-partition').textContent = view.partition ?? (view.stage === 'reduce' ? 'reduce' : '–');
    $('error-node').textContent = view.node || '–';
    $('error-location').textContent = view.line ? `${view.line}:${view.column ?? '?'}` : '–';
    $('error-facts').hidden = view.partition == null && !view.node && !view.line && view.stage !== 'reduce';
    const source = view.stage === 'reduce' ? this.job?.spec.reduce : this.job?.spec.code;
    const excerpt = view.line && source ? sourceExcerpt(source, view.line, view.column) : null;
    $('error-source').hidden = !excerpt;
    $('error-source').textContent = excerpt || '';
    const logs = view.logs || [];
    $('error-logs').hidden = logs.length === 0;
    const heading = view.partition == null ? '' : `logs of part ${view.partition}:\n`;
    $('error-logs').textContent = heading + logs.join('\n');
    $('error-box').hidden = false;
  }

  renderParts() {
    const job = this.job;
    const rows = job.parts.map((p) => el('tr', { dataset: { testid: 'part-row', index: p.index, status: p.status } },
      el('td', {}, `#${p.index}`),
      el('td', { class: 'mono', 'data-testid': 'part-node' }, p.node || '–'),
      el('td', {}, el('span', { class: 'badge', dataset: { status: p.status } }, p.status),
        p.attempts > 1 ? el('span', { class: 'muted' }, ` ×${p.attempts}`) : null),
      el('td', { class: 'num', 'data-testid': 'part-elapsed' }, duration(p.elapsedMs)),
      el('td', {}, el('pre', { class: 'logs', 'data-testid': 'part-logs', title: p.note },
        [p.note ? `[${p.note}]` : null, ...(p.logs || [])].filter(Boolean).join('\n')))));
    $('parts').replaceChildren(...rows);
    $('progress').max = Math.max(1, job.total);
    $('progress').value = job.done;
    $('progress-text').textContent = `${job.done} / ${job.total}`;
  }

  resetView() {
    $('run-view').hidden = false;
    $('run-id').textContent = '';
    $('parts').replaceChildren();
    $('progress').value = 0;
    $('progress').max = 1;
    $('progress-text').textContent = '0 / ?';
    $('result-box').hidden = true;
    $('error-box').hidden = true;
  }

  setStatus(status, elapsedMs) {
    const badge = $('run-status');
    badge.dataset.status = status;
    badge.textContent = status.replace('_', ' ');
    clearInterval(this.ticker);
    const started = this.job.startedAt;
    const show = (ms) => { $('run-elapsed').textContent = duration(ms); };
    if (elapsedMs !== undefined) {
      show(elapsedMs);
    } else if (status === 'running' || status === 'submitting') {
      this.ticker = setInterval(() => show(Date.now() - started), 200);
    }
  }

  setBusy(busy) {
    $('run').disabled = busy;
    $('cancel').disabled = !busy;
  }

  formError(message) {
    $('form-error').hidden = !message;
    $('form-error').textContent = message || '';
  }
}

/** The line of the source that failed, numbered, with a caret under its column. */
function sourceExcerpt(source, line, column) {
  const text = source.split('\n')[line - 1];
  if (text === undefined) {
    return null;
  }
  const gutter = `${line} | `;
  const caret = column ? `\n${' '.repeat(gutter.length + column - 1)}^` : '';
  return `${gutter}${text}${caret}`;
}
