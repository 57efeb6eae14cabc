// The data-path baseline: the grid's 1e6-number map job done by one node process, no grid, same machine.
// Usage: node data-path.js RUNS -> one JSON line {jsonMs: [...], binaryMs: [...]}
// jsonMs: parse the request's JSON array, square each, write the result as JSON; binaryMs: the same on a
// Float64Array (as a binary job's parts do), the bytes copied in and out once as the grid does.
const runs = +process.argv[2];
const n = 1_000_000;
const text = JSON.stringify(Array.from({ length: n }, (_, i) => i));
const bytes = new Float64Array(Array.from({ length: n }, (_, i) => i)).buffer;
const time = (f) => { const t = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t) / 1e6; };
const json = () => JSON.stringify(JSON.parse(text).map((x) => x * x));
const binary = () => new Float64Array(new Float64Array(bytes.slice(0)).map((x) => x * x)).buffer.slice(0);
for (let i = 0; i < 10; i++) { json(); binary(); }
const out = { jsonMs: [], binaryMs: [] };
for (let i = 0; i < runs; i++) { out.jsonMs.push(time(json)); out.binaryMs.push(time(binary)); }
console.log(JSON.stringify(out));
