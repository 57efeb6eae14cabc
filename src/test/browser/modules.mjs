// The module store on the page: lodash (uploaded by PageIT before this runs) is listed with its version,
// hash prefix and size; its "import" button puts `import _ from "lodash"` on top of the console's code, and
// the job then runs with the result node computes with the same file; "script" lists it as a classic
// script and the expression form uses the global `_`.
//   node modules.mjs BASE_URL LODASH_FILE HASH
import { Seen, check, editorText, eventually, runCheck, setEditor, shot, step, tid, usage } from './lib.mjs';
import { createRequire } from 'node:module';

const [base, lodashFile, hash] = process.argv.slice(2);
if (!base || !lodashFile || !hash) {
  usage('node modules.mjs BASE_URL LODASH_FILE HASH');
}
const _ = createRequire(import.meta.url)(lodashFile);
const data = [5, 3, 9, 1, 7, 2, 8, 6];
const work = (xs) => _.chunk(_.sortBy(xs), 3);
const expected = [work(data.slice(0, 4)), work(data.slice(4))];

/** Waits for a job other than {@code previous} (a run id) to complete and checks its result; answers its id. */
async function awaitResult(page, what, previous) {
  const id = await eventually(`${what}: a new job completed`, async () => {
    const shown = await page.getAttribute(tid('run-status'), 'data-status');
    const runId = (await page.textContent(tid('run-id')))?.trim();
    return (shown === 'completed' && runId && runId !== previous) ? runId : new Seen(`${shown} ${runId}`);
  }, 60000);
  const result = JSON.parse(await page.textContent(tid('result')));
  check(JSON.stringify(result) === JSON.stringify(expected),
    `${what}: result should be ${JSON.stringify(expected)} (node with the same lodash), page shows ${JSON.stringify(result)}`);
  return id;
}

await runCheck('modules', async (page) => {
  step(`open ${base}`);
  await page.goto(base);
  const row = await eventually('lodash listed in the modules panel', async () => {
    const rows = await page.$$eval(tid('module-row'), (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
    return rows.find((r) => r[0] === 'lodash') || new Seen(rows);
  });
  check(row[1] === '4.17.21', `lodash's version should read 4.17.21, reads ${row[1]}`);
  check(row[2] === hash.slice(0, 12), `lodash's hash should read ${hash.slice(0, 12)}, reads ${row[2]}`);
  check(/KiB$/.test(row[3]), `lodash's size should read in KiB, reads ${row[3]}`);
  check(await page.textContent(tid('module-count')) === '1', 'the modules count should be 1');
  await shot(page, 'modules-listed');

  step('import puts an import on top of the code; the ES-module job gives node\'s result');
  await setEditor(page, 'code', '(xs) => _.chunk(_.sortBy(xs), 3)');
  await setEditor(page, 'data', JSON.stringify(data));
  await page.fill('#partitions', '2');
  await page.click(`${tid('module-row')}[data-name="lodash"] ${tid('module-import')}`);
  const code = await editorText(page, 'code');
  check(code === 'import _ from "lodash";\nexport default (xs) => _.chunk(_.sortBy(xs), 3)',
    `the code should import lodash and export the function, is ${JSON.stringify(code)}`);
  await page.click(tid('run'));
  const first = await awaitResult(page, 'the ES-module job', null);

  step('script lists lodash as a classic script; the expression form sees the global _');
  await setEditor(page, 'code', '(xs) => _.chunk(_.sortBy(xs), 3)');
  await page.click(`${tid('module-row')}[data-name="lodash"] ${tid('module-script')}`);
  check(await page.inputValue(tid('scripts')) === 'lodash', 'the scripts field should read lodash');
  await page.click(tid('run'));
  await awaitResult(page, 'the classic-script job', first);
  await shot(page, 'modules-job');
});
