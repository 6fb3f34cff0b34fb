import Database from 'better-sqlite3';
import { expect, openApp, test } from '../fixtures';

test('the workbench loads in the browser with its four sections', async ({ page, host, shot }) => {
  // A database of this file's own: the runs other files made are not in it.
  const db = new Database(host.dbPath, { readonly: true, fileMustExist: true });
  try {
    expect(db.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(0);
  } finally {
    db.close();
  }
  await openApp(page, host);
  for (const name of ['Runs', 'New run', 'Compare', 'Ablation grid']) {
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  }
  // The token is taken out of the address bar once the API is connected.
  await expect(page).not.toHaveURL(/token=/);
  await shot('runs-empty');
});
