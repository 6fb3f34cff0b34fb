import { trainCliRunAsync } from '../cli-runs';
import { expect, longTasks, openApp, pageClock, test } from '../fixtures';

/**
 * Ten runs overlaid in Compare: every metric, per epoch and per step, drawn and redrawn without a
 * main-thread task over 100 ms (the UI stays responsive with a realistic comparison open).
 */
const RUNS = 10;

const trainRun = (dbPath: string, seed: number) =>
  trainCliRunAsync(dbPath, {
    name: `seed ${seed}`,
    sets: ['train.epochs=3', 'data.trainLimit=96', 'data.testLimit=32', `train.seed=${seed}`],
  });

test('ten runs overlaid in Compare never hold the main thread over 100 ms', async ({ page, host, shot }) => {
  test.setTimeout(300_000);
  const ids: string[] = [];
  // Two at a time: one per core.
  for (let seed = 0; seed < RUNS; seed += 2)
    ids.push(...(await Promise.all([trainRun(host.dbPath, seed), trainRun(host.dbPath, seed + 1)])));
  await openApp(page, host, `#/compare/${ids.join(',')}`);
  await expect(page.getByRole('heading', { name: `Compare ${RUNS} runs`, level: 2 })).toBeVisible();
  const curves = page.locator('section[aria-labelledby="curves-title"] .uplot-host');
  await expect(curves).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await expect(page.locator('ul.legend li')).toHaveCount(RUNS);

  const since = await pageClock(page);
  const metric = page.getByRole('combobox', { name: /^Metric/ });
  const options = await metric.locator('option').allTextContents();
  for (const label of options) {
    await metric.selectOption({ label });
    await expect(page.getByRole('figure', { name: new RegExp(`^${label}`) })).toBeVisible();
    await expect(curves).toHaveAttribute('data-points', /^[1-9]\d*$/);
  }
  await page.getByRole('checkbox', { name: 'Mean ± std over seeds' }).check();
  await page.getByRole('checkbox', { name: 'Mean ± std over seeds' }).uncheck();
  await page.getByRole('combobox', { name: 'Quantity' }).selectOption({ index: 1 });
  // Let the last redraws land before reading the long tasks.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 500)));
  const slow = (await longTasks(page, since)).filter((d) => d > 100);
  expect(slow, 'main-thread tasks over 100 ms with ten runs overlaid').toEqual([]);
  await shot('compare-ten-runs');
});
