import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeImageFolder } from '../../helpers/image-folder';
import { expect, openApp, test } from '../fixtures';

/**
 * A run on an image folder decodes it into its cache before the first step; the run page says so
 * while it happens ("Preparing data", the split, how many of how many, a progress bar), from the
 * run's `run.log` events, and the line goes once training starts. 1,500 small JPEG/PNG files take
 * a few seconds to decode here, long enough to be seen.
 */
test('the run page shows an image folder being prepared, then the training', async ({ page, host }) => {
  test.setTimeout(180_000);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-e2e-pictures-'));
  try {
    await writeImageFolder(data, { classes: ['cats', 'dogs'], perClass: 750, layout: 'flat' });
    await openApp(page, host, '#/new-run');
    await page.getByLabel('Preset', { exact: true }).selectOption('synthetic-mlp');
    await page.getByLabel('Dataset', { exact: true }).selectOption('image-folder');
    await page.getByLabel('Data location', { exact: true }).fill(data);
    await page.getByLabel('Image size', { exact: true }).fill('16');
    await page.getByLabel('Epochs', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/, { timeout: 60_000 });

    // Every tenth image of a class is held out: 1,350 to train on, 150 to test.
    const preparing = page.getByTestId('run-preparing');
    await expect(preparing).toContainText(/Preparing data, train split: [\d,]+ of 1,350 converted/, {
      timeout: 60_000,
    });
    await expect(preparing.locator('progress')).toHaveAttribute('max', '1350');
    await expect(page.getByText(/completed/i).first()).toBeVisible({ timeout: 120_000 });
    await expect(preparing).toHaveCount(0);
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
});
