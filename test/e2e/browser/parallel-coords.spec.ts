import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { trainCliRunAsync } from '../cli-runs';
import { expect, openApp, screenshotDir, test } from '../fixtures';

/**
 * Compare's parallel coordinates over four real runs that differ in learning rate and GLIF variant:
 * the axes and their scales, brushing an axis fades the runs outside it, hovering a line names its
 * run, axes hide and reorder, the SVG export holds the chart, and clicking a line opens its run.
 */
const RUNS: ReadonlyArray<{ name: string; sets: readonly string[] }> = [
  { name: 'pc lr 0.001 glif', sets: ['train.lr=0.001', 'neuron.variant=glif'] },
  { name: 'pc lr 0.01 glif', sets: ['train.lr=0.01', 'neuron.variant=glif'] },
  { name: 'pc lr 0.1 simplex', sets: ['train.lr=0.1', 'neuron.variant=simplex-101'] },
  { name: 'pc lr 0.01 simplex', sets: ['train.lr=0.01', 'neuron.variant=simplex-101'] },
].map((run) => ({
  ...run,
  // Two epochs on more samples than the one-epoch default, so the accuracies differ.
  sets: ['train.epochs=2', 'data.trainLimit=128', 'data.testLimit=64', ...run.sets],
}));

const TITLE = 'Hyperparameters against final test accuracy';

/** A point `t` of the way along a run's first segment, in page coordinates. */
async function pointOnLine(page: Page, runId: string, t: number): Promise<{ x: number; y: number }> {
  const svg = page.getByTestId('parallel-coordinates');
  const box = (await svg.boundingBox())!;
  const points = (await svg.locator(`polyline.run[data-run-id="${runId}"]`).getAttribute('points'))!
    .split(' ')
    .map((p) => p.split(',').map(Number));
  const [x0, y0] = points[0]!;
  const [x1, y1] = points[1]!;
  return { x: box.x + x0! + (x1! - x0!) * t, y: box.y + y0! + (y1! - y0!) * t };
}

/** Drags along an axis from `from` to `to` (fractions of its height from the top). */
async function brush(page: Page, area: Locator, from: number, to: number): Promise<void> {
  const box = (await area.boundingBox())!;
  const x = box.x + box.width / 2;
  await page.mouse.move(x, box.y + box.height * from);
  await page.mouse.down();
  await page.mouse.move(x, box.y + box.height * ((from + to) / 2), { steps: 3 });
  await page.mouse.move(x, box.y + box.height * to, { steps: 3 });
  await page.mouse.up();
}

test('parallel coordinates: axes, brushing, tooltip, export and opening a run', async ({
  page,
  host,
  shot,
}) => {
  test.setTimeout(300_000);
  const ids: string[] = [];
  // Two at a time: one per core.
  for (let i = 0; i < RUNS.length; i += 2)
    ids.push(...(await Promise.all(RUNS.slice(i, i + 2).map((run) => trainCliRunAsync(host.dbPath, run)))));
  const idOf = (name: string) => ids[RUNS.findIndex((r) => r.name === name)]!;

  await page.setViewportSize({ width: 1440, height: 900 });
  await openApp(page, host, `#/compare/${ids.join(',')}`);
  const section = page.locator('section[aria-labelledby="parallel-title"]');
  await expect(section.getByRole('heading', { name: 'Hyperparameters against a metric' })).toBeVisible();
  const chart = page.getByTestId('parallel-coordinates');
  await expect(chart).toHaveAttribute(
    'aria-label',
    /4 runs over 2 hyperparameters \(neuron\.variant, train\.lr\)/,
  );

  // One axis per differing key, the metric last; lr spans two decades (log), the variant is categorical.
  const axes = chart.locator('g.axis');
  await expect(axes).toHaveCount(3);
  expect(await axes.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-axis-key')))).toEqual([
    'neuron.variant',
    'train.lr',
    'metric:finalTestAccuracy',
  ]);
  await expect(chart.locator('text.axis-title')).toHaveText([
    'neuron.variant',
    'train.lr',
    'final test accuracy',
  ]);
  await expect(chart.locator('g.axis[data-axis-key="train.lr"]')).toHaveAttribute('data-kind', 'log');
  const variantAxis = chart.locator('g.axis[data-axis-key="neuron.variant"]');
  await expect(variantAxis).toHaveAttribute('data-kind', 'category');
  await expect(variantAxis.locator('text.tick')).toHaveText(['glif', 'simplex-101']);
  await expect(chart.locator('g.axis[data-axis-key="train.lr"] text.tick')).toContainText([
    '0.001',
    '0.01',
    '0.1',
  ]);
  await expect(chart.locator('polyline.run')).toHaveCount(4);
  await expect(chart.locator('polyline.run.faded')).toHaveCount(0);

  // Brush the upper half of the variant axis: glif (the first category) is at the top.
  await brush(page, chart.locator('rect.brush-area[data-brush-key="neuron.variant"]'), 0.02, 0.5);
  await expect(variantAxis.locator('rect.brush')).toHaveCount(1);
  for (const run of RUNS) {
    const glif = run.sets.includes('neuron.variant=glif');
    const line = chart.locator(`polyline.run[data-run-id="${idOf(run.name)}"]`);
    await expect(line).toHaveAttribute('data-within', glif ? 'true' : 'false');
    if (glif) await expect(line).not.toHaveClass(/faded/);
    else await expect(line).toHaveClass(/faded/);
  }
  await expect(section.getByText('2 of 4 runs within the brushed ranges.')).toBeVisible();
  await section.locator('details.values summary').click();
  await shot('parallel-coords-1440-brushed');
  await section.screenshot({ path: path.join(screenshotDir, 'parallel-coords-panel-1440.png') });
  await section.locator('details.values summary').click();

  const target = idOf('pc lr 0.1 simplex');
  // Its first segment ends on the lr axis, where the four lines stand apart.
  const at = await pointOnLine(page, target, 0.85);
  await page.mouse.move(at.x, at.y);
  const tooltip = section.getByRole('tooltip');
  await expect(tooltip).toContainText('pc lr 0.1 simplex');
  await expect(tooltip).toContainText('train.lr 0.1');
  await expect(tooltip).toContainText('neuron.variant simplex-101');
  await expect(tooltip).toContainText(/final test accuracy \d+\.\d\d %/);
  await expect(chart.locator(`polyline.run.hovered[data-run-id="${target}"]`)).toHaveCount(1);
  await page.mouse.move(5, 5);
  await expect(tooltip).toHaveCount(0);

  // The SVG export: the quantity in its name, the axes, every run, the brush and the legend.
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    section.getByRole('button', { name: `Export ${TITLE} as SVG` }).click(),
  ]);
  expect(file.suggestedFilename()).toBe('compare-4-runs-parallel-coordinates-finalTestAccuracy.svg');
  const svg = fs.readFileSync(await file.path(), 'utf8');
  expect([...svg.matchAll(/class="axis-title"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual([
    'neuron.variant',
    'train.lr',
    'final test accuracy',
  ]);
  expect(svg.match(/<polyline /g)).toHaveLength(4);
  expect(svg.match(/class="run faded"/g)).toHaveLength(2);
  for (const run of RUNS) expect(svg).toContain(`>${run.name}</text>`);
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    section.getByRole('button', { name: `Export ${TITLE} as PNG at 2x` }).click(),
  ]);
  expect(png.suggestedFilename()).toBe('compare-4-runs-parallel-coordinates-finalTestAccuracy-2x.png');

  // Double-click clears the axis's brush; the button clears them all.
  await chart.locator('rect.brush-area[data-brush-key="neuron.variant"]').dblclick();
  await expect(chart.locator('polyline.run.faded')).toHaveCount(0);
  await brush(page, chart.locator('rect.brush-area[data-brush-key="train.lr"]'), 0.95, 0.6);
  await expect(chart.locator('polyline.run.faded')).not.toHaveCount(0);
  await section.getByRole('button', { name: 'Clear brushes' }).click();
  await expect(chart.locator('polyline.run.faded')).toHaveCount(0);

  // Axes reorder and hide; the metric axis stays last.
  await section.getByRole('button', { name: 'Move train.lr left' }).click();
  await expect(chart.locator('text.axis-title')).toHaveText([
    'train.lr',
    'neuron.variant',
    'final test accuracy',
  ]);
  await section.getByRole('checkbox', { name: 'neuron.variant' }).uncheck();
  await expect(chart.locator('text.axis-title')).toHaveText(['train.lr', 'final test accuracy']);
  await section.getByRole('checkbox', { name: 'neuron.variant' }).check();

  // The metric set against them is the toolbar's choice: the last axis follows it, and back.
  const setAgainst = section.getByRole('combobox', { name: 'Set against' });
  await setAgainst.selectOption('finalTestLoss');
  await expect(chart.locator('text.axis-title').last()).toHaveText('final test loss');
  await expect(chart.locator('g.axis').last()).toHaveAttribute('data-axis-key', 'metric:finalTestLoss');
  await expect(
    section.getByRole('combobox', { name: 'Colour' }).locator('option[value="metric"]'),
  ).toHaveText('by final test loss');
  await setAgainst.selectOption('finalTestAccuracy');
  await expect(chart.locator('text.axis-title').last()).toHaveText('final test accuracy');

  // Narrow window, dark theme, coloured by the metric: still laid out within the panel.
  await page.setViewportSize({ width: 1024, height: 800 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await section.getByRole('combobox', { name: 'Colour' }).selectOption('metric');
  await brush(page, chart.locator('rect.brush-area[data-brush-key="metric:finalTestAccuracy"]'), 0.05, 0.7);
  const chartBox = (await chart.boundingBox())!;
  const sectionBox = (await section.boundingBox())!;
  expect(chartBox.x + chartBox.width).toBeLessThanOrEqual(sectionBox.x + sectionBox.width);
  await section.screenshot({ path: path.join(screenshotDir, 'parallel-coords-panel-1024-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // Clicking a line opens its run (lr is the first axis now).
  const open = await pointOnLine(page, target, 0.15);
  await page.mouse.click(open.x, open.y);
  await expect(page).toHaveURL(new RegExp(`#/runs/${target}$`));
});
