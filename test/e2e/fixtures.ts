import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const screenshotDir = path.join(repoRoot, 'out/test-results/screenshots');

export interface Host {
  readonly url: string;
  readonly dbPath: string;
  readonly dir: string;
}

/** Starts `glif serve` on a free port with a fresh database; resolves with the printed URL. */
async function startHost(): Promise<{ host: Host; child: ChildProcess }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-e2e-'));
  const dbPath = path.join(dir, 'runs.sqlite');
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/glif.mjs'), 'serve', '--port', '0', '--db', dbPath, '--no-build'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`glif serve did not start:\n${output}`)), 60_000);
    const onData = (b: Buffer) => {
      output += String(b);
      const m = /serving at (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`glif serve exited (${code}):\n${output}`)));
  });
  return { host: { url, dbPath, dir }, child };
}

export const test = base.extend<{ shot: (name: string) => Promise<void> }, { host: Host }>({
  host: [
    // Playwright reads a fixture's dependencies from the destructuring pattern: none here.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const { host, child } = await startHost();
      await use(host);
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(host.dir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  shot: async ({ page }, use, testInfo) => {
    fs.mkdirSync(screenshotDir, { recursive: true });
    await use(async (name: string) => {
      const file = path.join(screenshotDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      await testInfo.attach(name, { path: file, contentType: 'image/png' });
    });
  },
});

export async function openApp(page: Page, host: Host, hash = '#/runs'): Promise<void> {
  // Records main-thread tasks over 50 ms, so tests can check the UI stays responsive.
  await page.addInitScript(() => {
    const g = globalThis as unknown as { __longTasks: number[] };
    g.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) g.__longTasks.push(e.duration);
    }).observe({ type: 'longtask' as never, buffered: true });
  });
  const url = new URL(host.url);
  url.hash = hash;
  await page.goto(url.toString());
  await expect(page.getByRole('link', { name: 'Runs', exact: true })).toBeVisible();
}

/** Durations of main-thread tasks over 50 ms seen since the page loaded. */
export async function longTasks(page: Page): Promise<number[]> {
  return page.evaluate(() => (globalThis as unknown as { __longTasks: number[] }).__longTasks);
}

export { expect };
