import type { Page } from '@playwright/test';
import { expect, openApp, test } from '../fixtures';

/** The page's root theme and the root's background colour as rendered (app.css paints it there). */
async function rendered(page: Page): Promise<{ theme: string | undefined; background: string }> {
  return page.evaluate(() => {
    const g = globalThis as unknown as {
      document: { documentElement: { dataset: Record<string, string | undefined> } };
      getComputedStyle(el: object): { backgroundColor: string };
    };
    const root = g.document.documentElement;
    return { theme: root.dataset['theme'], background: g.getComputedStyle(root).backgroundColor };
  });
}

/** Relative luminance of an rgb() colour, 0 (black) to 1 (white). */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => Number(v) / 255);
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

test('the theme follows the OS on System, and a chosen one holds across reloads', async ({
  page,
  host,
  shot,
}) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openApp(page, host, '#/runs');
  const select = page.getByRole('combobox', { name: 'Theme' });
  await expect(select).toHaveValue('system');
  await expect.poll(async () => (await rendered(page)).theme).toBe('dark');
  expect(luminance((await rendered(page)).background)).toBeLessThan(0.2);

  // The OS switches while System is chosen: the page follows at once.
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(async () => (await rendered(page)).theme).toBe('light');
  expect(luminance((await rendered(page)).background)).toBeGreaterThan(0.8);

  // Dark chosen by hand holds against a light OS and after a reload.
  await select.selectOption('dark');
  await expect.poll(async () => (await rendered(page)).theme).toBe('dark');
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('dark');
  await expect.poll(async () => (await rendered(page)).theme).toBe('dark');
  expect(luminance((await rendered(page)).background)).toBeLessThan(0.2);
  await openApp(page, host, '#/new-run');
  await expect(page.getByLabel('Preset', { exact: true })).toBeVisible();
  await shot('theme-dark-new-run');
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('system');
});
