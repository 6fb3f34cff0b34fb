import { defineConfig } from '@playwright/test';

/** The desktop app through Playwright's Electron driver; run only where the Electron binary exists. */
export default defineConfig({
  testDir: './electron',
  timeout: 240_000,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: '../../out/test-results/e2e-electron.json' }]],
  outputDir: '../../out/test-results/e2e-electron-artifacts',
});
