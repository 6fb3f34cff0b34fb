import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeImageFolder } from '../../helpers/image-folder';
import { expect, openApp, test } from '../fixtures';

/**
 * An ImageNet preset put on the tfjs engine from the New-run form: Start first times a few steps
 * of the network here and shows how long an epoch would take, with the way back to the form; the
 * run exists only after "Start anyway", and then trains. The folder is a tiny ImageNet layout
 * (train/ and val/ of class folders) written here.
 */
test('an ImageNet preset on the tfjs engine starts only after its epoch estimate', async ({
  page,
  host,
  shot,
}) => {
  test.setTimeout(180_000);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-e2e-imagenet-'));
  try {
    await writeImageFolder(data, { classes: ['n01', 'n02'], perClass: 4, layout: 'split' });
    await openApp(page, host, '#/new-run');
    await page.getByLabel('Preset', { exact: true }).selectOption('imagenet-ms-resnet18-t4');
    await page.getByLabel('Run name').fill('imagenet here');
    await page.getByLabel('Data location', { exact: true }).fill(data);
    await page.getByLabel('Image size', { exact: true }).fill('32');
    await page.getByLabel('Batch size', { exact: true }).fill('2');
    await page.getByLabel('Epochs', { exact: true }).fill('1');
    await page.getByLabel('Engine', { exact: true }).selectOption('tfjs');
    await page.getByLabel('Processes', { exact: true }).fill('1');
    const start = page.getByRole('button', { name: 'Start', exact: true });
    await start.click();

    const estimate = page.getByRole('alert', { name: 'Epoch estimate' });
    await expect(estimate).toContainText(
      /An epoch of this run would take about .*: 8 training samples in 4 steps of 2, at [0-9.]+ s per sample/,
      { timeout: 60_000 },
    );
    await expect(estimate).toContainText("This preset is the paper's multi-GPU row");
    await expect(page).toHaveURL(/#\/new-run/);
    await shot('new-run-epoch-estimate');
    await estimate.getByRole('button', { name: 'Back to the form' }).click();
    await expect(estimate).toHaveCount(0);

    await start.click();
    await expect(estimate).toBeVisible({ timeout: 60_000 });
    await estimate.getByRole('button', { name: 'Start anyway' }).click();
    await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
    await expect(page.getByText(/completed/i).first()).toBeVisible({ timeout: 120_000 });
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
});
