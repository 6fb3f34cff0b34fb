import type { Page } from '@playwright/test';
import { expect, openApp, test } from '../fixtures';

/** Starts a small run from a preset (seconds of training) and waits until it has completed. */
async function trainSmallRun(page: Page, opts: { name: string; variant: string; epochs: number }) {
  await page.getByRole('link', { name: 'New run', exact: true }).click();
  await expect(page.getByLabel('Preset', { exact: true })).toBeVisible();
  await page.getByLabel('Preset', { exact: true }).selectOption('fmnist-cnn');
  await page.getByLabel('Run name').fill(opts.name);
  await page.getByLabel('Epochs', { exact: true }).fill(String(opts.epochs));
  await page.getByLabel('Training samples', { exact: true }).fill('256');
  await page.getByLabel('Test samples', { exact: true }).fill('128');
  await page.getByLabel('Batch size', { exact: true }).fill('32');
  await page.getByLabel('Neuron variant', { exact: true }).selectOption(opts.variant);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
  await expect(page.getByText(/completed/i).first()).toBeVisible({ timeout: 180_000 });
}

test.describe.serial('the distributions of learned gates and primitives', () => {
  test('histograms bin the gates over their own range; quantile bands are named', async ({
    page,
    host,
    shot,
  }) => {
    await openApp(page, host, '#/new-run');
    await trainSmallRun(page, { name: 'GLIF gates', variant: 'glif', epochs: 2 });
    await expect(page.getByRole('figure', { name: /^α over channels of .+, epoch 2$/ })).toBeVisible();

    // Gates start within (0.475, 0.525): the bins span that, not 0-1 in steps of 0.05.
    const caption = page.getByTestId('histogram-bins');
    await expect(caption).toHaveText(/^\d+ bins of [\d.e-]+ from [\d.]+ to [\d.]+; density/);
    const [, bins, lo, hi] = /^(\d+) bins of [\d.e-]+ from ([\d.]+) to ([\d.]+)/.exec(
      (await caption.textContent()) ?? '',
    )!;
    expect(Number(bins)).toBeGreaterThanOrEqual(10);
    expect(Number(lo)).toBeGreaterThan(0.3);
    expect(Number(hi)).toBeLessThan(0.7);
    await expect(page.getByTestId('frozen-note')).toHaveCount(0);

    // The quantile chart names its bands.
    await expect(page.getByRole('figure', { name: /^α of .+ over epochs$/ })).toBeVisible();
    const legend = page.getByRole('list', { name: 'Quantiles over channels' });
    await expect(legend.getByRole('listitem')).toHaveText(['5–95 %', '25–75 %', 'median', 'mean']);

    // Every epoch's histogram stacked, oldest at the back: two epochs, two ridges.
    const ridges = page.getByRole('figure', {
      name: /^α of .+: the histogram of every epoch, latest in front$/,
    });
    await expect(ridges.locator('svg')).toHaveAttribute('data-ridges', '2');
    await expect(ridges.locator('path.ridge')).toHaveCount(2);
    await expect(ridges.getByText('epoch 2')).toBeVisible();
    await shot('distributions-glif');
  });

  test('a simplex variant says its gates are fixed instead of drawing constants', async ({
    page,
    host,
    shot,
  }) => {
    await openApp(page, host, '#/new-run');
    await trainSmallRun(page, { name: 'Exp leak, hard reset', variant: 'simplex-101', epochs: 1 });
    const note = page.getByTestId('frozen-note');
    await expect(note).toHaveText(
      'α is fixed at 1 in this variant (simplex-101: exponential leak): not trained.',
    );
    await expect(page.getByRole('figure', { name: /^α over channels/ })).toHaveCount(0);
    await expect(page.getByRole('figure', { name: /^α of .+ over epochs$/ })).toHaveCount(0);
    // The per-layer table still shows the value the gate is held at.
    await expect(page.getByRole('table', { name: /^α per layer at epoch 1$/ })).toBeVisible();
    await shot('distributions-simplex-frozen');

    await page.getByRole('radio', { name: 'β' }).check();
    await expect(note).toHaveText(
      'β is fixed at 0 in this variant (simplex-101: uniform integration): not trained.',
    );
    await page.getByRole('radio', { name: 'γ' }).check();
    await expect(note).toHaveText('γ is fixed at 1 in this variant (simplex-101: hard reset): not trained.');

    // Primitives train in every variant: their histogram is there, with no note.
    await page.getByRole('radio', { name: 'V_th' }).check();
    await expect(page.getByRole('figure', { name: /^V_th over channels of .+, epoch 1$/ })).toBeVisible();
    await expect(note).toHaveCount(0);
    await shot('distributions-simplex-vth');
  });

  test('Compare names the frozen gate of one run and overlays the other', async ({ page, host, shot }) => {
    await openApp(page, host, '#/runs');
    await page.getByRole('checkbox', { name: 'Select GLIF gates' }).check();
    await page.getByRole('checkbox', { name: 'Select Exp leak, hard reset' }).check();
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await expect(page).toHaveURL(/#\/compare\/r[0-9a-z]+,r[0-9a-z]+$/);
    await expect(page.getByTestId('frozen-note')).toHaveText(
      'Exp leak, hard reset: α is fixed at 1 in this variant (simplex-101: exponential leak): not trained.',
    );
    const overlay = page.getByRole('figure', { name: /^α over channels of / });
    await expect(overlay.getByText(/^GLIF gates \(epoch 2\)/)).toBeVisible();
    await expect(overlay.getByText(/^Exp leak, hard reset/)).toHaveCount(0);
    await shot('distributions-compare');
  });
});
