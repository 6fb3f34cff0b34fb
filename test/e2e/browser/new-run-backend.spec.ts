import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, openApp, screenshotDir, test } from '../fixtures';

/**
 * The New-run form's Advanced section: a per-run compute backend, each labelled with whether this
 * host (`glif serve` here: no native TensorFlow, WebGPU only on a software adapter or none) can
 * train on it. The run asks for it on every attempt and its page says so.
 */

/** A synthetic-mlp run of one short epoch: seconds, even on cpu. */
async function configureTinyRun(page: Page, name: string): Promise<void> {
  await page.getByLabel('Preset', { exact: true }).selectOption('synthetic-mlp');
  await page.getByLabel('Run name').fill(name);
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByLabel('Training samples', { exact: true }).fill('64');
  await page.getByLabel('Test samples', { exact: true }).fill('32');
}

async function openAdvanced(page: Page): Promise<void> {
  await page.locator('summary', { hasText: 'Advanced' }).click();
  await expect(page.getByLabel('Compute backend')).toBeVisible();
}

test.describe.serial('a run asks for its compute backend', () => {
  test('offers each backend with its availability here; a cpu run trains on cpu', async ({
    page,
    host,
    shot,
  }) => {
    await openApp(page, host, '#/new-run');
    await configureTinyRun(page, 'on cpu');
    // Collapsed by default: most runs leave the choice to the host.
    await expect(page.getByLabel('Compute backend')).toBeHidden();
    await openAdvanced(page);
    const select = page.getByLabel('Compute backend');
    // The host's survey (a worker of its own) labels each one; the names alone show until it answers.
    await expect(select.locator('option')).toHaveText(
      [
        /^Automatic \(best available: wasm\)$/,
        /^TensorFlow CUDA \(tensorflow-gpu\) — not available: package not installed$/,
        // Mesa's llvmpipe where Vulkan is installed; otherwise why WebGPU has no adapter.
        /^WebGPU — software adapter \(.+\): slower than wasm$|^WebGPU \(webgpu\) — not available: .+/,
        /^TensorFlow native CPU \(tensorflow\) — not available: .+/,
        /^WebAssembly \(wasm\) — available$/,
        /^Plain JavaScript \(cpu\) — available$/,
      ],
      { timeout: 60_000 },
    );
    await expect(page.getByTestId('advanced-summary')).toHaveText('compute backend: automatic');

    // An unavailable one may be chosen, with a warning that says why and what will happen.
    await select.selectOption('tensorflow-gpu');
    await expect(page.getByTestId('backend-warning')).toContainText(
      'This host cannot train on tensorflow-gpu: package not installed',
    );
    // The section alone, in a window tall enough that the sticky Start bar does not cover it.
    const viewport = page.viewportSize()!;
    await page.setViewportSize({ width: viewport.width, height: 2000 });
    await page
      .locator('details.advanced')
      .screenshot({ path: path.join(screenshotDir, 'new-run-advanced-section.png') });
    await page.setViewportSize(viewport);
    await shot('new-run-advanced');

    await select.selectOption('cpu');
    await expect(page.getByTestId('backend-warning')).toHaveCount(0);
    await expect(page.getByTestId('advanced-summary')).toHaveText('compute backend: cpu');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
    await expect(page.getByText(/completed/i).first()).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('run-backend')).toHaveText(/^cpu · /);
    await expect(page.getByTestId('run-requested-backend')).toHaveText('requested: cpu');
    await shot('run-requested-cpu');
  });

  test('a run asking for a backend this host lacks fails with its reason; a rerun asks again', async ({
    page,
    host,
    shot,
  }) => {
    await openApp(page, host, '#/new-run');
    await configureTinyRun(page, 'on cuda');
    await openAdvanced(page);
    await page.getByLabel('Compute backend').selectOption('tensorflow-gpu');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
    const failure = page.getByRole('alert').filter({ hasText: 'The run failed' });
    await expect(failure).toContainText(
      "The run failed: TensorFlow.js backend 'tensorflow-gpu' is not available: package not installed",
      { timeout: 60_000 },
    );
    await expect(failure).toContainText('To enable it:');
    await expect(failure).toContainText('npm install @tensorflow/tfjs-node-gpu');
    await expect(page.getByTestId('run-requested-backend')).toHaveText('requested: tensorflow-gpu');
    // It never got a backend: not the 'starting' placeholder stored meanwhile.
    await expect(page.getByTestId('run-backend')).not.toContainText('starting');
    await shot('run-requested-backend-unavailable');

    // Edit and rerun opens the form with the same request, the section open to show it.
    await page.getByRole('link', { name: 'Edit and rerun' }).click();
    await expect(page.getByLabel('Compute backend')).toBeVisible();
    await expect(page.getByLabel('Compute backend')).toHaveValue('tensorflow-gpu');
    await expect(page.getByTestId('backend-warning')).toBeVisible();
  });
});
