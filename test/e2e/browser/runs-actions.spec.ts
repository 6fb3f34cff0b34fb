import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, openApp, test } from '../fixtures';

/** A column of one run, read from the host's database file. */
function runColumn(dbPath: string, runId: string, column: 'parent_run_id' | 'status'): unknown {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT ${column} FROM runs WHERE id = ?`).pluck().get(runId);
  } finally {
    db.close();
  }
}

/** How many epochs of a run have their test accuracy in the host's database file. */
function storedEpochs(dbPath: string, runId: string): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare("SELECT count(*) FROM metrics WHERE run_id = ? AND name = 'epoch/test_accuracy'")
      .pluck()
      .get(runId) as number;
  } finally {
    db.close();
  }
}

/**
 * A folder with four whole, consistent IDX files of 5x5 images: it passes the form's check of the
 * data location (names, headers, sizes) and fails the run, whose network needs sides divisible by 4.
 */
function unusableIdxFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-e2e-idx-'));
  const idx = (magic: number, dims: number[]) => {
    const header = Buffer.alloc(4 + 4 * dims.length);
    header.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([header, Buffer.alloc(dims.reduce((a, b) => a * b, 1))]);
  };
  fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), idx(0x803, [4, 5, 5]));
  fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idx(0x801, [4]));
  fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), idx(0x803, [2, 5, 5]));
  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idx(0x801, [2]));
  return dir;
}

const runIdOf = (url: string): string => /#\/runs\/(r[0-9a-z]+)$/.exec(url)![1]!;

test.describe.serial('what the runs offer', () => {
  test('the New run form names a missing data location before Start', async ({ page, host, shot }) => {
    await openApp(page, host, '#/new-run');
    await page.getByLabel('Preset', { exact: true }).selectOption('fmnist-cnn');
    await page.getByLabel('Data location', { exact: true }).fill('/nonexistent/fmnist');
    await expect(page.getByText(/data\.path: \/nonexistent\/fmnist does not exist/).first()).toBeVisible();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(page).toHaveURL(/#\/new-run/);
    await shot('new-run-missing-data-path');
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await expect(page.getByText('No runs yet')).toBeVisible();
  });

  test('a run that failed before its first checkpoint offers Edit and rerun, not Resume', async ({
    page,
    host,
    shot,
  }) => {
    const badData = unusableIdxFolder();
    await openApp(page, host, '#/new-run');
    await page.getByLabel('Preset', { exact: true }).selectOption('fmnist-cnn');
    await page.getByLabel('Run name').fill('bad data');
    await page.getByLabel('Data location', { exact: true }).fill(badData);
    await page.getByLabel('Epochs', { exact: true }).fill('1');
    await page.getByLabel('Training samples', { exact: true }).fill('256');
    await page.getByLabel('Test samples', { exact: true }).fill('128');
    await page.getByLabel('Batch size', { exact: true }).fill('32');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
    const failedId = runIdOf(page.url());
    await expect(page.getByText('The run failed:')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByRole('button', { name: 'Resume', exact: true })).toHaveCount(0);
    const rerun = page.getByRole('link', { name: 'Edit and rerun', exact: true });
    await expect(rerun).toBeVisible();
    await shot('live-run-failed-edit-and-rerun');

    await rerun.click();
    await expect(page).toHaveURL(new RegExp(`#/new-run\\?from=${failedId}$`));
    await expect(page.getByText(/Editing the config of\s+bad data/)).toBeVisible();
    await expect(page.getByLabel('Run name')).toHaveValue('bad data');
    await expect(page.getByLabel('Data location', { exact: true })).toHaveValue(badData);
    await expect(page.getByLabel('Epochs', { exact: true })).toHaveValue('1');
    await expect(page.getByLabel('Training samples', { exact: true })).toHaveValue('256');
    await shot('new-run-edit-and-rerun');

    // Fixed: the default data location.
    await page.getByLabel('Data location', { exact: true }).fill('');
    await page.getByLabel('Run name').fill('bad data, fixed');
    await expect(page.getByText('Valid: ready to start')).toBeVisible();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
    const rerunId = runIdOf(page.url());
    expect(rerunId).not.toBe(failedId);
    expect(runColumn(host.dbPath, rerunId, 'parent_run_id')).toBe(failedId);
    expect(runColumn(host.dbPath, failedId, 'status')).toBe('failed');
    await expect(page.getByRole('heading', { name: 'bad data, fixed' })).toBeVisible();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(page.getByText(/cancelled/i).first()).toBeVisible({ timeout: 60_000 });
    fs.rmSync(badData, { recursive: true, force: true });
  });

  test('the Runs list opened mid-run shows the stored progress and test accuracy', async ({
    page,
    host,
    shot,
  }) => {
    await openApp(page, host, '#/new-run');
    await page.getByLabel('Preset', { exact: true }).selectOption('fmnist-cnn');
    await page.getByLabel('Run name').fill('long enough');
    // Far more epochs than the test lasts (an epoch takes 5-30 s on 2 cores, depending on the
    // host): the run is still going when it is cancelled at the end, however fast the machine.
    await page.getByLabel('Epochs', { exact: true }).fill('30');
    await page.getByLabel('Training samples', { exact: true }).fill('1024');
    await page.getByLabel('Test samples', { exact: true }).fill('128');
    await page.getByLabel('Batch size', { exact: true }).fill('32');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
    const runId = runIdOf(page.url());
    await expect(page.getByText(/epoch 2\s*\/\s*30/i).first()).toBeVisible({ timeout: 120_000 });
    // What the list must show is what the store holds: wait until epoch 1's metrics are written
    // (the recorder batches its writes, so "epoch 2/30" on the page can come first).
    await expect.poll(() => storedEpochs(host.dbPath, runId), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);

    // A fresh page: none of the run's earlier events reach it.
    await openApp(page, host, '#/runs');
    await page.reload();
    const row = page.getByRole('row', { name: /long enough/ });
    await expect(row.getByText(/running/i)).toBeVisible();
    const epochs = row.locator('td.num').nth(3);
    const accuracy = row.locator('td.accuracy');
    // From the store at once, not after the next epoch's event.
    await expect(accuracy).toHaveText(/\d+(\.\d+)?\s*%/, { timeout: 5_000 });
    // Epoch 1 is stored, so at least 2 of 30 (the run may have moved on since, never finished).
    await expect(epochs).toHaveText(/^\s*([2-9]|[12]\d)\/30\s*$/, { timeout: 5_000 });
    await shot('runs-list-mid-run');
    // It advances with events and never passes the run's epoch count.
    for (let i = 0; i < 10; i++) {
      const text = (await epochs.textContent())?.trim() ?? '';
      const m = /^(\d+)\/(\d+)$/.exec(text);
      if (m) expect(Number(m[1])).toBeLessThanOrEqual(Number(m[2]));
      await page.waitForTimeout(300);
    }
    await openApp(page, host, `#/runs/${runId}`);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(page.getByText(/cancelled/i).first()).toBeVisible({ timeout: 60_000 });
  });
});
