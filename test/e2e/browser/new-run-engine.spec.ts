import { findTorch } from '../../../src-main/engine/torch/python';
import { expect, openApp, test } from '../fixtures';

/**
 * The New-run form's Engine group: the same experiment on the torch engine (PyTorch, two
 * processes, gloo on CPU), started from the browser against `glif serve`, and its run page saying
 * where it trained and that the batch size is per process. Needs a Python with PyTorch
 * (scripts/setup.sh installs Debian's python3-torch); where the engine's own search
 * (findTorch) finds none, the test is reported as not run with its reason.
 */
test('trains fmnist-cnn on the torch engine in two processes from the New-run form', async ({
  page,
  host,
  shot,
}) => {
  const torch = await findTorch();
  test.skip(!torch.ok, torch.ok ? '' : `the torch engine cannot run here: ${torch.reason}`);
  await openApp(page, host, '#/new-run');
  await page.getByLabel('Preset', { exact: true }).selectOption('fmnist-cnn');
  await page.getByLabel('Run name').fill('fmnist on torch');
  await page.getByLabel('Training samples', { exact: true }).fill('2048');
  await page.getByLabel('Test samples', { exact: true }).fill('256');
  await page.getByLabel('Batch size', { exact: true }).fill('32');
  await page.getByLabel('Engine', { exact: true }).selectOption('torch');
  await page.getByLabel('Processes', { exact: true }).fill('2');
  await shot('new-run-engine-torch');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
  await expect(page.getByText(/completed/i).first()).toBeVisible({ timeout: 180_000 });
  await expect(page.getByTestId('run-backend')).toHaveText(/^pytorch .* · ddp · 2 processes · gloo · cpu$/);
  await expect(page.getByTestId('run-batch-per-process')).toHaveText(
    'batch 32 per process × 2 = 64 per step',
  );
  await shot('run-on-torch-engine');
});
