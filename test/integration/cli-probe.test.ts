/**
 * `glif probe` on a run trained by `glif train` (a small conv net on the synthetic data, one
 * epoch): the JSON holds T steps per series whose membrane follows glif.md from the current,
 * the table reads, and every mistake is refused with a message naming what is wrong.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NeuronProbeResult } from '../../src-main/contract/probe';
import { glif } from '../helpers/cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-probe-'));
const db = path.join(tmp, 'runs.sqlite');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let runId = '';

beforeAll(() => {
  const r = glif(
    [
      'train',
      '--preset',
      'fmnist-cnn',
      '--db',
      db,
      '--json',
      ...['data.dataset=synthetic', 'data.trainLimit=32', 'data.testLimit=16', 'train.batchSize=16'].flatMap(
        (kv) => ['--set', kv],
      ),
    ],
    { timeoutMs: 90_000 },
  );
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.status).toBe(0);
  runId = (JSON.parse(r.stdout) as { runId: string }).runId;
}, 100_000);

const probe = (...args: string[]) => glif(['probe', ...args, '--db', db]);

describe('glif probe', () => {
  it('gives every series over T with the membrane of the glif.md update', () => {
    const r = probe(runId, '--layer', 'features.1', '--channel', '0,5', '--sample', '3,7', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as NeuronProbeResult & { runId: string; checkpoint: { epoch: number } };
    expect(out.runId).toBe(runId);
    expect(out.checkpoint.epoch).toBe(0);
    expect(out.layers.map((l) => l.path)).toEqual(['features.1', 'features.4']);
    expect(out.layers[0].shape).toEqual([28, 28, out.layers[0].channels]);
    expect(out.samples.map((s) => s.index)).toEqual([3, 7]);
    expect(out.params.map((p) => p.channel)).toEqual([0, 5]);
    const T = out.timeSteps;
    expect(T).toBe(4);
    let spikes = 0;
    for (const s of out.samples) {
      expect(s.image).toMatchObject({ height: 28, width: 28, channels: 1 });
      expect(s.image.pixels).toHaveLength(784);
      expect(s.labelName).toBe(`pattern ${s.label}`);
      expect(s.predictedName).toBe(`pattern ${s.predicted}`);
      s.traces.forEach((tr, k) => {
        const p = out.params[k];
        expect(tr.neurons).toBe(784);
        expect(tr.position).toEqual([Math.floor(tr.neuron / 28), tr.neuron % 28]);
        for (const series of [tr.current, tr.membrane, tr.spikes, tr.meanCurrent, tr.spikeFraction])
          expect(series).toHaveLength(T);
        // glif.md 1.2, from the probed current and the channel's effective parameters.
        const [a, b, c] = [p.alpha!, p.beta!, p.gamma!];
        let u = 0;
        let prev = 0;
        tr.current.forEach((x, t) => {
          u =
            (1 - a * (1 - p.tauExp)) * u * (1 - c * prev) -
            (1 - a) * p.tauLin +
            (1 - b * (1 - p.conduct[t])) * x -
            (1 - c) * p.vre * prev;
          expect(tr.membrane[t]).toBeCloseTo(u, 4);
          prev = u > p.vth ? 1 : 0;
          if (Math.abs(u - p.vth) > 1e-4) expect(tr.spikes[t]).toBe(prev);
          spikes += tr.spikes[t];
        });
        // The most active neuron fires at least as often as the channel's average neuron.
        const shown = tr.spikes.reduce((x, y) => x + y, 0);
        expect(shown).toBeGreaterThanOrEqual(tr.spikeFraction.reduce((x, y) => x + y, 0) - 1e-9);
      });
    }
    expect(spikes).toBeGreaterThan(0);
  });

  it('prints a readable table by default', () => {
    const r = probe(runId, '--layer', 'features.4', '--channel', '2', '--sample', '0');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`run ${runId}, checkpoint of epoch 1: layer features.4 \\(glif, T=4\\)`),
    );
    expect(r.stdout).toMatch(/sample 0: label pattern \d+, predicted pattern \d+ \((correct|wrong)\)/);
    expect(r.stdout).toMatch(/channel 2: neuron \(\d+, \d+\) of \d+; alpha 0\.\d{4} {2}beta/);
    expect(r.stdout).toMatch(/t {2}I\[t\] +u\[t\] +S\[t\] +g\[t\] +mean I +mean u +spiking/);
    // One row per time step under the header and its rule.
    expect(
      r.stdout
        .trim()
        .split('\n')
        .slice(-4)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['0', '1', '2', '3']);
  });

  it('refuses what cannot be probed, naming the problem', () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['nope', '--layer', 'features.1', '--channel', '0', '--sample', '0'],
        /no run 'nope' in this database/,
      ],
      [
        [runId, '--layer', 'features.9', '--channel', '0', '--sample', '0'],
        /unknown layer 'features\.9'; GLIF layers: features\.1, features\.4/,
      ],
      [
        [runId, '--layer', 'features.1', '--channel', '999', '--sample', '0'],
        /channel 999 is out of range: layer features\.1 has channels 0\.\.\d+/,
      ],
      [
        [runId, '--layer', 'features.1', '--channel', '0', '--sample', '512'],
        /sample 512 is out of range: the test split has samples 0\.\.511/,
      ],
      [
        [runId, '--layer', 'features.1', '--channel', 'x', '--sample', '0'],
        /--channel: expected non-negative/,
      ],
      [[runId, '--channel', '0', '--sample', '0'], /--layer is required/],
    ];
    for (const [args, message] of cases) {
      const r = probe(...args);
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
    }
  });

  it('says so when the run has no checkpoint on disk', () => {
    fs.rmSync(path.join(tmp, 'checkpoints', runId), { recursive: true, force: true });
    const r = probe(runId, '--layer', 'features.1', '--channel', '0', '--sample', '0');
    expect(r.stderr).toMatch(new RegExp(`run '${runId}' has no checkpoint on disk yet`));
    expect(r.status).toBe(2);
  });
});
