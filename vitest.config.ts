import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    // The cap on every test and hook. A wait inside one (a timer, a spawn's timeout, an awaited
    // event) is shorter, so it can fire and fail with its own message; none declares more.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
    // Vitest's default, spelled out beside Playwright's forbidOnly: in CI a test.only left in a
    // commit fails the run instead of silently running that test alone.
    allowOnly: !process.env.CI,
  },
});
