// The JS-speed baseline: the same functions as the grid's parts, warm, in node on the same machine.
// Usage: node js-speed.js NAME WARMUP RUNS  -> prints one JSON line {name, samplesMs: [...], cpuMs: [...]}
const [name, warmup, runs] = [process.argv[2], +process.argv[3], +process.argv[4]];
const fib = (n) => n < 2 ? n : fib(n - 1) + fib(n - 2);
const array = JSON.stringify(Array.from({ length: 1_000_000 }, (_, i) => i % 1000));
const numbers = JSON.stringify(Array.from({ length: 100_000 }, (_, i) => i * 1.5));
const cases = {
  fib27: () => fib(27),
  sum1e6: () => JSON.parse(array).reduce((a, b) => a + b, 0),
  jsonParse: () => { let n = 0; for (let i = 0; i < 10; i++) n += JSON.parse(numbers).length; return n; },
};
const f = cases[name];
for (let i = 0; i < warmup; i++) f();
const samples = [];
const cpu = [];
for (let i = 0; i < runs; i++) {
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  f();
  samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  const used = process.cpuUsage(c);
  cpu.push((used.user + used.system) / 1e3);
}
console.log(JSON.stringify({ name, samplesMs: samples, cpuMs: cpu }));
