import type { Page } from '@playwright/test';
import { expect, openApp, test } from '../fixtures';

/**
 * A run of many epochs (the paper's recipes run 200) in every view at a desktop and a small
 * window: no view may be wider than the window, and the shell (sidebar and header) never
 * scrolls away, whatever the content below it holds.
 */

const EPOCHS = 32;
const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;

/** What the page measures of its own layout; the callback runs in the page. */
interface Layout {
  docScrollWidth: number;
  innerWidth: number;
  mainScrollWidth: number;
  mainClientWidth: number;
  docScrollTop: number;
  bodyScrollTop: number;
  shellScrollTop: number;
  sidebarTop: number;
  headerTop: number;
}

async function layoutOf(page: Page): Promise<Layout> {
  // The callback runs in the page; this file is type-checked without the DOM library.
  return page.evaluate(() => {
    interface Box {
      scrollWidth: number;
      clientWidth: number;
      scrollTop: number;
      getBoundingClientRect(): { top: number };
    }
    const g = globalThis as unknown as {
      innerWidth: number;
      document: { documentElement: Box; body: Box; querySelector(selector: string): Box };
    };
    const doc = g.document;
    const main = doc.querySelector('main');
    return {
      docScrollWidth: doc.documentElement.scrollWidth,
      innerWidth: g.innerWidth,
      mainScrollWidth: main.scrollWidth,
      mainClientWidth: main.clientWidth,
      docScrollTop: doc.documentElement.scrollTop,
      bodyScrollTop: doc.body.scrollTop,
      shellScrollTop: doc.querySelector('.shell').scrollTop,
      sidebarTop: doc.querySelector('aside').getBoundingClientRect().top,
      headerTop: doc.querySelector('header').getBoundingClientRect().top,
    };
  });
}

/** The shell is where it started: nothing above the view's content area has scrolled. */
function expectShellInPlace(layout: Layout, where: string): void {
  expect(layout.docScrollTop, `${where}: document scrollTop`).toBe(0);
  expect(layout.bodyScrollTop, `${where}: body scrollTop`).toBe(0);
  expect(layout.shellScrollTop, `${where}: shell scrollTop`).toBe(0);
  expect(layout.sidebarTop, `${where}: sidebar top`).toBe(0);
  expect(layout.headerTop, `${where}: header top`).toBe(0);
}

/** No view is wider than the window, nor scrolls sideways inside its content area. */
function expectFitsWidth(layout: Layout, where: string): void {
  expect(layout.docScrollWidth, `${where}: page width`).toBeLessThanOrEqual(layout.innerWidth);
  expect(layout.mainScrollWidth, `${where}: content width`).toBeLessThanOrEqual(layout.mainClientWidth);
}

/** Wheels down over the sidebar, which must move nothing: the sidebar does not scroll, nor the shell. */
async function wheelOverSidebar(page: Page): Promise<void> {
  const box = (await page.locator('aside').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height - 40);
  for (let i = 0; i < 4; i++) await page.mouse.wheel(0, 600);
  // Wheel scrolling is asynchronous: let it land before measuring.
  await page.waitForTimeout(250);
}

async function startRun(page: Page, name: string, epochs: number): Promise<string> {
  await page.getByRole('link', { name: 'New run', exact: true }).click();
  await page.getByLabel('Preset', { exact: true }).selectOption('synthetic-mlp');
  await page.getByLabel('Run name').fill(name);
  await page.getByLabel('Epochs', { exact: true }).fill(String(epochs));
  // Two steps an epoch: the epochs come in well under a second each.
  await page.getByLabel('Training samples', { exact: true }).fill('64');
  await page.getByLabel('Test samples', { exact: true }).fill('32');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page).toHaveURL(/#\/runs\/r[0-9a-z]+$/);
  expectShellInPlace(await layoutOf(page), `${name}: after Start`);
  return /#\/runs\/(r[0-9a-z]+)$/.exec(page.url())![1];
}

test('a long run fits every view at 1440x900 and 1024x700, and the shell never scrolls', async ({
  page,
  host,
  shot,
}) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.setViewportSize(VIEWPORTS[1]);
  await openApp(page, host, '#/new-run');
  await expect(page.getByLabel('Preset', { exact: true })).toBeVisible();

  // An invalid value: Start moves the focus to it, far down the form, which scrolls the content
  // area only.
  await page.getByLabel('Preset', { exact: true }).selectOption('synthetic-mlp');
  await page.getByLabel('Time steps T', { exact: true }).fill('0');
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.getByLabel('Time steps T', { exact: true })).toBeFocused();
  expectShellInPlace(await layoutOf(page), 'New run, focus on an invalid field');
  await wheelOverSidebar(page);
  expectShellInPlace(await layoutOf(page), 'New run, wheel over the sidebar');
  await page.getByLabel('Time steps T', { exact: true }).fill('4');

  const longRun = await startRun(page, 'many epochs', EPOCHS);
  await expect(page.getByText(/completed/i).first()).toBeVisible({ timeout: 90_000 });
  const shortRun = await startRun(page, 'two epochs', 2);
  await expect(page.getByText(/completed/i).first()).toBeVisible({ timeout: 60_000 });

  const views = [
    { name: 'runs', hash: '#/runs', ready: page.getByRole('row', { name: /many epochs/ }) },
    { name: 'new-run', hash: '#/new-run', ready: page.getByLabel('Preset', { exact: true }) },
    {
      name: 'live-run',
      hash: `#/runs/${longRun}`,
      ready: page.getByRole('table', { name: /firing rate/i }),
    },
    {
      name: 'compare',
      hash: `#/compare/${longRun},${shortRun}`,
      ready: page.getByRole('table', { name: /differences/i }),
    },
    {
      name: 'ablation',
      hash: '#/ablation',
      ready: page.getByRole('form', { name: 'Queue an ablation grid' }),
    },
  ];
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    for (const view of views) {
      const where = `${view.name} at ${viewport.width}x${viewport.height}`;
      await page.evaluate((hash) => {
        (globalThis as unknown as { location: { hash: string } }).location.hash = hash;
      }, view.hash);
      await expect(view.ready).toBeVisible();
      if (view.name === 'live-run') {
        // The heatmap holds every epoch and shows the latest ones within its own box.
        // Brought up by its heading, which lies outside the heatmap's own scroll box.
        await page.getByRole('heading', { name: 'Firing rate per layer' }).scrollIntoViewIfNeeded();
        const heatmap = page.getByRole('table', { name: /firing rate/i });
        const latest = heatmap.getByRole('columnheader', { name: String(EPOCHS), exact: true });
        await expect(latest).toBeInViewport();
        // The backend stat ("wasm · 1 thread · fused GLIF") stays on one line: wrapped, it pushed
        // the charts down.
        const backend = (await page.getByTestId('run-backend').boundingBox())!;
        expect(backend.height, `${where}: backend stat on one line`).toBeLessThan(32);
        const cell = (await latest.boundingBox())!;
        expect(cell.x + cell.width, `${where}: latest epoch inside the window`).toBeLessThanOrEqual(
          viewport.width,
        );
      }
      if (view.name === 'runs') {
        // The table fits its box: no column is hidden behind a sideways scroll.
        const box = await page.locator('.wrap.panel').evaluate((el) => {
          const e = el as unknown as { scrollWidth: number; clientWidth: number };
          return { scroll: e.scrollWidth, client: e.clientWidth };
        });
        expect(box.scroll, `${where}: runs table width`).toBeLessThanOrEqual(box.client);
      }
      // Charts size themselves on the next frames.
      await page.waitForTimeout(150);
      const layout = await layoutOf(page);
      expectFitsWidth(layout, where);
      expectShellInPlace(layout, where);
      await wheelOverSidebar(page);
      expectShellInPlace(await layoutOf(page), `${where}, wheel over the sidebar`);
      await shot(`layout-${view.name}-${viewport.width}`);
    }
  }
  expect(pageErrors, 'page errors').toEqual([]);
});
