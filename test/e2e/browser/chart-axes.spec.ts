import Database from 'better-sqlite3';
import fs from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { trainCliRun } from '../cli-runs';
import { expect, openApp, test } from '../fixtures';

/**
 * The curves' x axis (step, epoch, time since the start, wall time) on a finished run and in
 * Compare, remembered per view; a typed y range per chart, checked, applied and remembered. uPlot
 * draws its ticks on a canvas, so the checks read the tooltip, the chart's data attributes and
 * the SVG export's text.
 */
test.describe.configure({ mode: 'serial' });

const trainRun = (dbPath: string, name: string, seed: number) =>
  trainCliRun(dbPath, {
    name,
    sets: ['train.epochs=2', 'data.trainLimit=96', 'data.testLimit=32', `train.seed=${seed}`],
  });

/** Hovers the middle of a chart's plot and returns its tooltip's title. */
async function hoverTitle(page: Page, chart: Locator): Promise<string> {
  const over = chart.locator('.u-over');
  await over.scrollIntoViewIfNeeded();
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.5);
  const title = chart.locator('.chart-tooltip .chart-tooltip-title');
  await expect(title).toBeVisible();
  return (await title.textContent()) ?? '';
}

/** Selects an x axis and waits for the chart to be rebuilt for it. */
async function pickAxis(page: Page, chart: Locator, label: string, kind: string): Promise<void> {
  await page.getByRole('combobox', { name: /^X axis/ }).selectOption({ label });
  const host = chart.locator('.uplot-host');
  await expect(host).toHaveAttribute('data-x-kind', kind);
  await expect(host).toHaveAttribute('data-points', /^[1-9]\d*$/);
}

async function exportSvg(page: Page, chart: Locator): Promise<string> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    chart.getByRole('button', { name: /as SVG$/ }).click(),
  ]);
  return fs.readFileSync(await file.path(), 'utf8');
}

const xRangeOf = async (chart: Locator): Promise<[number, number]> => {
  const [lo, hi] = ((await chart.locator('.uplot-host').getAttribute('data-x-range')) ?? '').split(',');
  return [Number(lo), Number(hi)];
};

let runs: string[] = [];

test('a run’s curves over steps, epochs, time since the start and wall time', async ({
  page,
  host,
  shot,
}) => {
  test.setTimeout(240_000);
  runs = [trainRun(host.dbPath, 'axes a', 1), trainRun(host.dbPath, 'axes b', 2)];
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openApp(page, host, `#/runs/${runs[0]}`);
  const loss = page.getByRole('figure', { name: 'Loss' });
  const accuracy = page.getByRole('figure', { name: 'Accuracy' });
  await expect(loss.locator('.uplot-host')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await expect(page.getByRole('combobox', { name: /^X axis/ })).toHaveValue('step');

  // Epochs: two epochs, every point between the first step and the second epoch's end.
  await pickAxis(page, loss, 'Epoch', 'count');
  const [e0, e1] = await xRangeOf(loss);
  expect(e0).toBeGreaterThanOrEqual(0);
  expect(e1).toBeLessThanOrEqual(2);
  expect(await hoverTitle(page, loss)).toMatch(/^epoch \d+(\.\d+)?$/);

  // Time since the start: a run this small takes seconds; the tooltip writes m:ss, and the
  // synced accuracy chart says the same.
  await pickAxis(page, loss, 'Relative time', 'elapsed');
  const [r0, r1] = await xRangeOf(loss);
  expect(r0).toBeGreaterThanOrEqual(0);
  expect(r1).toBeLessThan(120);
  const relative = await hoverTitle(page, loss);
  expect(relative).toMatch(/^time since start \d+:\d{2}(\.\d)?$/);
  await expect(accuracy.locator('.chart-tooltip-title')).toHaveText(relative);
  await shot('chart-axes-relative');

  // Wall time: today's clock, and the exported SVG names the axis's unit under clock-time ticks.
  await pickAxis(page, loss, 'Wall time', 'clock');
  const [w0] = await xRangeOf(loss);
  expect(Math.abs(w0 * 1000 - Date.now())).toBeLessThan(10 * 60_000);
  expect(await hoverTitle(page, loss)).toMatch(/^wall time \d{2}:\d{2}:\d{2}$/);
  const svg = await exportSvg(page, loss);
  expect(svg).toContain('>wall time (local clock)</text>');
  const xTicks = [...svg.matchAll(/text-anchor="middle" fill="#57606a">([^<]*)</g)].map((m) => m[1]);
  expect(xTicks.length).toBeGreaterThan(1);
  for (const tick of xTicks) expect(tick).toMatch(/^\d{2}:\d{2}(:\d{2}(\.\d)?)?$/);
  expect(new Set(xTicks).size, 'no two ticks read the same').toBe(xTicks.length);

  // The choice is the run page's: it holds after a reload.
  await page.reload();
  await expect(page.getByRole('combobox', { name: /^X axis/ })).toHaveValue('wall');
  await expect(loss.locator('.uplot-host')).toHaveAttribute('data-x-kind', 'clock');
  await pickAxis(page, loss, 'Step', 'count');
  expect(await hoverTitle(page, loss)).toMatch(/^step \d+$/);
  expect(errors, 'page errors while switching axes').toEqual([]);
});

test('a typed y range is checked, applied, kept across a reload and reset', async ({ page, host, shot }) => {
  await openApp(page, host, `#/runs/${runs[0]}`);
  const loss = page.getByRole('figure', { name: 'Loss' });
  const plot = loss.locator('.uplot-host');
  await expect(plot).toHaveAttribute('data-points', /^[1-9]\d*$/);
  const autoRange = await plot.getAttribute('data-y-range');

  await loss.getByLabel('View options of Loss').click();
  await loss.getByRole('button', { name: /^Y range/ }).click();
  const form = loss.getByRole('form', { name: 'Y range of Loss' });
  await form.getByLabel('Min').fill('3');
  await form.getByLabel('Max').fill('1');
  await expect(form.getByRole('alert')).toHaveText('The minimum must be below the maximum.');
  await expect(form.getByRole('button', { name: 'Apply' })).toBeDisabled();
  await shot('chart-y-range-invalid');

  await form.getByLabel('Min').fill('0.5');
  await form.getByLabel('Max').fill('4');
  await expect(form.getByRole('alert')).toHaveCount(0);
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(plot).toHaveAttribute('data-y-range', '0.5,4');
  const toggle = loss.getByRole('button', { name: /^Y range/ });
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(toggle).toContainText('0.5 – 4');
  // The exported chart has the same y axis: ticks inside the typed range.
  const svg = await exportSvg(page, loss);
  const yTicks = [...svg.matchAll(/<text x="-6" y="[\d.]+" text-anchor="end"[^>]*>([^<]*)</g)].map((m) =>
    Number(m[1]),
  );
  expect(yTicks.length).toBeGreaterThan(1);
  for (const tick of yTicks) expect(tick, String(yTicks)).toBeGreaterThanOrEqual(0.5);
  for (const tick of yTicks) expect(tick, String(yTicks)).toBeLessThanOrEqual(4);
  await shot('chart-y-range');

  // Kept for this chart after a reload; the accuracy chart beside it keeps its own range.
  await page.reload();
  await expect(plot).toHaveAttribute('data-y-range', '0.5,4');
  await expect(page.getByRole('figure', { name: 'Accuracy' }).locator('.uplot-host')).not.toHaveAttribute(
    'data-y-range',
    '0.5,4',
  );

  // A log axis takes no zero.
  await loss.getByLabel('View options of Loss').click();
  await loss.getByLabel('Log y').check();
  await loss.getByRole('button', { name: /^Y range/ }).click();
  await form.getByLabel('Min').fill('0');
  await expect(form.getByRole('alert')).toHaveText('A log axis needs values above 0.');
  await form.getByRole('button', { name: 'Reset' }).click();
  await loss.getByLabel('Log y').uncheck();
  await expect(loss.getByRole('button', { name: /^Y range/ })).toHaveAttribute('aria-pressed', 'false');
  await expect(plot).toHaveAttribute('data-y-range', autoRange ?? '');
});

test('Compare switches its x axis too, remembered apart from the run page’s', async ({
  page,
  host,
  shot,
}) => {
  await openApp(page, host, `#/compare/${runs.join(',')}`);
  const chart = page.getByRole('figure', { name: 'Test accuracy per epoch' });
  await expect(chart.locator('.uplot-host')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  // Compare starts on the metric's own axis; the run page was left on steps.
  await expect(page.getByRole('combobox', { name: /^X axis/ })).toHaveValue('epoch');
  expect(await hoverTitle(page, chart)).toMatch(/^epoch [12]$/);

  await pickAxis(page, chart, 'Relative time', 'elapsed');
  expect(await hoverTitle(page, chart)).toMatch(/^time since start \d+:\d{2}(\.\d)?$/);
  await expect(page.getByRole('checkbox', { name: 'Mean ± std over seeds' })).toHaveCount(0);

  // A per-step metric over wall time.
  await page.getByRole('combobox', { name: /^Metric/ }).selectOption({ label: 'Train loss per step' });
  const steps = page.getByRole('figure', { name: 'Train loss per step' });
  await pickAxis(page, steps, 'Wall time', 'clock');
  expect(await hoverTitle(page, steps)).toMatch(/^wall time \d{2}:\d{2}:\d{2}$/);
  await shot('chart-axes-compare-wall');

  // Dark mode: the same chart and its controls.
  await page.getByRole('combobox', { name: 'Theme' }).selectOption({ label: 'Dark' });
  await expect(steps.locator('.uplot-host')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await hoverTitle(page, steps);
  await shot('chart-axes-compare-dark');
  await page.getByRole('combobox', { name: 'Theme' }).selectOption({ label: 'Light' });

  await page.reload();
  await expect(page.getByRole('combobox', { name: /^X axis/ })).toHaveValue('wall');
  await openApp(page, host, `#/runs/${runs[0]}`);
  await expect(page.getByRole('combobox', { name: /^X axis/ })).toHaveValue('step');
});

test('points recorded before record times were kept stay off the time axes, with a note', async ({
  page,
  host,
}) => {
  const db = new Database(host.dbPath);
  try {
    db.prepare('UPDATE metrics SET recorded_at = NULL WHERE run_id = ?').run(runs[1]);
  } finally {
    db.close();
  }
  await openApp(page, host, `#/runs/${runs[1]}`);
  const loss = page.getByRole('figure', { name: 'Loss' });
  await expect(loss.locator('.uplot-host')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await expect(page.getByTestId('time-axis-note')).toHaveCount(0);
  await page.getByRole('combobox', { name: /^X axis/ }).selectOption({ label: 'Relative time' });
  await expect(page.getByTestId('time-axis-note')).toContainText('recorded before record times were kept');
  await expect(loss.getByText('The loss appears with the first training step.')).toBeVisible();

  await openApp(page, host, `#/compare/${runs.join(',')}`);
  await page.getByRole('combobox', { name: /^X axis/ }).selectOption({ label: 'Relative time' });
  await expect(page.getByTestId('time-axis-note')).toContainText('axes b');
  await page.getByRole('combobox', { name: /^X axis/ }).selectOption({ label: 'Step' });
  await expect(page.getByTestId('time-axis-note')).toHaveCount(0);
});
