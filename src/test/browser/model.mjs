// The page's job model (webroot/run.js, no DOM) against event sequences the node sends, without a browser:
// bars from the node's times, a retry as a moved bar plus a new one, a watched job from its view, a stop.
//   node model.mjs
import { JobRun } from '../../main/resources/webroot/run.js';
import { check, step } from './lib.mjs';

function bars(run) {
  return run.bars().map((b) => `${b.index}@${b.node}:${b.status}:${b.start}-${b.end}`);
}

function same(actual, expected, what) {
  check(JSON.stringify(actual) === JSON.stringify(expected),
    `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

try {
  step('a job with the node\'s times: bars on the page clock, shifted by the node\'s clock offset');
  let run = new JobRun({ origin: 'submitted here' });
  run.accepted({ id: 'j', partitions: 2, nodes: ['a', 'b'], placement: ['a', 'b'], createdAt: 1000 }, 1100);
  same(run.nodes, ['a', 'b'], 'lanes');
  same(bars(run), ['0@a:running:1100-null', '1@b:running:1100-null'], 'placed parts run from the start');
  run.partition({ index: 0, node: 'a', elapsedMs: 50, attempts: 1, startedAt: 1010, endedAt: 1060, done: 1, parts: 2 }, 1200);
  same(bars(run)[0], '0@a:done:1110-1160', 'a finished part, from the node\'s start and end');

  step('a retry: the first attempt becomes a moved bar in its lane, the next one runs in the new lane');
  run.retry({ index: 1, from: 'b', to: 'c', reason: 'node left', attempt: 2, at: 1300 }, 1450);
  same(run.nodes, ['a', 'b', 'c'], 'a lane for the node the part moved to');
  same(bars(run).slice(1), ['1@b:moved:1100-1400', '1@c:running:1400-null'], 'moved and new attempt');
  run.partition({ index: 1, node: 'c', elapsedMs: 30, attempts: 2, startedAt: 1310, endedAt: 1340, done: 2, parts: 2 }, 1500);
  run.final({ id: 'j', status: 'completed', parts: 2, done: 2, createdAt: 1000, elapsedMs: 345, result: [[1], [2]],
    partitions: [{ index: 0, node: 'a', status: 'done', attempts: 1, elapsedMs: 50, startedAt: 1010, endedAt: 1060 },
      { index: 1, node: 'c', status: 'done', attempts: 2, elapsedMs: 30, startedAt: 1310, endedAt: 1340 }] }, 1600);
  same(bars(run), ['0@a:done:1110-1160', '1@b:moved:1100-1400', '1@c:done:1410-1440'], 'the ended job');
  check(run.finished && run.status === 'completed' && run.parts[1].attempts === 2, 'completed, part 1 tried twice');

  step('without the node\'s times: a bar ends when its event arrives and starts elapsedMs before');
  run = new JobRun({ origin: 'submitted here' });
  run.accepted({ id: 'k', partitions: 1, nodes: ['a'], placement: ['a'] }, 5000);
  run.partition({ index: 0, node: 'a', elapsedMs: 300, attempts: 1, done: 1, parts: 1 }, 6000);
  same(bars(run), ['0@a:done:5700-6000'], 'estimated bar');

  step('a watched job from its view: done parts from their times, running parts from the job\'s start');
  run = new JobRun({ id: 'w', origin: 'watched' });
  run.snapshot({ id: 'w', status: 'running', parts: 3, done: 1, createdAt: 1000, elapsedMs: 500,
    partitions: [{ index: 0, node: 'a', status: 'done', attempts: 1, elapsedMs: 100, startedAt: 1100, endedAt: 1200 },
      { index: 1, node: 'b', status: 'running', attempts: 1 }, { index: 2, node: null, status: 'pending', attempts: 0 }] }, 2500);
  // the node's clock said 1500 when the page's said 2500: offset 1000
  same(bars(run), ['0@a:done:2100-2200', '1@b:running:2000-null'], 'bars of a watched job');
  run.final({ id: 'w', status: 'failed', parts: 3, done: 1, createdAt: 1000, elapsedMs: 900, error: 'job_error', partition: 1,
    partitions: [{ index: 0, node: 'a', status: 'done', attempts: 1, elapsedMs: 100, startedAt: 1100, endedAt: 1200 },
      { index: 1, node: 'b', status: 'running', attempts: 1 }, { index: 2, node: 'c', status: 'running', attempts: 1 }] }, 3000);
  same(bars(run), ['0@a:done:2100-2200', '1@b:failed:2000-3000', '2@c:stopped:2000-3000'],
    'the failing part ends failed, the unfinished one stopped');
  console.log('model: OK');
} catch (e) {
  console.error(`model: FAILED: ${e.message}`);
  process.exit(1);
}
