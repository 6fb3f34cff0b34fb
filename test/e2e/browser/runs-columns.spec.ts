import fs from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { trainCliRun } from '../cli-runs';
import { expect, openApp, test } from '../fixtures';

/**
 * The Runs list as TensorBoard, W&B and Aim users expect it: any config key or result as a
 * column (picked from a searchable dialog, sortable, kept across reloads), a table that scrolls
 * in its own box rather than the page, and runs grouped by the ablation grid that queued them.
 */

const RUNS = [
  { name: 'limit 128, lr 0.05', sets: ['data.trainLimit=128', 'train.lr=0.05'] },
  { name: 'limit 64, lr 0.2', sets: ['data.trainLimit=64', 'train.lr=0.2'] },
  { name: 'limit 96, lr 0.1', sets: ['data.trainLimit=96', 'train.lr=0.1'] },
] as const;

const table = (page: Page) => page.locator('.wrap.panel table');
const header = (page: Page, key: string) => table(page).locator(`th[data-column="${key}"]`);
const runNames = (page: Page) => table(page).locator('tbody td.name > a').allTextContents();

/** The text of one chosen column, row by row. */
async function columnTexts(page: Page, key: string): Promise<string[]> {
  const index = await header(page, key).evaluate((th) => {
    const cell = th as unknown as { cellIndex: number };
    return cell.cellIndex;
  });
  return table(page)
    .locator(`tbody tr td:nth-child(${index + 1})`)
    .allTextContents()
    .then((texts) => texts.map((t) => t.trim()));
}

async function pageScrollWidth(page: Page): Promise<{ doc: number; inner: number }> {
  return page.evaluate(() => {
    const g = globalThis as unknown as {
      innerWidth: number;
      document: { documentElement: { scrollWidth: number } };
    };
    return { doc: g.document.documentElement.scrollWidth, inner: g.innerWidth };
  });
}

async function openPicker(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: /^Columns/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Columns' });
  await expect(dialog).toBeVisible();
  return dialog;
}

test.describe.serial('the Runs list columns', () => {
  test('a config key and a result as columns: sorted, kept across a reload, inside 1024 px', async ({
    page,
    host,
    shot,
  }) => {
    for (const run of RUNS) trainCliRun(host.dbPath, run);
    await page.setViewportSize({ width: 1024, height: 700 });
    await openApp(page, host, '#/runs');
    await expect(table(page).locator('tbody tr')).toHaveCount(3);

    // The picker lists the runs' config keys; a search finds one among dozens.
    const dialog = await openPicker(page);
    const search = dialog.getByRole('searchbox', { name: 'Search columns' });
    await expect(search).toBeFocused();
    await search.fill('trainlimit');
    const trainLimit = dialog.getByRole('checkbox', { name: /^data\.trainLimit/ });
    await expect(trainLimit).toBeVisible();
    await expect(dialog.getByRole('checkbox')).toHaveCount(1);
    await expect(dialog.getByText('3 values')).toBeVisible();
    // Keyboard: Tab from the search box to the checkbox, Space ticks it.
    await page.keyboard.press('Tab');
    await expect(trainLimit).toBeFocused();
    await page.keyboard.press('Space');
    await expect(trainLimit).toBeChecked();
    await search.fill('test loss');
    await dialog.getByRole('checkbox', { name: /^Test loss/ }).check();
    await shot('runs-columns-picker');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('button', { name: /^Columns/ })).toBeFocused();

    // The config column sorts numerically (64 < 96 < 128, not as text), then flips.
    await expect(header(page, 'config:data.trainLimit')).toBeVisible();
    await header(page, 'config:data.trainLimit').getByRole('button').click();
    await expect(header(page, 'config:data.trainLimit')).toHaveAttribute('aria-sort', 'ascending');
    expect(await columnTexts(page, 'config:data.trainLimit')).toEqual(['64', '96', '128']);
    expect(await runNames(page)).toEqual([RUNS[1].name, RUNS[2].name, RUNS[0].name]);
    await header(page, 'config:data.trainLimit').getByRole('button').click();
    expect(await columnTexts(page, 'config:data.trainLimit')).toEqual(['128', '96', '64']);

    // The result column: lowest loss first, numbers as the stats write them.
    await header(page, 'result:testLoss').getByRole('button').click();
    await expect(header(page, 'result:testLoss')).toHaveAttribute('aria-sort', 'ascending');
    const losses = (await columnTexts(page, 'result:testLoss')).map(Number);
    expect(losses.every((loss) => Number.isFinite(loss))).toBe(true);
    expect(losses).toEqual([...losses].sort((a, b) => a - b));

    // Kept across a reload, in the order chosen, after the default columns.
    await page.reload();
    await expect(table(page).locator('tbody tr')).toHaveCount(3);
    const keys = await table(page)
      .locator('th[data-column]')
      .evaluateAll((ths) =>
        ths.map((th) => (th as unknown as { dataset: { column: string } }).dataset.column),
      );
    expect(keys.slice(-2)).toEqual(['config:data.trainLimit', 'result:testLoss']);
    await expect(table(page).locator('tbody tr').first().locator('td').nth(-2)).not.toHaveText('');

    // The list CSV holds every config key whatever is shown.
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export the runs shown as CSV' }).click(),
    ]);
    const csvHeader = fs
      .readFileSync(await file.path(), 'utf8')
      .split('\n')[0]!
      .split(',');
    expect(csvHeader).toContain('config.data.trainLimit');
    expect(csvHeader).toContain('config.train.momentum');

    // Many columns: the table scrolls in its box, the page never, the run's name stays in view.
    const more = await openPicker(page);
    await more.getByRole('searchbox', { name: 'Search columns' }).fill('train.');
    const boxes = more.getByRole('checkbox');
    for (let i = 0; i < (await boxes.count()); i++) await boxes.nth(i).check();
    await more.getByRole('searchbox', { name: 'Search columns' }).fill('acc');
    await more.getByRole('checkbox', { name: /^Train acc/ }).check();
    await more.getByRole('button', { name: 'Done' }).click();
    await expect(more).toBeHidden();
    const wrap = page.locator('.wrap.panel');
    const sizes = await wrap.evaluate((el) => {
      const e = el as unknown as { scrollWidth: number; clientWidth: number };
      return { scroll: e.scrollWidth, client: e.clientWidth };
    });
    expect(sizes.scroll).toBeGreaterThan(sizes.client);
    const widths = await pageScrollWidth(page);
    expect(widths.doc, 'the page does not scroll sideways at 1024 px').toBeLessThanOrEqual(widths.inner);
    const name = table(page).locator('tbody td.name').first();
    const before = (await name.boundingBox())!;
    await wrap.evaluate((el) => {
      (el as unknown as { scrollLeft: number }).scrollLeft = 10_000;
    });
    const wrapBox = (await wrap.boundingBox())!;
    const after = (await name.boundingBox())!;
    expect(after.x).toBeGreaterThanOrEqual(wrapBox.x - 1);
    expect(after.x).toBeLessThanOrEqual(before.x + 1);
    await expect(table(page).locator('tbody td.name > a').first()).toBeInViewport();
    await shot('runs-columns-1024-scrolled');

    // Dark mode keeps the sticky column opaque and the text readable.
    await page.evaluate(() => {
      (
        globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }
      ).localStorage.setItem('glif.theme', 'dark');
    });
    await page.reload();
    await expect(table(page).locator('tbody tr')).toHaveCount(3);
    await (await openPicker(page)).getByRole('searchbox', { name: 'Search columns' }).fill('neuron');
    await shot('runs-columns-dark');
    await page.keyboard.press('Escape');

    // Reset to defaults: the chosen columns go, the default ones stay.
    const reset = await openPicker(page);
    await reset.getByRole('button', { name: 'Reset to defaults' }).click();
    await page.keyboard.press('Escape');
    await expect(header(page, 'config:data.trainLimit')).toHaveCount(0);
    await expect(header(page, 'result:testLoss')).toHaveCount(0);
    await expect(header(page, 'result:testAccuracy')).toBeVisible();
    const reset1024 = await pageScrollWidth(page);
    expect(reset1024.doc, 'the page does not scroll sideways').toBeLessThanOrEqual(reset1024.inner);
  });

  test('grouped by ablation grid: the grid named by preset, date and seed, the rest apart', async ({
    page,
    host,
    shot,
  }) => {
    await openApp(page, host, '#/ablation');
    const form = page.getByRole('form', { name: 'Queue an ablation grid' });
    await form.getByLabel('Preset', { exact: true }).selectOption('synthetic-mlp');
    await form.getByLabel('Epochs', { exact: true }).fill('1');
    await form.getByLabel('Training samples', { exact: true }).fill('64');
    await form.getByLabel('Test samples', { exact: true }).fill('32');
    await form.getByLabel('Seeds', { exact: true }).fill('5');
    await form.getByRole('button', { name: 'Queue ablation' }).click();
    const grid = page.getByRole('region', { name: 'Ablation on synthetic-mlp' });
    await expect(grid.getByText('9 of 9 cells done')).toBeVisible({ timeout: 200_000 });

    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByLabel('Group by').selectOption('grid');
    const groups = page.getByRole('table', { name: 'Runs grouped by ablation grid' });
    const rows = groups.locator('tbody tr');
    await expect(rows).toHaveCount(2);
    const gridRow = rows.first();
    await expect(gridRow.getByRole('rowheader')).toHaveText(/^synthetic-mlp · .+ · seed 5$/);
    await expect(gridRow.locator('td').first()).toHaveText('9');
    await expect(gridRow.locator('td').nth(1)).toHaveText(/%\s±\s.+%/);
    await expect(rows.nth(1).getByRole('rowheader')).toHaveText('Not in a grid');
    await expect(rows.nth(1).locator('td').first()).toHaveText('3');
    await shot('runs-grouped-by-grid');

    // "List" shows the grid's runs alone.
    await gridRow.getByRole('button', { name: /^List/ }).click();
    await expect(table(page).locator('tbody tr')).toHaveCount(9);
  });
});
