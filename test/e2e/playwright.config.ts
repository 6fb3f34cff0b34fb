import { defineConfig } from '@playwright/test';

/**
 * Browser end-to-end tests: the real UI in Debian's Chromium (never a Playwright browser
 * download) against `glif serve` with a fresh database per test file.
 */
export default defineConfig({
  testDir: './browser',
  timeout: 240_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  // A test.only left in a commit would run that test alone and pass the rest unseen: CI refuses it.
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: '../../out/test-results/e2e.json' }]],
  outputDir: '../../out/test-results/e2e-artifacts',
  use: {
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    },
  },
});
