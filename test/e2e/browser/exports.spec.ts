import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { trainCliRun } from '../cli-runs';
import { expect, openApp, test } from '../fixtures';

/**
 * The files a researcher takes away: chart SVGs and PNGs (1x and 2x) named after the run and the
 * quantity, legends that hold long run names, and CSVs of a run, a comparison and the Runs list.
 * The downloads are kept in out/test-results/exports/ to be looked at.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const keepDir = path.join(repoRoot, 'out/test-results/exports');

const LONG_NAME = 'GLIF baseline with a long descriptive name: layer-wise gates, seed 1, lr 0.1, T=4';
const SHORT_NAME = 'exp leak, hard reset';

const trainRun = (dbPath: string, name: string, sets: readonly string[]) =>
  trainCliRun(dbPath, { name, sets });

interface Downloaded {
  name: string;
  text: string;
  bytes: Buffer;
}

/** Clicks `button`, which must start a download, and keeps the file under its suggested name. */
async function download(page: Page, button: { click(): Promise<void> }): Promise<Downloaded> {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const bytes = fs.readFileSync(await file.path());
  const name = file.suggestedFilename();
  fs.mkdirSync(keepDir, { recursive: true });
  fs.writeFileSync(path.join(keepDir, name), bytes);
  return { name, text: bytes.toString('utf8'), bytes };
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The SVG's size and its legend lines. */
function svgLegend(svg: string): {
  width: number;
  height: number;
  lines: Array<{ x: number; y: number; text: string }>;
} {
  const box = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
  expect(box).not.toBeNull();
  const lines = [...svg.matchAll(/<text class="legend" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)<\/text>/g)].map(
    (m) => ({ x: Number(m[1]), y: Number(m[2]), text: m[3]! }),
  );
  return { width: Number(box![1]), height: Number(box![2]), lines };
}

const safe = (text: string) =>
  text
    .replace(/[^\w.-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');

test.describe.serial('exports', () => {
  let ids: string[] = [];

  test('a run: chart files named by run and quantity, PNG at 1x and 2x, the tidy CSV', async ({
    page,
    host,
  }) => {
    fs.rmSync(keepDir, { recursive: true, force: true });
    ids = [
      trainRun(host.dbPath, LONG_NAME, ['train.seed=1']),
      trainRun(host.dbPath, SHORT_NAME, ['neuron.variant=simplex-101']),
    ];
    await openApp(page, host, `#/runs/${ids[0]}`);
    await expect(page.getByText(/completed/i).first()).toBeVisible();
    const run = safe(LONG_NAME);

    const loss = page.getByRole('figure', { name: 'Loss', exact: true });
    const png1 = await download(page, loss.getByRole('button', { name: 'Export Loss as PNG at 1x' }));
    const png2 = await download(page, loss.getByRole('button', { name: 'Export Loss as PNG at 2x' }));
    expect(png1.name).toBe(`${run}-loss.png`);
    expect(png2.name).toBe(`${run}-loss-2x.png`);
    const size1 = pngSize(png1.bytes);
    expect(pngSize(png2.bytes)).toEqual({ width: size1.width * 2, height: size1.height * 2 });
    const svg = await download(page, loss.getByRole('button', { name: 'Export Loss as SVG' }));
    expect(svg.name).toBe(`${run}-loss.svg`);
    // The PNG is the SVG drawn at its scale: the same size at 1x.
    const drawn = svgLegend(svg.text);
    expect(size1).toEqual({ width: drawn.width, height: drawn.height });
    expect(drawn.lines.map((l) => l.text)).toEqual([
      'train · per step (smoothed)',
      'train · per epoch',
      'test · per epoch',
    ]);

    // α, β, γ and V_th of one layer and epoch: four files, four names.
    const names: string[] = [];
    for (const [label, id] of [
      ['α', 'alpha'],
      ['β', 'beta'],
      ['γ', 'gamma'],
      ['V_th', 'v_th'],
    ] as const) {
      await page.getByRole('radio', { name: label, exact: true }).check();
      const figure = page.getByRole('figure', {
        name: new RegExp(`^${label} over channels of .+, epoch 1$`),
      });
      await expect(figure).toBeVisible();
      const file = await download(page, figure.getByRole('button', { name: /as SVG$/ }));
      expect(file.name).toMatch(new RegExp(`^${run}-${id}-distribution-.+-epoch-1\\.svg$`));
      names.push(file.name);
      const quantiles = page.getByRole('figure', { name: new RegExp(`^${label} of .+ over epochs$`) });
      const q = await download(page, quantiles.getByRole('button', { name: /as SVG$/ }));
      expect(q.name).toMatch(new RegExp(`^${run}-${id}-quantiles-.+\\.svg$`));
      names.push(q.name);
    }
    expect(new Set(names).size).toBe(8);

    const csv = await download(page, page.getByRole('button', { name: 'Export CSV', exact: true }));
    expect(csv.name).toMatch(new RegExp(`-${ids[0]}\\.csv$`));
    const lines = csv.text.trimEnd().split('\n');
    expect(lines[0]).toBe('run_id,run_name,kind,name,layer,statistic,epoch,step,time,elapsed_s,value');
    const accuracy = lines.filter((l) => l.includes(',metric,epoch/test_accuracy,'));
    expect(accuracy).toHaveLength(1);
    // Wall time on every row: the ISO time and the seconds since the run started.
    expect(accuracy[0]).toMatch(/,0,\d+,\d{4}-\d\d-\d\dT[\d:.]+Z,\d+(\.\d+)?,[\d.]+$/);
    expect(lines.filter((l) => l.includes(',metric,train/loss,')).length).toBeGreaterThan(1);
    for (const quantity of ['alpha', 'beta', 'gamma', 'v_th']) {
      expect(lines.some((l) => l.includes(`,distribution,${quantity},`) && l.includes(',p50,0,'))).toBe(true);
    }
    expect(csv.text).not.toContain('epoch/num_tensors');
  });

  test('Compare: a legend that holds long run names, files named for the comparison, its CSV', async ({
    page,
    host,
  }) => {
    await openApp(page, host, `#/compare/${ids.join(',')}`);
    const figure = page.getByRole('figure', { name: 'Test accuracy per epoch' });
    await expect(figure.locator('canvas')).toBeVisible();
    const svg = await download(page, figure.getByRole('button', { name: /as SVG$/ }));
    expect(svg.name).toBe('compare-2-runs-epoch-test_accuracy.svg');
    const legend = svgLegend(svg.text);
    // Every word of both names is in the legend, and every line lies inside the image.
    const text = legend.lines.map((l) => l.text).join(' ');
    for (const word of `${LONG_NAME} ${SHORT_NAME}`.split(' ')) expect(text).toContain(word);
    for (const line of legend.lines) {
      expect(line.x + line.text.length * 7).toBeLessThanOrEqual(legend.width);
      expect(line.y + 4).toBeLessThanOrEqual(legend.height);
    }
    const png = await download(page, figure.getByRole('button', { name: /as PNG at 2x$/ }));
    expect(png.name).toBe('compare-2-runs-epoch-test_accuracy-2x.png');
    expect(pngSize(png.bytes)).toEqual({ width: legend.width * 2, height: legend.height * 2 });

    const csv = await download(page, page.getByRole('button', { name: 'Export the compared runs as CSV' }));
    expect(csv.name).toBe('compare-2-runs.csv');
    const rows = csv.text.trimEnd().split('\n');
    expect(rows[0]).toBe('run_id,run_name,kind,name,layer,statistic,epoch,step,time,elapsed_s,value');
    expect(rows.some((r) => r.startsWith(`${ids[0]},"${LONG_NAME}",metric,epoch/test_accuracy,`))).toBe(true);
    expect(rows.some((r) => r.startsWith(`${ids[1]},"${SHORT_NAME}",metric,epoch/test_accuracy,`))).toBe(
      true,
    );
  });

  test('the Runs list: one CSV row per run shown', async ({ page, host }) => {
    await openApp(page, host, '#/runs');
    const csv = await download(page, page.getByRole('button', { name: 'Export the runs shown as CSV' }));
    expect(csv.name).toBe('runs.csv');
    const [header, ...rows] = csv.text.trimEnd().split('\n');
    expect(header).toMatch(
      /^id,name,status,preset,dataset,model,variant,layerwise,time_steps,epochs,batch_size,lr,seed,/,
    );
    expect(header).toContain('final_test_accuracy');
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.startsWith(`${ids[1]},"${SHORT_NAME}",completed,synthetic-mlp,`))).toContain(
      ',simplex-101,',
    );

    await page.getByRole('searchbox', { name: 'Search runs' }).fill('exp leak');
    const filtered = await download(page, page.getByRole('button', { name: 'Export the runs shown as CSV' }));
    expect(
      filtered.text
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((r) => r.split(',')[0]),
    ).toEqual([ids[1]]);
  });
});
