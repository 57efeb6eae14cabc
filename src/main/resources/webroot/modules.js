/**
 * The module store at a glance: each module's name, version, hash prefix and size, from GET /api/modules
 * (on every bridge (re)connect and every poll). "import" puts an import of the module at the top of the
 * console's code (turning the default code into an ES module); "script" adds it to the console's classic
 * scripts ("modules" of the job).
 */
import { el, getJson } from './view.js';

function size(bytes) {
  if (bytes >= 1024 * 1024) {
    return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  }
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
}

/** An identifier for a module name ("decimal.js" → decimal). */
function binding(name) {
  const word = name.split(/[^A-Za-z0-9_$]/).find((w) => w) || 'lib';
  return name === 'lodash' ? '_' : (/^[0-9]/.test(word) ? `_${word}` : word);
}

/** Code with an import of {@code name} at the top; expression code becomes `export default (...)`. */
export function withImport(code, name) {
  const line = `import ${binding(name)} from ${JSON.stringify(name)};`;
  if (code.split('\n').some((l) => l.trim() === line)) {
    return code;
  }
  const isModule = /^[ \t]*(import\s|export\s)/m.test(code);
  return `${line}\n${isModule ? code : `export default ${code.trim()}`}`;
}

export class ModulesPanel {
  constructor(body, { count, empty, onImport, onScript }) {
    this.body = body;
    this.count = count;
    this.empty = empty;
    this.onImport = onImport;
    this.onScript = onScript;
  }

  async refresh() {
    try {
      const answer = await getJson('/api/modules');
      this.render(answer.modules || []);
    } catch (e) {
      console.warn('modules', e);
    }
  }

  render(modules) {
    this.count.textContent = String(modules.length);
    this.empty.hidden = modules.length > 0;
    this.body.replaceChildren(...modules.map((m) => {
      const importButton = el('button', { type: 'button', class: 'small', 'data-testid': 'module-import',
        title: `import ${binding(m.name)} from "${m.name}" in the console's code` }, 'import');
      importButton.addEventListener('click', () => this.onImport(m.name));
      const scriptButton = el('button', { type: 'button', class: 'small', 'data-testid': 'module-script',
        title: 'run it as a classic script before the code (the job\'s "modules")' }, 'script');
      scriptButton.addEventListener('click', () => this.onScript(m.name));
      return el('tr', { 'data-testid': 'module-row', 'data-name': m.name },
        el('td', { class: 'mono' }, m.name),
        el('td', {}, m.version || '–'),
        el('td', { class: 'mono', title: m.hash }, m.hash.slice(0, 12)),
        el('td', { class: 'num' }, size(m.size)),
        el('td', {}, importButton, ' ', scriptButton));
    }));
  }
}
