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
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'bin/glif.mjs'), 'serve', '--port', '0', '--db', dbPath, '--no-build'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
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

/** The hosts of one Playwright worker: one `glif serve` with its own database per test file. */
interface HostsByFile {
  /** The host of `file`; the previous file's host is stopped and its folder removed first. */
  forFile(file: string): Promise<Host>;
}

async function stopHost(host: Host, child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  }
  fs.rmSync(host.dir, { recursive: true, force: true });
}

export const test = base.extend<
  { shot: (name: string) => Promise<void>; host: Host },
  { hostsByFile: HostsByFile }
>({
  // A worker runs test files one after another (workers: 1 runs them all in one): each file gets a
  // fresh host and database when its first test asks for one, so no file sees another's runs,
  // while the tests of one file (a serial story) share theirs.
  hostsByFile: [
    // Playwright reads a fixture's dependencies from the destructuring pattern: none here.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      let current: { file: string; host: Host; child: ChildProcess } | undefined;
      await use({
        async forFile(file) {
          if (current?.file === file) return current.host;
          if (current) await stopHost(current.host, current.child);
          current = undefined;
          const started = await startHost();
          current = { file, ...started };
          return started.host;
        },
      });
      if (current) await stopHost(current.host, current.child);
    },
    { scope: 'worker' },
  ],
  host: async ({ hostsByFile }, use, testInfo) => {
    await use(await hostsByFile.forFile(testInfo.file));
  },
  shot: async ({ page }, use, testInfo) => {
    fs.mkdirSync(screenshotDir, { recursive: true });
    await use(async (name: string) => {
      const file = path.join(screenshotDir, `${name}.png`);
      // The view scrolls inside the window: grow the window to the view's height for the picture.
      const viewport = page.viewportSize();
      // The callbacks run in the page; this file is type-checked without the DOM library.
      const contentHeight = await page.evaluate(() => {
        type Box = { scrollHeight: number; getBoundingClientRect(): { top: number } };
        const doc = (
          globalThis as unknown as { document: { querySelector(s: string): Box | null; body: Box } }
        ).document;
        const main = doc.querySelector('main');
        return main ? main.scrollHeight + main.getBoundingClientRect().top : doc.body.scrollHeight;
      });
      if (viewport && contentHeight > viewport.height) {
        await page.setViewportSize({
          width: viewport.width,
          height: Math.min(6000, Math.ceil(contentHeight)),
        });
      }
      await page.screenshot({ path: file, fullPage: true });
      if (viewport) await page.setViewportSize(viewport);
      // Let the views lay out at the restored size before the test goes on.
      await page.evaluate(() => {
        const raf = (globalThis as unknown as { requestAnimationFrame(cb: () => void): number })
          .requestAnimationFrame;
        return new Promise<void>((r) => raf(() => raf(() => r())));
      });
      await testInfo.attach(name, { path: file, contentType: 'image/png' });
    });
  },
});

export async function openApp(page: Page, host: Host, hash = '#/runs'): Promise<void> {
  // Records main-thread tasks over 50 ms, so tests can check the UI stays responsive.
  await page.addInitScript(() => {
    const g = globalThis as unknown as { __longTasks: Array<{ start: number; duration: number }> };
    g.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) g.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask' as never, buffered: true });
  });
  const url = new URL(host.url);
  url.hash = hash;
  await page.goto(url.toString());
  await expect(page.getByRole('link', { name: 'Runs', exact: true })).toBeVisible();
}

/** The page's clock now (performance.now()), to measure long tasks from a moment on. */
export async function pageClock(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

/** Durations of main-thread tasks over 50 ms that started after `since` (page clock, ms). */
export async function longTasks(page: Page, since = 0): Promise<number[]> {
  const tasks = await page.evaluate(
    () => (globalThis as unknown as { __longTasks: Array<{ start: number; duration: number }> }).__longTasks,
  );
  return tasks.filter((t) => t.start >= since).map((t) => Math.round(t.duration));
}

export { expect };
