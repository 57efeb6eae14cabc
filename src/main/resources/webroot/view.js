/** Small DOM and formatting helpers shared by the page's modules. */

/** Creates an element: el('td', {class: 'num', dataset: {x: 1}}, 'text', child). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) {
      continue;
    }
    if (key === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (key === 'class') {
      node.className = value;
    } else {
      node.setAttribute(key, value);
    }
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

export const $ = (id) => document.getElementById(id);

/** 850 ms, 12.3 s, 4 min 05 s. */
export function duration(ms) {
  if (ms === undefined || ms === null) {
    return '–';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** "just now", "42 s ago", "5 min ago", "3 h ago". */
export function ago(epochMs, now = Date.now()) {
  const s = Math.max(0, Math.round((now - epochMs) / 1000));
  if (s < 5) {
    return 'just now';
  }
  if (s < 60) {
    return `${s} s ago`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ago`;
  }
  return `${Math.floor(s / 3600)} h ago`;
}

export function clock(epochMs) {
  return new Date(epochMs).toLocaleTimeString([], { hour12: false });
}

/** A count that may be null when a peer did not answer its stats in time. */
export function count(value) {
  return value === undefined || value === null ? '–' : String(value);
}

/**
 * JSON for people: indented by two, but whatever fits in 80 columns stays on one line, and a long array of
 * numbers, strings or booleans is packed several items to a line.
 */
export function pretty(value, indent = '') {
  const flat = oneLine(value);
  if (value === null || typeof value !== 'object' || indent.length + flat.length <= 80) {
    return flat;
  }
  const inner = `${indent}  `;
  let lines;
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) {
    lines = packed(value.map((v) => JSON.stringify(v)), inner);
  } else if (Array.isArray(value)) {
    lines = value.map((v) => inner + pretty(v, inner));
  } else {
    lines = Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pretty(v, inner)}`);
  }
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${lines.join(',\n')}\n${indent}${close}`;
}

function oneLine(value) {
  if (Array.isArray(value)) {
    return `[${value.map(oneLine).join(', ')}]`;
  }
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

function packed(items, indent) {
  const lines = [];
  let line = '';
  for (const item of items) {
    if (line && indent.length + line.length + item.length + 2 > 80) {
      lines.push(indent + line);
      line = '';
    }
    line += line ? `, ${item}` : item;
  }
  lines.push(indent + line);
  return lines;
}

const TOKEN_KEY = 'disruptor.token';

/** The access token for this tab (asked once when the node answers 401, kept in sessionStorage). */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

let asking = null;

/** Asks the user for the node's access token; concurrent callers share one prompt. */
export function askToken() {
  if (!asking) {
    asking = Promise.resolve().then(() => {
      const value = window.prompt('This node needs an access token:');
      if (value) {
        sessionStorage.setItem(TOKEN_KEY, value.trim());
      }
      asking = null;
      return value;
    });
  }
  return asking;
}

export function authHeaders() {
  const t = token();
  return t ? { authorization: `Bearer ${t}` } : {};
}

export async function getJson(path) {
  let response = await fetch(path, { cache: 'no-store', headers: authHeaders() });
  if (response.status === 401 && await askToken()) {
    response = await fetch(path, { cache: 'no-store', headers: authHeaders() });
  }
  const body = await response.json();
  if (!response.ok && !body.status) {
    throw new Error(`${path}: HTTP ${response.status}`);
  }
  return body;
}
