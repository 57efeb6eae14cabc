/**
 * A collapsible view of a JSON value: objects and arrays open and close with a click, show their size when
 * closed, and a long array shows its first items with a button for the rest. The first levels start open.
 */
import { el } from './view.js';

const OPEN_LEVELS = 2;
const FIRST_ITEMS = 100;
/** A nested value whose JSON fits this many characters is shown on one line. */
const INLINE = 72;

/** The value as one line of JSON with a space after each comma and colon; null when it is too long. */
function inline(value) {
  if (JSON.stringify(value).length > INLINE) {
    return null;
  }
  const spaced = (v) => {
    if (Array.isArray(v)) {
      return `[${v.map(spaced).join(', ')}]`;
    }
    if (v !== null && typeof v === 'object') {
      return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${spaced(x)}`).join(', ')}}`;
    }
    return JSON.stringify(v);
  };
  return spaced(value);
}

/** The tree of `value` as a DOM element. */
export function jsonTree(value) {
  return el('div', { class: 'jt-root' }, node(value, 0, null));
}

/** The size of `value` as UTF-8 JSON text: "312 B", "4.2 KB", "1.3 MB". */
export function jsonSize(text) {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function node(value, depth, key) {
  const label = key === null ? null : el('span', { class: 'jt-key' }, typeof key === 'number' ? `${key}` : JSON.stringify(key), ': ');
  if (value === null || typeof value !== 'object') {
    return el('div', { class: 'jt-line' }, label, leaf(value));
  }
  const isArray = Array.isArray(value);
  const entries = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  const flat = depth > 0 ? inline(value) : null;
  if (entries.length === 0 || (flat !== null && flat.length <= INLINE)) {
    return el('div', { class: 'jt-line' }, label, el('span', { class: 'jt-inline' }, flat ?? open + close));
  }
  const summary = isArray ? `${entries.length} item${entries.length === 1 ? '' : 's'}`
    : `${entries.length} key${entries.length === 1 ? '' : 's'}`;
  const children = el('div', { class: 'jt-children' });
  const box = el('div', { class: 'jt-node', dataset: { open: String(depth < OPEN_LEVELS) } },
    el('div', { class: 'jt-line jt-toggle', role: 'button', tabindex: '0', 'aria-expanded': String(depth < OPEN_LEVELS) },
      label, el('span', { class: 'jt-punct' }, open), el('span', { class: 'jt-summary' }, ` ${summary} `),
      el('span', { class: 'jt-punct jt-close-inline' }, close)),
    children,
    el('div', { class: 'jt-line jt-close' }, el('span', { class: 'jt-punct' }, close)));
  let filled = false;
  const fill = () => {
    if (!filled) {
      filled = true;
      append(children, entries, 0, depth);
    }
  };
  if (depth < OPEN_LEVELS) {
    fill();
  }
  const toggle = box.firstChild;
  const flip = () => {
    const opened = box.dataset.open !== 'true';
    box.dataset.open = String(opened);
    toggle.setAttribute('aria-expanded', String(opened));
    if (opened) {
      fill();
    }
  };
  toggle.addEventListener('click', flip);
  toggle.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      flip();
    }
  });
  return box;
}

/** Appends entries from `start`, at most FIRST_ITEMS of them, then a button for the rest. */
function append(children, entries, start, depth) {
  const end = Math.min(entries.length, start + FIRST_ITEMS);
  for (let i = start; i < end; i++) {
    children.append(node(entries[i][1], depth + 1, entries[i][0]));
  }
  if (end < entries.length) {
    const more = el('button', { type: 'button', class: 'small jt-more' }, `show ${Math.min(FIRST_ITEMS, entries.length - end)} more of ${entries.length - end}`);
    more.addEventListener('click', () => {
      more.remove();
      append(children, entries, end, depth);
    });
    children.append(more);
  }
}

function leaf(value) {
  const type = value === null ? 'null' : typeof value;
  return el('span', { class: `jt-${type}` }, JSON.stringify(value));
}
