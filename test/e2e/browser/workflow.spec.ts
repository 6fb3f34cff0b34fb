import os from 'node:os';
import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, longTasks, openApp, pageClock, test } from '../fixtures';

/** Runs `action`, which must start a download, and returns the file the page handed over. */
async function downloadOf(
  page: Page,
  action: () => Promise<void>,
): Promise<{ name: string; text: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), action()]);
  const file = await download.path();
  const bytes = fs.readFileSync(file);
  return { name: download.suggestedFilename(), text: bytes.toString('utf8'), bytes };
}

/** Fills the New run form from a preset with small data, so a run takes seconds. */
async function configureSmallRun(
  page: Page,
  opts: { name: string; variant?: string; epochs?: number; trainLimit?: number },
) {
  await page.getByRole('link', { name: 'New run', exact: true }).click();
  await expect(page.getByLabel('Preset', { exact: true })).toBeVisible();
  await page.getByLabel('Preset', { exact: true }).selectOption('fmnist-cnn');
  await page.getByLabel('Run name').fill(opts.name);
  await page.getByLabel('Epochs', { exact: true }).fill(String(opts.epochs ?? 2));
  await page.getByLabel('Training samples', { exact: true }).fill(String(opts.trainLimit ?? 256));
  await page.getByLabel('Test samples', { exact: true }).fill('128');
  await page.getByLabel('Batch size', { exact: true }).fill('32');
  if (opts.variant) await page.getByLabel('Neuron variant', { exact: true }).selectOption(opts.variant);
}

test.describe.serial('a researcher trains, watches and compares runs', () => {
  test('refuses invalid form input with the CLI message and creates nothing', async ({
    page,
    host,
    shot,
  }) => {
    await openApp(page, host, '#/new-run');
    await configureSmallRun(page, { name: 'invalid' });
    await page.getByLabel('Learning rate', { exact: true }).fill('-1');
    await page.getByLabel('Time steps T', { exact: true }).fill('0');
    await expect(
      page.getByText('train.lr: -1 is not allowed; expected a number > 0 and <= 10').first(),
    ).toBeVisible();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(
      page.getByText('model.timeSteps: 0 is not allowed; expected an integer from 1 to 64').first(),
    ).toBeVisible();
    await expect(page).toHaveURL(/#\/new-run/);
    await shot('new-run-invalid');
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await expect(page.getByText('No runs yet')).toBeVisible();
  });

  test('creates a short run from a preset and watches it learn live', async ({ page, host, shot }) => {
    await openApp(page, host, '#/new-run');
    await configureSmallRun(page, { name: 'GLIF baseline' });
    await shot('new-run-form');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
    // Live: progress arrives as pushed events, charts draw, the heatmap and distributions fill in.
    await expect(page.getByText(/epoch 1\s*\/\s*2/i).first()).toBeVisible({ timeout: 120_000 });
    await expect(page.locator('canvas').first()).toBeVisible();
    // The backend, the training threads (data-parallel replicas: every core by default) and the
    // GLIF implementation that trains (fused on wasm).
    await expect(page.getByTestId('run-backend')).toHaveText(
      new RegExp(`^wasm · ${Math.min(os.availableParallelism(), 32)} threads? · fused GLIF$`),
    );
    await shot('live-run-training');
    // From here on the view only takes pushed events: steps, epochs, distributions, the end.
    const streaming = await pageClock(page);
    // Histograms and the heatmap fill in as epochs end, without a reload.
    await expect(page.getByRole('figure', { name: /α over channels of .+, epoch 1$/ })).toBeVisible({
      timeout: 120_000,
    });
    await expect(page.getByRole('table', { name: /firing rate/i })).toBeVisible();
    await expect(page.getByRole('figure', { name: /α over channels of .+, epoch 2$/ })).toBeVisible({
      timeout: 120_000,
    });
    await expect(page.getByText(/completed/i).first()).toBeVisible({ timeout: 180_000 });
    const heatmap = page.getByRole('table', { name: /firing rate/i });
    await expect(heatmap.getByRole('columnheader', { name: '2', exact: true })).toBeVisible();
    const slow = (await longTasks(page, streaming)).filter((d) => d > 100);
    expect(slow, 'main-thread tasks over 100 ms while the run streamed').toEqual([]);

    // Another gate, the toggles, and the exports a researcher takes to a paper.
    await page.getByRole('radio', { name: 'γ' }).check();
    await expect(page.getByRole('figure', { name: /γ over channels of .+, epoch 2$/ })).toBeVisible();
    await page.getByLabel('Log scale').check();
    await expect(page.getByRole('figure', { name: 'Loss' }).locator('canvas')).toBeVisible();
    const csv = await downloadOf(page, () => page.getByRole('button', { name: 'Export CSV' }).click());
    expect(csv.name).toMatch(/\.csv$/);
    expect(csv.text.split('\n')[0]).toBe(
      'run_id,run_name,kind,name,layer,statistic,epoch,step,time,elapsed_s,value',
    );
    expect(csv.text).toMatch(/,GLIF baseline,metric,epoch\/test_accuracy,,,1,\d+,[^,]+,[^,]+,0\.\d+\n/);
    const svg = await downloadOf(page, () =>
      page.getByRole('button', { name: 'Export Accuracy as SVG' }).click(),
    );
    expect(svg.name).toBe('GLIF-baseline-accuracy.svg');
    expect(svg.text).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.text).toContain('<polyline');
    expect(svg.text).toContain('test · per epoch');
    const png = await downloadOf(page, () =>
      page.getByRole('button', { name: 'Export Loss as PNG at 1x' }).click(),
    );
    expect(png.name).toBe('GLIF-baseline-loss.png');
    expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    // The paper reports a run's best epoch: the page shows it beside the last epoch's accuracy.
    await expect(page.getByTestId('run-best')).toHaveText(/^best \d+\.\d\d % at epoch [12]$/);
    // The energy estimate: a figure in joules, from SOPs and the MACs of the layer that takes the image.
    const energy = page.getByTestId('run-energy');
    await expect(energy).toContainText(/\d(\.\d+)? [nµm]J/);
    await expect(energy).toContainText(/[\d.]+ ?[kMGT]? SOPs · [\d.]+ ?[kMGT]? MACs/);
    await shot('live-run-finished');
  });

  test('lists the finished run with its final accuracy', async ({ page, host, shot }) => {
    await openApp(page, host, '#/runs');
    const row = page.getByRole('row', { name: /GLIF baseline/ });
    await expect(row).toBeVisible();
    await expect(row.getByText(/completed/i)).toBeVisible();
    await expect(row.getByText(/\d+\.\d+\s*%/).first()).toBeVisible();
    await shot('runs-list');

    // A note written in the list is shown on the run page, beside the whole config it trained with.
    await row.getByRole('button', { name: /^Edit/ }).click();
    await page.getByLabel('Notes').fill('baseline for the gate ablation');
    await page.getByRole('button', { name: 'Save' }).click();
    await row.getByRole('link', { name: /GLIF baseline/ }).click();
    await expect(page.getByTestId('run-notes')).toContainText('baseline for the gate ablation');
    await page.getByText(/^Full config \(\d+ settings\)$/).click();
    const config = page.getByTestId('run-config');
    await expect(config.getByRole('row', { name: /^train\.epochs\s+2$/ })).toBeVisible();
    await expect(config.getByRole('row', { name: /^neuron\.variant\s+glif$/ })).toBeVisible();
    await shot('run-details');
  });

  test('a second run with another variant, then a comparison showing only the differing keys', async ({
    page,
    host,
    shot,
  }) => {
    await openApp(page, host, '#/new-run');
    await configureSmallRun(page, { name: 'Exp leak, hard reset', variant: 'simplex-101' });
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
    await expect(page.getByText(/completed/i).first()).toBeVisible({ timeout: 180_000 });

    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('checkbox', { name: 'Select GLIF baseline' }).check();
    await page.getByRole('checkbox', { name: 'Select Exp leak, hard reset' }).check();
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await expect(page).toHaveURL(/#\/compare\/r[0-9a-z]+,r[0-9a-z]+$/);
    const differences = page.getByRole('table', { name: /differences/i });
    await expect(differences).toBeVisible();
    await expect(differences.getByText('neuron.variant')).toBeVisible();
    await expect(differences.getByText('simplex-101')).toBeVisible();
    for (const same of ['train.lr', 'model.arch', 'data.trainLimit', 'train.epochs']) {
      await expect(differences.getByText(same, { exact: true })).toHaveCount(0);
    }
    await expect(page.locator('canvas').first()).toBeVisible();
    await shot('compare');
  });

  test('cancels a running run and shows its status', async ({ page, host, shot }) => {
    await openApp(page, host, '#/new-run');
    await configureSmallRun(page, { name: 'to cancel', epochs: 20, trainLimit: 2048 });
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
    const cancel = page.getByRole('button', { name: 'Cancel', exact: true });
    await expect(cancel).toBeVisible({ timeout: 60_000 });
    await expect(page.getByText(/epoch 1\s*\/\s*20/i).first()).toBeVisible({ timeout: 120_000 });

    // A zoom the user made survives the steps that keep arriving; a double click resets it.
    const progressStep = page.getByText(/^step \d+ \/ \d+$/);
    await expect(progressStep).toHaveText(/^step ([6-9]|\d\d+) \//, { timeout: 60_000 });
    const loss = page.getByRole('figure', { name: 'Loss' });
    const plotArea = loss.locator('.u-over');
    const box = (await plotArea.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    const chartHost = loss.locator('.uplot-host');
    const zoomed = await chartHost.getAttribute('data-x-range');
    expect(zoomed).toMatch(/^[\d.e+-]+,[\d.e+-]+$/);
    // Several new batches of points are drawn, one after another; the zoom holds through each.
    for (let update = 0; update < 3; update++) {
      const pointsBefore = Number(await chartHost.getAttribute('data-points'));
      await expect
        .poll(async () => Number(await chartHost.getAttribute('data-points')), { timeout: 60_000 })
        .toBeGreaterThan(pointsBefore);
      expect(await chartHost.getAttribute('data-x-range'), `after update ${update + 1}`).toBe(zoomed);
    }
    await plotArea.dblclick();
    await expect(chartHost).not.toHaveAttribute('data-x-range', zoomed!);

    await cancel.click();
    await expect(page.getByText(/cancelled/i).first()).toBeVisible({ timeout: 60_000 });
    await expect(cancel).toHaveCount(0);
    await shot('live-run-cancelled');
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await expect(page.getByRole('row', { name: /to cancel/ }).getByText(/cancelled/i)).toBeVisible();
  });

  test('queues an ablation grid, fills its table, reruns a cancelled cell, compares it', async ({
    page,
    host,
    shot,
  }) => {
    await openApp(page, host, '#/ablation');
    await shot('ablation-empty');
    // The synthetic smoke preset (synthetic data, a small MLP), one epoch on 64 samples, one seed.
    const form = page.getByRole('form', { name: 'Queue an ablation grid' });
    await form.getByLabel('Preset', { exact: true }).selectOption('synthetic-mlp');
    await form.getByLabel('Epochs', { exact: true }).fill('1');
    await form.getByLabel('Training samples', { exact: true }).fill('64');
    await form.getByLabel('Test samples', { exact: true }).fill('32');
    await form.getByLabel('Seeds', { exact: true }).fill('5');
    await expect(form.getByText('9 runs', { exact: true })).toBeVisible();
    await form.getByRole('button', { name: 'Queue ablation' }).click();

    const grid = page.getByRole('region', { name: 'Ablation on synthetic-mlp' });
    const table = grid.getByRole('table');
    const bodyRows = table.locator('tbody tr');
    await expect(bodyRows).toHaveCount(9);
    // One cell trains at a time, the others wait in the queue (sampled as the first one starts).
    await expect(table.locator('.badge.running')).not.toHaveCount(0, { timeout: 60_000 });
    for (let i = 0; i < 5; i++) {
      expect(await table.locator('.badge.running').count()).toBe(1);
      expect(await table.locator('.badge.queued').count()).toBeGreaterThan(0);
      await page.waitForTimeout(200);
    }
    // The cells train one at a time: the GLIF cell, queued last, is cancelled before its turn.
    const glifRow = bodyRows.filter({ has: page.getByText('learnable gates mixing every pair') });
    await glifRow.getByTitle('Open GLIF · seed 5', { exact: true }).click();
    await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
    const cancelledUrl = page.url();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(page.getByText(/cancelled/i).first()).toBeVisible({ timeout: 60_000 });

    await page.getByRole('link', { name: 'Ablation grid', exact: true }).click();
    await expect(glifRow.getByText(/cancelled/i)).toBeVisible();
    await glifRow.getByRole('button', { name: 'Rerun', exact: true }).click();
    await expect(glifRow.getByText('rerun ×1')).toBeVisible();
    // Every cell completes and the table fills: accuracy, firing rate and energy in each row.
    await expect(grid.getByText('9 of 9 cells done')).toBeVisible({ timeout: 200_000 });
    for (let i = 0; i < 9; i++) {
      const row = bodyRows.nth(i);
      await expect(row.getByText(/completed/i)).toHaveCount(1);
      await expect(row.locator('td').nth(0)).toHaveText(/^\d+\.\d\d %\s*$/);
      await expect(row.locator('td').nth(1)).toHaveText(/^\d/);
      await expect(row.locator('td').nth(2)).toHaveText(/^\d/);
    }
    await expect(table.locator('tr.best')).toHaveCount(1);
    // Best epoch instead of last, as the paper's tables report: the column says which it shows,
    // and each accuracy is at least what the last epoch gave.
    const lastEpoch = await bodyRows.locator('td.accuracy').allTextContents();
    await expect(table.getByRole('columnheader', { name: /Test accuracy/ })).toContainText('last epoch');
    await grid.getByTestId('ablation-report').selectOption('best');
    await expect(table.getByRole('columnheader', { name: /Test accuracy/ })).toContainText('best epoch');
    const bestEpoch = await bodyRows.locator('td.accuracy').allTextContents();
    expect(bestEpoch).toHaveLength(9);
    bestEpoch.forEach((text, i) =>
      expect(parseFloat(text)).toBeGreaterThanOrEqual(parseFloat(lastEpoch[i]!)),
    );
    // Each best value names the epoch that reached it (one epoch here), and the choice outlives
    // leaving the view: back from the Runs list, the table still reports the best epoch.
    const epochNotes = bodyRows.getByTestId('ablation-best-epoch');
    await expect(epochNotes).toHaveText(Array.from({ length: 9 }, () => 'ep 1'));
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('link', { name: 'Ablation grid', exact: true }).click();
    await expect(grid.getByTestId('ablation-report')).toHaveValue('best');
    await expect(epochNotes).toHaveCount(9);
    await grid.getByTestId('ablation-report').selectOption('last');
    await expect(epochNotes).toHaveCount(0);
    // The rerun is a fresh run: the cancelled one stays in the store as it was.
    await expect(glifRow.getByTitle('Open GLIF · seed 5', { exact: true })).not.toHaveAttribute(
      'href',
      new URL(cancelledUrl).hash,
    );
    await shot('ablation-grid');

    // The grid side by side in Compare: nine runs differing only in the neuron variant.
    await grid.getByRole('button', { name: 'Side by side' }).click();
    await expect(page).toHaveURL(/#\/compare\/(r[0-9a-z]+,){8}r[0-9a-z]+$/);
    await expect(page.getByRole('heading', { level: 2, name: 'Compare 9 runs' })).toBeVisible();
    const differences = page.getByRole('table', { name: 'Config differences' });
    await expect(differences.getByText('neuron.variant', { exact: true })).toBeVisible();
    for (const same of ['train.seed', 'model.arch', 'data.trainLimit', 'train.epochs']) {
      await expect(differences.getByText(same, { exact: true })).toHaveCount(0);
    }
    await shot('ablation-compare');
  });
});
