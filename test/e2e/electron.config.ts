import { defineConfig } from '@playwright/test';

/** The desktop app through Playwright's Electron driver; run only where the Electron binary exists. */
export default defineConfig({
  testDir: './electron',
  timeout: 240_000,
  workers: 1,
  // A test.only left in a commit would run that test alone and pass the rest unseen: CI refuses it.
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: '../../out/test-results/e2e-electron.json' }]],
  outputDir: '../../out/test-results/e2e-electron-artifacts',
});
