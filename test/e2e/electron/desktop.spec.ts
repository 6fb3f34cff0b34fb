import { _electron as electron, expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from '../electron-binary';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test('the desktop window opens the workbench with a sandboxed renderer and a working bridge', async () => {
  const binary = electronBinary();
  expect(binary, 'the Electron binary (npx install-electron)').not.toBeNull();
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-electron-'));
  const app = await electron.launch({
    executablePath: binary!,
    args: [path.join(repoRoot, 'out/main/index.js'), ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
    // userData (and so the run database) goes to a fresh folder.
    env: { ...process.env, XDG_CONFIG_HOME: config, GLIF_DATA_DIR: config },
  });
  try {
    const page = await app.firstWindow();
    await expect(page.getByRole('link', { name: 'Runs', exact: true })).toBeVisible();
    await expect(page.getByRole('link', { name: 'New run', exact: true })).toBeVisible();
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    const info = await page.evaluate(() =>
      (globalThis as unknown as { glif: { request(n: string, p: object): Promise<unknown> } }).glif.request(
        'system.info',
        {},
      ),
    );
    expect(info).toMatchObject({ ok: true, data: { host: 'electron' } });
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0];
      return (
        w.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> }
      ).getLastWebPreferences();
    });
    expect(prefs).toMatchObject({ contextIsolation: true, nodeIntegration: false, sandbox: true });
    await page.screenshot({ path: path.join(repoRoot, 'out/test-results/screenshots/electron-runs.png') });
  } finally {
    await app.close();
    fs.rmSync(config, { recursive: true, force: true });
  }
});
