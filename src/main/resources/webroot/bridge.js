/**
 * A small client for the Vert.x SockJS event-bus bridge over its raw WebSocket transport
 * (`/eventbus/websocket`), so the page needs no vendored vertx-eventbus.js / sockjs-client.
 *
 * The node sends bridge frames as BINARY WebSocket frames holding UTF-8 JSON
 * (`{"type":"rec","address","body"}`); the client sends text JSON (`register`, `ping`).
 * The bridge drops a socket that stays silent, hence the ping; a closed socket is reopened
 * with exponential backoff and every address registered again.
 */
import { authHeaders } from './view.js';

const PING_MS = 5000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10000;

export class Bridge {
  /**
   * @param {string} url ws(s)://host/eventbus/websocket
   * @param {string[]} addresses outbound addresses to register on every (re)connect
   * @param {{onMessage: (address: string, body: any) => void, onState: (state: string) => void}} handlers
   *   onState receives "connecting", "open" or "closed"
   */
  constructor(url, addresses, { onMessage, onState }) {
    this.url = url;
    this.addresses = addresses;
    this.onMessage = onMessage;
    this.onState = onState;
    this.attempt = 0;
    this.socket = null;
    this.pinger = null;
    this.retry = null;
    this.stopped = false;
  }

  /** Opens the socket; it is reopened until {@link stop} is called. */
  start() {
    this.stopped = false;
    this.connect();
    return this;
  }

  stop() {
    this.stopped = true;
    clearInterval(this.pinger);
    if (this.socket) {
      this.socket.close();
    }
  }

  connect() {
    this.retry = null;
    this.onState('connecting');
    const socket = new WebSocket(this.url);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => this.opened(socket);
    socket.onmessage = (event) => this.received(event.data);
    socket.onclose = () => this.closed(socket);
    socket.onerror = () => { /* onclose follows and schedules the retry */ };
    this.socket = socket;
  }

  opened(socket) {
    this.attempt = 0;
    for (const address of this.addresses) {
      socket.send(JSON.stringify({ type: 'register', address, headers: authHeaders() }));
    }
    this.pinger = setInterval(() => socket.send(JSON.stringify({ type: 'ping' })), PING_MS);
    this.onState('open');
  }

  async received(data) {
    const text = typeof data === 'string' ? data
      : data instanceof Blob ? await data.text()
      : new TextDecoder().decode(data);
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      console.warn('bridge: ignoring a frame that is not JSON', text);
      return;
    }
    if (frame.type === 'rec') {
      this.onMessage(frame.address, frame.body);
    } else if (frame.type === 'err') {
      console.warn('bridge error', frame.body || frame.message || frame);
    }
  }

  closed(socket) {
    clearInterval(this.pinger);
    if (socket !== this.socket) {
      return;
    }
    this.onState('closed');
    if (this.stopped) {
      return;
    }
    // Backoff with jitter, so the pages of a restarted node do not all come back at once.
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    this.attempt++;
    this.retry = setTimeout(() => this.connect(), delay);
  }

  /** Skips the rest of the backoff, e.g. once the node answers HTTP again. */
  retryNow() {
    if (this.retry && !this.stopped && this.socket.readyState === WebSocket.CLOSED) {
      clearTimeout(this.retry);
      this.retry = null;
      this.connect();
    }
  }
}

/** The bridge URL of the node that served this page. */
export function bridgeUrl(location) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/eventbus/websocket`;
}
