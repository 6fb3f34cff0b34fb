import { expect, openApp, test } from '../fixtures';

test('the loss chart switches to a log scale without an error and keeps its plot and legend', async ({
  page,
  host,
  shot,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openApp(page, host, '#/new-run');
  await page.getByLabel('Preset', { exact: true }).selectOption('fmnist-cnn');
  await page.getByLabel('Run name').fill('log scale');
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByLabel('Training samples', { exact: true }).fill('128');
  await page.getByLabel('Test samples', { exact: true }).fill('64');
  await page.getByLabel('Batch size', { exact: true }).fill('32');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
  const firstRun = new URL(page.url()).hash;

  // A second run waits in the queue behind the first: its charts stay empty meanwhile, and their
  // empty text sits over the plot area, clear of the y axis and its title.
  await page.getByRole('link', { name: 'New run', exact: true }).click();
  await page.getByLabel('Preset', { exact: true }).selectOption('fmnist-cnn');
  await page.getByLabel('Run name').fill('queued');
  await page.getByLabel('Training samples', { exact: true }).fill('64');
  await page.getByLabel('Test samples', { exact: true }).fill('64');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page).not.toHaveURL(new RegExp(`${firstRun}$`));
  await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
  const accuracy = page.getByRole('figure', { name: 'Accuracy' });
  const empty = accuracy.getByText('Accuracy appears with the first training step.');
  await expect(empty).toBeVisible();
  await expect(accuracy.locator('.u-over')).toBeAttached();
  const emptyBox = await empty.boundingBox();
  const plotBox = await accuracy.locator('.u-over').boundingBox();
  expect(emptyBox!.x).toBeGreaterThanOrEqual(plotBox!.x - 1);
  await shot('charts-empty');

  await page.evaluate((hash) => {
    // The page's own window: this file is type-checked without the DOM library.
    (globalThis as unknown as { location: { hash: string } }).location.hash = hash;
  }, firstRun);
  await expect(page.getByRole('heading', { name: 'log scale' })).toBeVisible();
  await expect(page.getByText(/completed/i).first()).toBeVisible({ timeout: 180_000 });

  const loss = page.getByRole('figure', { name: 'Loss' });
  await page.getByLabel('Log scale').check();
  // uPlot rebuilds the chart in a task of its own: wait for it to draw its points again.
  await expect(loss.locator('.uplot-host')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
  expect(errors, 'page errors after switching to a log scale').toEqual([]);
  await expect(loss.locator('canvas')).toBeVisible();
  // A crashed redraw leaves the legend as a narrow column; a drawn chart lays it out in a row.
  const legend = await loss.locator('.u-legend').boundingBox();
  expect(legend?.width ?? 0).toBeGreaterThan(200);

  // Stats are written at a few significant digits, never a float's 17.
  const testLoss = page.locator('.stat', { hasText: 'Test loss' }).locator('.value');
  await expect(testLoss).toHaveText(/^\d\.\d{1,3}$|^\d{2}\.\d{1,2}$/);
  await shot('charts-log-scale');

  // Hovering one step chart shows a tooltip at the cursor, and the crosshair of every other step
  // chart on the page moves to the same step, with its own tooltip.
  await page.getByLabel('Log scale').uncheck();
  await expect(loss.locator('.uplot-host')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  const over = loss.locator('.u-over');
  await over.scrollIntoViewIfNeeded();
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.mouse.move(box.x + box.width * 0.35, box.y + box.height * 0.5);
  const tip = loss.locator('.chart-tooltip');
  await expect(tip).toBeVisible();
  await expect(tip).toContainText(/^step \d+/);
  await expect(tip).toContainText('train · per step (smoothed)');
  const accuracyTip = page.getByRole('figure', { name: 'Accuracy' }).locator('.chart-tooltip');
  await expect(accuracyTip).toBeVisible();
  const step = (await tip.locator('.chart-tooltip-title').textContent())!;
  await expect(accuracyTip.locator('.chart-tooltip-title')).toHaveText(step);
  await shot('charts-tooltip-synced');
  await page.mouse.move(box.x + box.width / 2, box.y - 60);
  await expect(tip).toBeHidden();
  await expect(accuracyTip).toBeHidden();

  // Each chart has its own view: log y and clipped outliers for the Loss chart alone, and a
  // larger copy in a dialog.
  await loss.getByLabel('View options of Loss').click();
  await loss.getByLabel('Log y').check();
  await expect(loss.locator('.uplot-host')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await expect(page.getByLabel('Log scale')).not.toBeChecked();
  await loss.getByLabel('Clip outliers (1%)').check();
  await loss.getByLabel('Log y').uncheck();
  await expect(loss.locator('.uplot-host')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  const small = (await loss.locator('canvas').boundingBox())!;
  await loss.getByRole('button', { name: 'Enlarge' }).click();
  const dialog = page.getByRole('dialog', { name: 'Loss' });
  await expect(dialog).toBeVisible();
  const large = dialog.getByRole('figure', { name: 'Loss' });
  await expect(large.locator('.uplot-host')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  const big = (await large.locator('canvas').boundingBox())!;
  expect(big.width).toBeGreaterThan(small.width * 1.3);
  expect(big.height).toBeGreaterThan(small.height * 1.3);
  await expect(large.getByRole('button', { name: 'Enlarge' })).toHaveCount(0);
  await shot('charts-enlarged');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  expect(errors, 'page errors in the chart views').toEqual([]);
});
