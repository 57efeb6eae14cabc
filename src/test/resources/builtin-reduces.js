// Random part results and what each built-in reduce's JavaScript equivalent gives for them, as JSON lines:
// {"name", "parts": [JSON text of each part's result], "expected": JSON text}. Seeded: node builtin-reduces.js SEED COUNT
const seed = Number(process.argv[2] || 1);
const count = Number(process.argv[3] || 200);
let state = seed >>> 0;
const rand = () => { state = (state * 1664525 + 1013904223) >>> 0; return state / 4294967296; };
const int = (n) => Math.floor(rand() * n);
const pick = (xs) => xs[int(xs.length)];
const number = () => pick([
  () => int(1000) - 500, () => (rand() - 0.5) * 1e6, () => rand() * 1e-8, () => (rand() - 0.5) * 1e22,
  () => -0, () => 0.1 + 0.2, () => 1 / 3, () => 2 ** int(80), () => Number.MAX_SAFE_INTEGER, () => 5e-324,
])();
const string = () => pick(['', 'a', 'é', '"q"', 'a,b', '[x]', '{y}', '\\', '\n', '\u2028', '😀', 'tab\t'])
  + String(int(100));
const value = (depth) => pick([
  number, string, () => null, () => rand() < 0.5,
  () => depth > 2 ? 1 : Array.from({ length: int(4) }, () => value(depth + 1)),
  () => depth > 2 ? {} : { k: value(depth + 1), [string()]: number() },
])();
const numbers = () => Array.from({ length: int(6) }, number);
const JS = {
  flat: (p) => p.flat(),
  concat: (p) => p.every(Array.isArray) ? [].concat(...p) : p.join(''),
  sum: (p) => p.flat().reduce((a, b) => a + b, 0),
  count: (p) => p.flat().length,
  min: (p) => { const f = p.flat(); return f.length ? Math.min(...f) : null; },
  max: (p) => { const f = p.flat(); return f.length ? Math.max(...f) : null; },
};
for (let i = 0; i < count; i++) {
  const name = pick(Object.keys(JS));
  const n = int(6);
  let parts;
  if (name === 'sum' || name === 'min' || name === 'max') {
    parts = Array.from({ length: n }, () => rand() < 0.2 ? number() : numbers());
  } else if (name === 'concat') {
    parts = rand() < 0.5 ? Array.from({ length: n }, () => Array.from({ length: int(4) }, () => value(1)))
      : Array.from({ length: n }, string);
  } else {
    parts = Array.from({ length: n }, () => rand() < 0.15 ? value(2) : Array.from({ length: int(5) }, () => value(1)));
  }
  const texts = parts.map((p) => JSON.stringify(p));
  console.log(JSON.stringify({ name, parts: texts, expected: JSON.stringify(JS[name](parts.map((t) => t))) }));
}
