#!/usr/bin/env node
// Runs every check and test suite of the project and ends with one plain line `N passed, N failed`
// (CI reads that line; it does not read Vitest's or Playwright's own summaries). N counts tests.
// The line before it adds what was not run: `N passed, N failed, N skipped`, where skipped counts
// every test not run and every suite that could not run here (the Electron e2e without its
// binary) as one. Type checks, lint and the build are checks, listed beside the tests: they add
// nothing to the passed count, and a failing one counts as one failure so CI cannot miss it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const resultsDir = path.join(root, 'out/test-results');
fs.mkdirSync(resultsDir, { recursive: true });

let passed = 0;
let failed = 0;
let skipped = 0;
const summary = [];
const checks = [];

function run(title, cmd, args, env = {}) {
  process.stdout.write(`\n=== ${title}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function check(title, cmd, args) {
  const ok = run(title, cmd, args) === 0;
  if (!ok) failed++;
  checks.push(`${title} ${ok ? 'ok' : 'FAILED'}`);
  summary.push(`${ok ? 'ok  ' : 'FAIL'} ${title} (a check, not counted as a test)`);
}

function vitestSuite(title, args, file) {
  const out = path.join(resultsDir, file);
  fs.rmSync(out, { force: true });
  const status = run(title, 'npx', [
    'vitest',
    'run',
    ...args,
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${out}`,
  ]);
  if (!fs.existsSync(out)) {
    failed++;
    summary.push(`FAIL ${title}: no results (exit ${status})`);
    return;
  }
  const r = JSON.parse(fs.readFileSync(out, 'utf8'));
  const suiteFailures = (r.testResults ?? []).filter(
    (t) => t.status === 'failed' && t.assertionResults.length === 0,
  ).length;
  passed += r.numPassedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  failed +=
    r.numFailedTests + suiteFailures + (status !== 0 && r.numFailedTests + suiteFailures === 0 ? 1 : 0);
  summary.push(
    `${status === 0 ? 'ok  ' : 'FAIL'} ${title}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} not run`,
  );
}

function playwrightSuite(title, config, file, wrapper = []) {
  const out = path.join(resultsDir, file);
  fs.rmSync(out, { force: true });
  const cmd = wrapper.length ? wrapper[0] : 'npx';
  const args = [...wrapper.slice(1), ...(wrapper.length ? ['npx'] : []), 'playwright', 'test', '-c', config];
  const status = run(title, cmd, args);
  if (!fs.existsSync(out)) {
    failed++;
    summary.push(`FAIL ${title}: no results (exit ${status})`);
    return;
  }
  const stats = JSON.parse(fs.readFileSync(out, 'utf8')).stats;
  passed += stats.expected + stats.flaky;
  skipped += stats.skipped;
  failed += stats.unexpected + (status !== 0 && stats.unexpected === 0 ? 1 : 0);
  summary.push(
    `${status === 0 ? 'ok  ' : 'FAIL'} ${title}: ${stats.expected} passed, ${stats.unexpected} failed, ${stats.skipped} not run`,
  );
}

/** The desktop e2e needs the Electron binary, which cannot be downloaded everywhere: not run is said, never counted as passed. */
function electronSuite() {
  const title = 'desktop end-to-end test (Playwright _electron)';
  let binary = null;
  try {
    const dir = path.join(root, 'node_modules/electron');
    const rel = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim();
    if (fs.existsSync(path.join(dir, 'dist', rel))) binary = path.join(dir, 'dist', rel);
  } catch {
    binary = null;
  }
  if (!binary) {
    skipped++;
    summary.push(
      `NOT RUN ${title}: the Electron binary is absent (fetch it with \`npx install-electron\` on a machine with internet)`,
    );
    return;
  }
  const needsDisplay = !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
  playwrightSuite(
    title,
    'test/e2e/electron.config.ts',
    'e2e-electron.json',
    needsDisplay ? ['xvfb-run', '-a'] : [],
  );
}

check('type check (node side)', 'npx', ['tsc', '-p', 'tsconfig.node.json', '--noEmit']);
if (fs.existsSync(path.join(root, 'tsconfig.web.json'))) {
  check('type check (renderer)', 'npx', [
    'svelte-check',
    '--tsconfig',
    './tsconfig.web.json',
    '--fail-on-warnings',
  ]);
}
check('lint', 'npx', ['eslint', '.']);
check('format (prettier --check)', 'npx', ['prettier', '--check', '.']);
check('format, Python (black --check engine-torch)', 'black', ['--check', '--quiet', 'engine-torch']);
vitestSuite('unit and integration tests (vitest)', [], 'vitest.json');
check('build (electron-vite: main, preload, renderer)', 'npx', ['electron-vite', 'build']);
playwrightSuite(
  'browser end-to-end tests (Playwright + Chromium, glif serve)',
  'test/e2e/playwright.config.ts',
  'e2e.json',
);
electronSuite();

process.stdout.write('\n=== summary\n' + summary.join('\n') + '\n');
process.stdout.write(`checks: ${checks.join(', ')}\n`);
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
