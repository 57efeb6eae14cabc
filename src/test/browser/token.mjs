// The page against a node that needs an access token: it asks for the token once (a prompt), then lists
// the peers and runs a job from the console with it.
//   node token.mjs BASE_URL TOKEN
import { check, eventually, runCheck, setEditor, shot, step, tid, usage, addressOf } from './lib.mjs';

const [base, token] = process.argv.slice(2);
if (!base || !token) {
  usage('node token.mjs BASE_URL TOKEN');
}

runCheck('token', async (page) => {
  let prompts = 0;
  page.on('dialog', async (dialog) => {
    prompts++;
    check(dialog.type() === 'prompt', `expected a prompt for the token, got a ${dialog.type()}`);
    await dialog.accept(token);
  });
  step('open the page; it asks for the token');
  await page.goto(base);
  await eventually('the prompt for the token', () => prompts === 1);
  step('the peer list shows this node');
  await eventually('this node in the peer list',
    async () => (await page.locator(`${tid('peer-row')}[data-address="${addressOf(base)}"]`).count()) === 1);
  step('run a job from the console with the token');
  await eventually('the code editor', async () => (await page.locator('#code .cm-content').count()) === 1);
  await setEditor(page, 'code', '(xs) => xs.map((x) => x * 3)');
  await setEditor(page, 'data', '[1, 2, 3]');
  await page.fill('#partitions', '1');
  await page.click(tid('run'));
  const result = await eventually('the job result', async () => {
    const status = await page.locator(tid('run-status')).getAttribute('data-status');
    return status === 'completed' ? page.locator(tid('result')).textContent() : null;
  });
  check(JSON.stringify(JSON.parse(result)) === '[[3,6,9]]', `result ${result}, expected [[3,6,9]]`);
  step('the job list (which needs the token) shows the job');
  await eventually('a completed job in the list',
    async () => (await page.locator(`${tid('job-row')}[data-status="completed"]`).count()) >= 1);
  await shot(page, 'token-job');
  check(prompts === 1, `the page asked ${prompts} times for the token; once is enough`);
});
