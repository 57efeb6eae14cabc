/**
 * The job console: the form (code, data and reduce in code editors) becomes a job sent over the job
 * WebSocket (/api/jobs/ws); the run view shows the job live: its status, the task stream (one lane per node,
 * one bar per part), the parts with their logs, then the result (a collapsible tree, its size, a download)
 * or the error (code, message, partition, node, line:column, the offending line marked in its editor).
 * A job picked in the job list is shown the same way: from its view, then followed with a
 * `{"type":"watch","id"}` on its own socket, or, where the node cannot watch, from its view again on each of
 * its progress events. Closing the socket would cancel the page's job on the node, so it is kept open.
 */
import { CodeEditor } from './editor.js';
import { jsonSize, jsonTree } from './jsonview.js';
import { FINAL, JobRun } from './run.js';
import { TaskStream } from './stream.js';
import { withImport } from './modules.js';
import { $, authHeaders, duration, el, getJson, pretty, token } from './view.js';

const REFRESH_MS = 250;

export class JobConsole {
  constructor(location) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.url = `${scheme}//${location.host}/api/jobs/ws`;
    this.socket = null;
    this.job = null;
    this.watch = null;
    this.ticker = null;
    this.onSelect = () => {};
  }

  attach() {
    const run = () => $('job-form').requestSubmit();
    this.editors = {
      code: new CodeEditor($('code'), { onRun: run, label: 'job code' }),
      data: new CodeEditor($('data'), { onRun: run, label: 'job data', wrap: true }),
      reduce: new CodeEditor($('reduce'), { onRun: run, label: 'reduce' }),
    };
    this.stream = new TaskStream($('stream'), $('stream-tip'));
    $('job-form').addEventListener('submit', (e) => { e.preventDefault(); this.run(); });
    $('cancel').addEventListener('click', () => this.cancel());
    $('result-tree-tab').addEventListener('click', () => this.resultTab('tree'));
    $('result-raw-tab').addEventListener('click', () => this.resultTab('raw'));
    $('result-download').addEventListener('click', () => this.download());
    for (const id of ['partitions', 'timeout', 'scripts']) {
      $(id).addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          run();
        }
      });
    }
  }

  /** Adds an import of a store module at the top of the code. */
  importModule(name) {
    this.editors.code.value = withImport(this.editors.code.value, name);
    this.editors.code.focus();
  }

  /** Adds a store module to the classic scripts run before the code. */
  addScript(name) {
    const scripts = $('scripts').value.split(',').map((m) => m.trim()).filter((m) => m);
    if (!scripts.includes(name)) {
      scripts.push(name);
    }
    $('scripts').value = scripts.join(', ');
  }

  /** The form as a job object, or throws an Error whose message says which field is wrong. */
  readForm() {
    const code = this.editors.code.value; // sent as written: error lines and columns refer to it
    if (!code.trim()) {
      throw new Error('Code is empty: write a function (input, ctx) => ...');
    }
    const job = { code, mode: $('mode').value };
    const data = this.editors.data.value.trim();
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
    const reduce = this.editors.reduce.value;
    if (reduce.trim()) {
      job.reduce = reduce;
    }
    const scripts = $('scripts').value.split(',').map((m) => m.trim()).filter((m) => m);
    if (scripts.length) {
      job.modules = scripts;
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
    this.stopWatching();
    Object.values(this.editors).forEach((e) => e.clearError());
    this.job = new JobRun({ spec, origin: 'submitted here' });
    this.resetView();
    this.render();
    try {
      const socket = await this.open();
      socket.send(JSON.stringify(spec));
    } catch (e) {
      this.failEarly({ error: 'unreachable', message: `cannot reach the node's job socket: ${e.message}` }, 'error');
    }
  }

  /** Shows a job of the list: its view now, then its events as they come while it runs. */
  async show(id) {
    if (this.job?.id === id) {
      return;
    }
    this.stopWatching();
    this.formError(null);
    const job = new JobRun({ id, origin: 'watched' });
    this.job = job;
    this.resetView();
    try {
      const view = await getJson(`/api/jobs/${encodeURIComponent(id)}`);
      if (this.job !== job) {
        return;
      }
      if (view.error === 'not_found') {
        this.failEarly(view, 'error');
        return;
      }
      job.snapshot(view);
      this.render();
      if (!job.finished) {
        this.follow(job);
      }
    } catch (e) {
      this.failEarly({ error: 'unreachable', message: `cannot load job ${id}: ${e.message}` }, 'error');
    }
  }

  /** Follows a job this page did not submit: a watch on a socket of its own, else its view on each event. */
  follow(job) {
    const socket = new WebSocket(this.url);
    const watch = { job, socket, fallback: false, timer: null, pending: false };
    this.watch = watch;
    socket.onopen = () => {
      if (token()) {
        socket.send(JSON.stringify({ type: 'auth', token: token() }));
      }
      socket.send(JSON.stringify({ type: 'watch', id: job.id }));
    };
    socket.onmessage = (m) => {
      const event = JSON.parse(m.data);
      if (this.watch !== watch || event.type === 'authenticated') {
        return;
      }
      if (event.type === 'error' || event.type === 'rejected') {
        // this node cannot watch: follow the job's progress events instead
        watch.fallback = true;
        socket.close();
        this.refreshWatched(watch);
        return;
      }
      if (event.type === 'snapshot') {
        job.snapshot(event);
      } else {
        this.apply(job, event);
      }
      this.render();
    };
    socket.onclose = () => {
      if (this.watch === watch && !watch.fallback && !job.finished) {
        watch.fallback = true;
        this.refreshWatched(watch);
      }
    };
  }

  /** The app passes every job summary event here: a watched job without a watch is refreshed from its view. */
  onJobEvent(summary) {
    const watch = this.watch;
    if (watch && watch.fallback && watch.job.id === summary.id && !watch.job.finished) {
      this.refreshWatched(watch);
    }
  }

  refreshWatched(watch) {
    if (watch.timer) {
      watch.pending = true;
      return;
    }
    watch.timer = setTimeout(() => {
      watch.timer = null;
      if (watch.pending) {
        watch.pending = false;
        this.refreshWatched(watch);
      }
    }, REFRESH_MS);
    getJson(`/api/jobs/${encodeURIComponent(watch.job.id)}`).then((view) => {
      if (this.watch === watch && !watch.job.finished && view.id) {
        watch.job.snapshot(view);
        this.render();
      }
    }).catch((e) => console.warn('job view', e));
  }

  stopWatching() {
    if (this.watch) {
      clearTimeout(this.watch.timer);
      this.watch.socket.close();
      this.watch = null;
    }
  }

  cancel() {
    const job = this.job;
    if (!job || job.finished) {
      return;
    }
    job.cancelAsked = true;
    $('cancel').disabled = true;
    if (job.origin === 'watched') {
      fetch(`/api/jobs/${encodeURIComponent(job.id)}`, { method: 'DELETE', headers: authHeaders() })
        .catch((e) => console.warn('cancel', e));
    } else if (job.id) {
      this.socket.send(JSON.stringify({ type: 'cancel', id: job.id }));
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
    if (this.job && this.job.origin === 'submitted here' && !this.job.finished) {
      this.failEarly({ error: 'disconnected', message: 'the connection to the node closed; the job was cancelled' },
        'error');
    }
  }

  /** An event on the page's own job socket. */
  onEvent(event) {
    const job = this.job;
    if (!job || job.origin !== 'submitted here' || job.finished || (event.id && job.id && event.id !== job.id)) {
      return; // an event of an earlier job, e.g. after a cancel raced its completion
    }
    if (event.type === 'authenticated') {
      return;
    }
    if (event.type === 'error' || event.type === 'rejected') {
      this.failEarly(event, event.type);
      return;
    }
    this.apply(job, event);
    if (event.type === 'accepted') {
      this.onSelect(job.id);
      if (job.cancelAsked) {
        this.socket.send(JSON.stringify({ type: 'cancel', id: job.id }));
      }
    }
    this.render();
  }

  apply(job, event) {
    switch (event.type) {
      case 'accepted': job.accepted(event); break;
      case 'partition': job.partition(event); break;
      case 'retry': job.retry(event); break;
      default:
        if (FINAL.has(event.type)) {
          job.final(event);
        }
    }
  }

  /** A job that ended before or without running: validation error, rejection, lost socket, unknown id. */
  failEarly(event, status) {
    const job = this.job;
    if (job) {
      job.abort(status);
      job.view = { ...event, status: undefined };
    }
    this.render();
    this.renderError(event, status);
  }

  /** Draws the whole run view from the job's state. */
  render() {
    const job = this.job;
    if (!job) {
      return;
    }
    $('run-view').hidden = false;
    $('run-id').textContent = job.id || '';
    $('run-id').title = job.nodes.length ? `${job.mode || 'map'} over ${job.nodes.join(', ')}` : '';
    $('run-origin').textContent = job.origin === 'watched' ? '(from the job list)' : '';
    this.setStatus(job);
    this.stream.show(job);
    this.renderParts();
    if (job.finished && job.view && !this.shownOutcome) {
      this.shownOutcome = true;
      if (job.status === 'completed') {
        this.renderResult(job.view.result);
      } else if (FINAL.has(job.status)) {
        this.renderError(job.view, job.status);
      }
    }
    $('run').disabled = job.origin === 'submitted here' && !job.finished;
    $('cancel').disabled = job.finished || job.cancelAsked;
  }

  renderResult(result) {
    const text = pretty(result);
    $('result').textContent = text;
    $('result-size').textContent = jsonSize(JSON.stringify(result));
    $('result-tree').replaceChildren(jsonTree(result));
    this.resultText = JSON.stringify(result, null, 2);
    this.resultTab('tree');
    $('result-box').hidden = false;
  }

  resultTab(tab) {
    $('result-tree').hidden = tab !== 'tree';
    $('result').hidden = tab !== 'raw';
    $('result-tree-tab').setAttribute('aria-pressed', String(tab === 'tree'));
    $('result-raw-tab').setAttribute('aria-pressed', String(tab === 'raw'));
  }

  download() {
    const blob = new Blob([this.resultText || ''], { type: 'application/json' });
    const link = el('a', { href: URL.createObjectURL(blob), download: `result-${this.job?.id || 'job'}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  renderError(view, status) {
    $('error-title').textContent = { timed_out: 'Timed out', cancelled: 'Cancelled' }[status] || 'Error';
    $('error-code').textContent = view.error || status;
    $('error-message').textContent = view.message || '';
    $('error-partition').textContent = view.partition ?? (view.stage === 'reduce' ? 'reduce' : '–');
    $('error-node').textContent = view.node || '–';
    $('error-location').textContent = view.line ? `${view.line}:${view.column ?? '?'}` : '–';
    $('error-facts').hidden = view.partition == null && !view.node && !view.line && view.stage !== 'reduce';
    const spec = this.job?.spec;
    const source = view.stage === 'reduce' ? spec?.reduce : spec?.code;
    const excerpt = view.line && source ? sourceExcerpt(source, view.line, view.column) : null;
    $('error-source').hidden = !excerpt;
    $('error-source').textContent = excerpt || '';
    if (view.line && spec) {
      // the editors still hold the text that was sent unless the user changed it since (then the mark clears)
      const editor = view.stage === 'reduce' ? this.editors.reduce : this.editors.code;
      if (editor.value === source) {
        editor.markError(view.line, view.column, `${view.error}: ${view.message}`);
      }
    }
    const logs = view.logs || [];
    $('error-logs').hidden = logs.length === 0;
    const heading = view.partition == null ? '' : `logs of part ${view.partition}:\n`;
    $('error-logs').textContent = heading + logs.join('\n');
    $('error-box').hidden = false;
  }

  renderParts() {
    const job = this.job;
    const parts = job.parts.filter(Boolean);
    const rows = parts.map((p) => el('tr', { dataset: { testid: 'part-row', index: p.index, status: p.status } },
      el('td', {}, `#${p.index}`),
      el('td', { class: 'mono', 'data-testid': 'part-node' }, p.node || '–'),
      el('td', {}, el('span', { class: 'badge', dataset: { status: p.status } }, p.status),
        p.attempts > 1 ? el('span', { class: 'muted' }, ` ×${p.attempts}`) : null),
      el('td', { class: 'num', 'data-testid': 'part-elapsed' }, duration(p.elapsedMs)),
      el('td', {}, el('pre', { class: 'logs', 'data-testid': 'part-logs', title: p.note },
        [p.note ? `[${p.note}]` : null, ...(p.logs || [])].filter(Boolean).join('\n')))));
    $('parts').replaceChildren(...rows);
    $('parts-summary').textContent = `${job.done} of ${job.total} done`;
    $('progress').max = Math.max(1, job.total);
    $('progress').value = job.done;
    $('progress-text').textContent = job.total ? `${job.done} / ${job.total}` : '0 / ?';
  }

  resetView() {
    this.shownOutcome = false;
    this.resultText = null;
    $('run-view').hidden = false;
    $('run-id').textContent = '';
    $('parts').replaceChildren();
    this.stream.clear();
    $('progress').value = 0;
    $('progress').max = 1;
    $('progress-text').textContent = '0 / ?';
    $('result-box').hidden = true;
    $('error-box').hidden = true;
  }

  setStatus(job) {
    const badge = $('run-status');
    badge.dataset.status = job.status;
    badge.textContent = job.status.replace('_', ' ');
    clearInterval(this.ticker);
    const show = () => { $('run-elapsed').textContent = duration(Date.now() - job.startedAt); };
    if (job.finished) {
      $('run-elapsed').textContent = job.elapsedMs != null ? duration(job.elapsedMs) : '';
    } else {
      show();
      this.ticker = setInterval(() => {
        if (this.job !== job || job.finished) {
          clearInterval(this.ticker);
          return;
        }
        show();
        this.stream.render(); // running bars grow
      }, 200);
    }
  }

  /** A form error replaces whatever the run view showed: an old job's error must not read as this one's. */
  formError(message) {
    $('form-error').hidden = !message;
    $('form-error').textContent = message || '';
    if (message && (!this.job || this.job.finished || this.job.origin === 'watched')) {
      this.stopWatching();
      clearInterval(this.ticker);
      this.job = null;
      $('run-view').hidden = true;
      this.stream.clear();
      Object.values(this.editors).forEach((e) => e.clearError());
      this.onSelect(null);
    }
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
