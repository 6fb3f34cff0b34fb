import Database from 'better-sqlite3';
import { expect, openApp, test } from '../fixtures';

/** The epochs of a run's per-epoch test accuracy, read from the host's database file. */
function recordedEpochs(dbPath: string, runId: string): number[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare("SELECT epoch FROM metrics WHERE run_id = ? AND name = 'epoch/test_accuracy' ORDER BY step")
      .pluck()
      .all(runId) as number[];
  } finally {
    db.close();
  }
}

test('the Live run page resumes a cancelled run from its checkpoint', async ({ page, host, shot }) => {
  await openApp(page, host, '#/new-run');
  await page.getByLabel('Preset', { exact: true }).selectOption('synthetic-mlp');
  await page.getByLabel('Run name').fill('cancel then resume');
  await page.getByLabel('Epochs', { exact: true }).fill('3');
  // 64 steps an epoch: a few seconds, so the click lands inside the second epoch.
  await page.getByLabel('Training samples', { exact: true }).fill('2000');
  await page.getByLabel('Test samples', { exact: true }).fill('128');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
  const runId = /#\/runs\/(r[0-9a-z]+)$/.exec(page.url())![1];

  // The first epoch (and its checkpoint) is done once the progress shows the second.
  await expect(page.getByText(/epoch 2\s*\/\s*3/i).first()).toBeVisible({ timeout: 120_000 });
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.getByText(/cancelled/i).first()).toBeVisible({ timeout: 60_000 });
  const cancelledAt = recordedEpochs(host.dbPath, runId);
  expect(cancelledAt.length, 'cancelled before the last epoch').toBeLessThan(3);
  expect(cancelledAt.length, 'at least one epoch checkpointed').toBeGreaterThan(0);

  const resume = page.getByRole('button', { name: 'Resume', exact: true });
  await expect(resume).toBeVisible();
  await shot('live-run-cancelled-resumable');
  await resume.click();
  // Running again: the button gives way to Cancel, then the run completes.
  await expect(page.getByRole('button', { name: 'Cancel', exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(resume).toHaveCount(0);
  await expect(page.getByText(/completed/i).first()).toBeVisible({ timeout: 180_000 });
  await expect(resume).toHaveCount(0);
  await shot('live-run-resumed-completed');

  // Continued from the checkpoint: each epoch is on record once (a restart from scratch would
  // record the checkpointed epochs a second time).
  expect(recordedEpochs(host.dbPath, runId)).toEqual([0, 1, 2]);
  await page.getByRole('link', { name: 'Runs', exact: true }).click();
  await expect(page.getByRole('row', { name: /cancel then resume/ }).getByText(/completed/i)).toBeVisible();
});
