import { trainCliRun } from '../cli-runs';
import { expect, openApp, test } from '../fixtures';

const trainRun = (dbPath: string, name: string, sets: readonly string[], tags: readonly string[] = []) =>
  trainCliRun(dbPath, { name, sets, tags });

test.describe.serial('what runs, seeds and unset values are called', () => {
  let ids: string[] = [];

  test('each row of the Runs list names its run on its buttons', async ({ page, host }) => {
    ids = [
      trainRun(host.dbPath, 'limited', ['data.testLimit=32']),
      trainRun(host.dbPath, 'every test sample', ['data.testLimit=none']),
    ];
    await openApp(page, host, '#/runs');
    for (const name of ['limited', 'every test sample']) {
      await expect(page.getByRole('button', { name: `Edit run ${name}`, exact: true })).toBeVisible();
      await expect(page.getByRole('button', { name: `Delete run ${name}`, exact: true })).toBeVisible();
    }
    await expect(page.getByRole('button', { name: 'Delete', exact: true })).toHaveCount(0);
  });

  test("Compare shows an unset limit in the form's words, each run in its own colour", async ({
    page,
    host,
    shot,
  }) => {
    await openApp(page, host, `#/compare/${ids.join(',')}`);
    const differences = page.getByRole('table', { name: 'Config differences' });
    const row = differences.getByRole('row', { name: /data\.testLimit/ });
    await expect(row.getByRole('cell')).toHaveText(['32', 'all']);
    await expect(differences).not.toContainText('null');
    // Beside the last epoch's test accuracy, each run's best with the epoch that reached it.
    const best = page
      .getByRole('table', { name: 'Final metrics' })
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'Best test accuracy', exact: true }) });
    await expect(best.getByRole('cell')).toHaveText([
      /^\d+\.\d\d % \(epoch \d+\)$/,
      /^\d+\.\d\d % \(epoch \d+\)$/,
    ]);
    const swatches = differences.locator('thead .swatch');
    await expect(swatches).toHaveCount(2);
    const colours = await swatches.evaluateAll((nodes) =>
      nodes.map((node) => (node as unknown as { style: { background: string } }).style.background),
    );
    expect(new Set(colours).size).toBe(2);
    await shot('compare-unset-limit');

    // A colour picked in the legend colours the run everywhere, after a reload too, until reset.
    const swatchOf = (i: number) =>
      swatches
        .nth(i)
        .evaluate((node) => (node as unknown as { style: { background: string } }).style.background);
    const before = await swatchOf(0);
    const picker = page.getByLabel('Colour of limited', { exact: true });
    await picker.fill('#00aa55');
    await expect.poll(() => swatchOf(0)).toBe('rgb(0, 170, 85)');
    await page.reload();
    await expect(page.getByLabel('Colour of limited', { exact: true })).toHaveValue('#00aa55');
    await expect.poll(() => swatchOf(0)).toBe('rgb(0, 170, 85)');
    await page.getByRole('button', { name: 'Reset the colour of limited' }).click();
    await expect.poll(() => swatchOf(0)).toBe(before);
  });

  test('Compare tells same-name runs apart and overlays per-step curves, smoothed', async ({
    page,
    host,
    shot,
  }) => {
    const twins = [
      trainRun(host.dbPath, 'twin', ['train.seed=1']),
      trainRun(host.dbPath, 'twin', ['train.seed=2']),
    ];
    await openApp(page, host, `#/compare/${twins.join(',')}`);
    const legend = page.locator('ul.legend');
    for (const id of twins) await expect(legend.getByRole('link', { name: `twin (${id})` })).toBeVisible();
    const finals = page.getByRole('table', { name: 'Final metrics' });
    await expect(finals.locator('thead th')).toHaveText(['Metric', ...twins.map((id) => `twin (${id})`)]);

    await page.getByRole('combobox', { name: /^Metric/ }).selectOption({ label: 'Train loss per step' });
    const chart = page.getByRole('figure', { name: 'Train loss per step' });
    await expect(chart.locator('.uplot-host')).toHaveAttribute('data-points', /^[1-9]\d*$/);
    // One legend entry per run: the raw lines behind the smoothed ones are drawn but not listed.
    const entries = chart.locator('.u-legend .u-series:not(.band-edge)');
    await expect(entries).toHaveCount(3);
    await expect(entries.nth(0)).toContainText('step');
    await expect(entries.nth(1)).toContainText(`twin (${twins[0]!})`);
    await expect(page.getByRole('slider', { name: /Smoothing/ })).toBeVisible();
    await shot('compare-per-step');

    // Over time since the start: each run's points at their seconds since it started.
    await page.getByRole('combobox', { name: /^X axis/ }).selectOption({ label: 'Relative time' });
    await expect(chart.locator('.uplot-host')).toHaveAttribute('data-points', /^[1-9]\d*$/);
    const xRange = await chart.locator('.uplot-host').getAttribute('data-x-range');
    const [xMin, xMax] = (xRange ?? '').split(',').map(Number);
    // A one-epoch run of 64 samples takes well under a minute; its first point is at 0 s.
    expect(xMin!).toBeGreaterThanOrEqual(0);
    expect(xMax!).toBeLessThan(60);
    // Steps are whole numbers; seconds since the start, at millisecond precision, are not.
    expect(Number.isInteger(xMax)).toBe(false);
    await expect(page.getByRole('checkbox', { name: 'Mean ± std over seeds' })).toHaveCount(0);
  });

  test('a tag is a link to the runs it marks, from the Runs list and from a run page', async ({
    page,
    host,
    shot,
  }) => {
    const tagged = trainRun(
      host.dbPath,
      'tagged run',
      [],
      ['quick', 'ablation:grid-7 cell α=0.5 β=0.25 lr=0.1'],
    );
    await openApp(page, host, '#/runs');
    const row = page.getByRole('row', { name: /tagged run/ });
    // The long ablation tag is shown whole, wrapped inside the row, not cut off.
    const longTag = row.getByRole('link', { name: 'ablation:grid-7 cell α=0.5 β=0.25 lr=0.1' });
    await expect(longTag).toBeVisible();
    const name = (await row.getByRole('link', { name: 'tagged run' }).boundingBox())!;
    const tagBox = (await longTag.boundingBox())!;
    expect(tagBox.x + tagBox.width).toBeLessThanOrEqual(name.x + 216);
    const clipped = await longTag.evaluate((el) => {
      const e = el as unknown as { scrollWidth: number; clientWidth: number };
      return e.scrollWidth > e.clientWidth;
    });
    expect(clipped, 'the long tag is clipped').toBe(false);
    await shot('runs-tags');

    await row.getByRole('link', { name: 'quick', exact: true }).click();
    await expect(page).toHaveURL(/#\/runs\?search=quick$/);
    await expect(page.getByRole('searchbox')).toHaveValue('quick');
    await expect(page.getByRole('row', { name: /tagged run/ })).toBeVisible();
    await expect(page.getByRole('row', { name: /limited|every test sample|twin/ })).toHaveCount(0);

    await openApp(page, host, `#/runs/${tagged}`);
    await page
      .getByRole('region', { name: 'Run details' })
      .getByRole('link', { name: 'ablation:grid-7 cell α=0.5 β=0.25 lr=0.1' })
      .click();
    await expect(page.getByRole('searchbox')).toHaveValue('ablation:grid-7 cell α=0.5 β=0.25 lr=0.1');
    await expect(page.getByRole('row', { name: /tagged run/ })).toBeVisible();
    await expect(page.getByRole('row', { name: /limited/ })).toHaveCount(0);
  });

  test('the Runs list groups by variant or tag with mean ± std, and lists or compares a group', async ({
    page,
    host,
    shot,
  }) => {
    await openApp(page, host, '#/runs');
    await page.getByRole('combobox', { name: 'Group by' }).selectOption({ label: 'Neuron variant' });
    const byVariant = page.getByRole('table', { name: 'Runs grouped by neuron variant' });
    const glif = byVariant.getByRole('row', { name: /^GLIF/ });
    await expect(glif.getByRole('cell').first()).toHaveText('5');
    await expect(glif.getByRole('cell').nth(1)).toHaveText(/^\d+\.\d{2} % ± \d+\.\d{2} %$/);
    await shot('runs-grouped-variant');

    await page.getByRole('combobox', { name: 'Group by' }).selectOption({ label: 'Tag' });
    const byTag = page.getByRole('table', { name: 'Runs grouped by tag' });
    // Tags in the order the run keeps them (sorted), untagged runs last.
    await expect(byTag.getByRole('rowheader')).toHaveText([
      'ablation:grid-7 cell α=0.5 β=0.25 lr=0.1',
      'quick',
      '(none)',
    ]);
    await byTag.getByRole('button', { name: 'List the runs of quick' }).click();
    await expect(page.getByRole('searchbox')).toHaveValue('quick');
    await expect(page.getByRole('row', { name: /tagged run/ })).toBeVisible();

    await page.getByRole('searchbox').fill('');
    await page.getByRole('combobox', { name: 'Group by' }).selectOption({ label: 'Neuron variant' });
    await page.getByRole('button', { name: 'Compare the runs of GLIF' }).click();
    await expect(page).toHaveURL(/#\/compare\/(r[0-9a-z]+,){4}r[0-9a-z]+$/);
  });

  test('the Ablation form names a bad seed and cannot queue it', async ({ page, host, shot }) => {
    await openApp(page, host, '#/ablation');
    const form = page.getByRole('form', { name: 'Queue an ablation grid' });
    await form.getByLabel('Seeds', { exact: true }).fill('1, x, 99999999999');
    await expect(form.getByText(/“x”, “99999999999” are not seeds/)).toBeVisible();
    await expect(form.getByRole('button', { name: 'Queue ablation' })).toBeDisabled();
    await shot('ablation-bad-seeds');
    await form.getByLabel('Seeds', { exact: true }).fill('1, 2');
    await expect(form.getByRole('button', { name: 'Queue ablation' })).toBeEnabled();
  });
});
