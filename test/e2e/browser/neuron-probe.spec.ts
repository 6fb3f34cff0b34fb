import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, openApp, test } from '../fixtures';

/**
 * The neuron probe on the run page: two small conv runs (GLIF and the simplex LIF with
 * exponential leak, uniform integration, hard reset) trained by the CLI; the panel probes two
 * channels of the first GLIF layer on a test sample, compares with the other run, shows the
 * same numbers as `glif probe --json`, exports them as CSV, and names a bad channel.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const glifBin = path.join(repoRoot, 'bin/glif.mjs');
const keepDir = path.join(repoRoot, 'out/test-results/exports');

function trainConvRun(dbPath: string, name: string, variant: string): string {
  const sets = [
    'data.dataset=synthetic',
    'data.trainLimit=32',
    'data.testLimit=16',
    'train.batchSize=16',
    `neuron.variant=${variant}`,
  ];
  const out = execFileSync(
    process.execPath,
    [glifBin, 'train', '--preset', 'fmnist-cnn', ...sets.flatMap((s) => ['--set', s]), '--name', name].concat(
      ['--threads', '1', '--db', dbPath, '--json'],
    ),
    { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return (JSON.parse(out) as { runId: string }).runId;
}

interface ProbeJson {
  params: Array<{ channel: number; vth: number; vre: number }>;
  samples: Array<{
    labelName: string;
    predictedName: string;
    traces: Array<{ membrane: number[]; position: number[] }>;
  }>;
}

function cliProbe(dbPath: string, runId: string): ProbeJson {
  const out = execFileSync(
    process.execPath,
    [
      glifBin,
      'probe',
      runId,
      '--layer',
      'features.1',
      '--channel',
      '0,5',
      '--sample',
      '3',
      '--json',
      '--db',
      dbPath,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return JSON.parse(out) as ProbeJson;
}

test.describe.configure({ mode: 'serial' });

test('neuron probe: traces, gates, prediction, comparison and CSV of a run', async ({ page, host, shot }) => {
  const glifRun = trainConvRun(host.dbPath, 'GLIF conv', 'glif');
  const lifRun = trainConvRun(host.dbPath, 'Exp-Uni-Hard LIF conv', 'simplex-101');
  const expected = cliProbe(host.dbPath, glifRun);
  const expectedLif = cliProbe(host.dbPath, lifRun);

  await openApp(page, host, `#/runs/${glifRun}`);
  const panel = page.locator('section', { has: page.getByRole('heading', { name: 'Neuron probe' }) });
  await expect(panel.getByLabel('Layer')).toHaveValue('features.1');
  await panel.getByLabel('Channels').fill('0, 5');
  await panel.getByLabel('Test samples').fill('3');
  await panel.getByLabel('Compare with').selectOption({ label: `Exp-Uni-Hard LIF conv (${lifRun})` });
  await panel.getByRole('button', { name: 'Probe' }).click();

  const sample = panel.getByRole('article', { name: 'Sample 3' });
  await expect(sample.getByRole('heading', { name: 'Test sample 3' })).toBeVisible();
  await expect(sample.getByText(`True class ${expected.samples[0]!.labelName}`)).toBeVisible();
  await expect(
    sample.getByText(`Compared run predicted ${expectedLif.samples[0]!.predictedName}`),
  ).toBeVisible();
  await expect(sample.getByRole('img', { name: 'Test sample 3' })).toBeVisible();
  const channel0 = sample.getByRole('region', { name: 'Channel 0' });
  const [row, col] = expected.samples[0]!.traces[0]!.position;
  await expect(
    channel0.getByRole('heading', { name: new RegExp(`Channel 0 · neuron \\(${row}, ${col}\\) of 784`) }),
  ).toBeVisible();
  // The gates table: this run's learned V_th and the simplex run's binary gates side by side.
  const table = channel0.getByRole('table', { name: 'Gates and primitives of channel 0' });
  const vthRow = table.getByRole('row', { name: /V_th/ });
  await expect(vthRow).toContainText(String(Number(expected.params[0]!.vth.toPrecision(4))));
  await expect(
    table
      .getByRole('row', { name: /α \(leak gate\)/ })
      .getByRole('cell')
      .nth(1),
  ).toHaveText('1');
  await expect(
    table
      .getByRole('row', { name: /β \(integration gate\)/ })
      .getByRole('cell')
      .nth(1),
  ).toHaveText('0');
  for (const title of ['Membrane u[t]', 'Input current I[t]', 'Spikes S[t]'])
    await expect(channel0.getByRole('figure', { name: title })).toBeVisible();
  await expect(channel0.getByRole('figure', { name: 'Membrane u[t]' })).toContainText('V_th · this run');
  await shot('neuron-probe');

  // CSV: one row per run, channel and step, with the CLI's membrane values.
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const text = fs.readFileSync(await file.path(), 'utf8');
  fs.mkdirSync(keepDir, { recursive: true });
  fs.writeFileSync(path.join(keepDir, file.suggestedFilename()), text);
  expect(file.suggestedFilename()).toBe('GLIF_conv-probe-features.1.csv');
  const [header, ...rows] = text
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  expect(rows).toHaveLength(2 * 2 * 4);
  const col_ = (name: string) => header!.indexOf(name);
  const mine = rows.filter((r) => r[col_('run_id')] === glifRun && r[col_('channel')] === '5');
  expect(mine.map((r) => Number(r[col_('membrane')]))).toEqual(expected.samples[0]!.traces[1]!.membrane);
  expect(rows.filter((r) => r[col_('run_id')] === lifRun)).toHaveLength(8);

  // A chart of the probe exports under the run's name and the probed neuron.
  const [svg] = await Promise.all([
    page.waitForEvent('download'),
    channel0.getByRole('button', { name: 'Export Membrane u[t] as SVG' }).click(),
  ]);
  expect(svg.suggestedFilename()).toMatch(/^GLIF.conv.*probe.*features.1.*ch0.*sample3.*membrane.*\.svg$/);

  // A channel the layer does not have is named in the message.
  await panel.getByLabel('Channels').fill('999');
  await panel.getByRole('button', { name: 'Probe' }).click();
  await expect(panel.getByRole('alert').first()).toContainText(
    /channel 999 is out of range: layer features\.1 has channels 0\.\.\d+/,
  );
  await panel.getByLabel('Channels').fill('x');
  await panel.getByRole('button', { name: 'Probe' }).click();
  await expect(panel.getByRole('alert').first()).toContainText("Channels: 'x' is not an index");
});
