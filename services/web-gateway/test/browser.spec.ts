import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startStack, type Stack } from './stack';
import { defaultPageDir } from '../src/http/web-app';

/** Debian's chromium (apt-get install chromium): the bundled browser cannot be downloaded here. */
const chromiumPath = '/usr/bin/chromium';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({}, defaultPageDir());
  await stack.createUser({ username: 'alice', homeFolder: 'alice', password: 'alice-password' });
  await stack.createUser({
    username: 'reader',
    homeFolder: 'reader',
    password: 'reader-password',
    privileges: ['list', 'download'],
  });
  await mkdir(stack.home('alice'), { recursive: true });
  await mkdir(stack.home('reader'), { recursive: true });
  await writeFile(stack.home('reader', 'notes.txt'), 'read me');
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function logIn(username: string): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  await page.goto(`https://127.0.0.1:${stack.httpsPort}/`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(`${username}-password`);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  return page;
}

/** Waits until the page says this, in its status line (what a screen reader announces). */
const said = (page: Page, words: string) =>
  page.getByRole('status').getByText(words, { exact: true }).waitFor();

it('logs in, uploads by input and by drop, downloads, renames, deletes, logs out', async () => {
  const page = await logIn('alice');
  const first = randomBytes(3 * 1024 * 1024);
  const second = Buffer.from('second file');
  await page.getByLabel('Upload files').setInputFiles([
    { name: 'first.bin', mimeType: 'application/octet-stream', buffer: first },
    { name: 'second.txt', mimeType: 'text/plain', buffer: second },
  ]);
  await said(page, 'uploaded 2 files');
  await page.locator('.progress li').first().getByText('100 %').waitFor();

  // Run in the page (its DOM, not this test's types): a drop of one file, as a user's would be.
  const dropped = await page.evaluateHandle(`(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }));
    return transfer;
  })()`);
  await page.dispatchEvent('.manager', 'drop', { dataTransfer: dropped });
  await said(page, 'uploaded 1 file');
  const bar = page.getByRole('progressbar', { name: 'dropped.txt' });
  expect(await bar.getAttribute('value')).toBe(String('dropped bytes'.length));
  for (const name of ['first.bin', 'second.txt', 'dropped.txt'])
    await page.getByRole('link', { name, exact: true }).waitFor();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'first.bin' }).click(),
  ]);
  expect(sha256(await readFile((await download.path())!))).toBe(sha256(first));

  await page.getByRole('button', { name: 'Rename second.txt' }).click();
  await page.getByLabel('New name for second.txt').fill('renamed.txt');
  await page.getByRole('button', { name: 'Save' }).click();
  await said(page, 'renamed /second.txt to /renamed.txt');
  expect(await readFile(stack.home('alice', 'renamed.txt'), 'utf8')).toBe('second file');

  await page.getByRole('button', { name: 'Delete renamed.txt' }).click();
  await said(page, 'deleted /renamed.txt');
  await expect(stat(stack.home('alice', 'renamed.txt'))).rejects.toThrow();

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('User name').waitFor();
  await page.reload();
  await page.getByLabel('User name').waitFor();
  await page.context().close();
});

it('shows a restricted user no denied action, and the server refuses it anyway', async () => {
  const page = await logIn('reader');
  await page.getByRole('link', { name: 'notes.txt' }).waitFor();
  expect(await page.getByLabel('Upload files').count()).toBe(0);
  expect(await page.getByRole('button', { name: /^(Rename|Delete) / }).count()).toBe(0);
  expect(await page.getByLabel('New folder').count()).toBe(0);
  const refused = await page.evaluate(async () => {
    const { csrfToken } = (await (await fetch('/api/session')).json()) as { csrfToken: string };
    const answer = await fetch('/api/delete', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: JSON.stringify({ path: '/notes.txt' }),
    });
    return { status: answer.status, body: (await answer.json()) as { error: string } };
  });
  expect(refused).toEqual({ status: 403, body: { error: 'you may not delete in /' } });
  expect(await readFile(stack.home('reader', 'notes.txt'), 'utf8')).toBe('read me');
  await page.context().close();
});
