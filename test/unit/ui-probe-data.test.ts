import { describe, expect, it } from 'vitest';
import type { RunProbe } from '../../src-main/contract/probe';
import {
  currentColumns,
  membraneColumns,
  parseIndexList,
  probeCsv,
  spikeColumns,
} from '../../src-renderer/src/lib/state/probe-data';

/** A probe of one sample and two channels over T=3, with distinct numbers everywhere. */
function probe(runId: string): RunProbe {
  const series = (base: number) => [base, base + 0.1, base + 0.2];
  return {
    runId,
    checkpoint: { epoch: 2, sha256: 'ab' },
    cached: false,
    layer: 'features.1',
    layers: [{ path: 'features.1', channels: 8, shape: [4, 4, 8] }],
    timeSteps: 3,
    variant: 'glif',
    layerwise: false,
    params: [0, 5].map((channel) => ({
      channel,
      alpha: 0.4,
      beta: null,
      gamma: 0.6,
      tauExp: 0.25,
      tauLin: 0.0625,
      vth: 0.5 + channel / 100,
      vre: 0.45,
      conduct: [0.1, 0.2, 0.3],
    })),
    samples: [
      {
        index: 7,
        label: 1,
        labelName: 'shirt, long',
        predicted: 2,
        predictedName: 'coat',
        image: { height: 1, width: 1, channels: 1, pixels: [0] },
        traces: [0, 5].map((channel) => ({
          channel,
          neurons: 16,
          neuron: 6,
          position: [1, 2] as const,
          current: series(channel),
          membrane: series(channel + 10),
          spikes: [0, 1, channel ? 1 : 0],
          meanCurrent: series(channel + 20),
          meanMembrane: series(channel + 30),
          spikeFraction: [0, 0.25, 0.5],
        })),
      },
    ],
  };
}

describe('neuron probe data', () => {
  it('reads index lists and says what is wrong with a bad one', () => {
    expect(parseIndexList(' 0, 3,5 ', 16)).toEqual([0, 3, 5]);
    expect(parseIndexList('', 16)).toBe('enter at least one index');
    expect(parseIndexList('1, -2', 16)).toBe("'-2' is not an index (0, 1, 2, …)");
    expect(parseIndexList('1.5', 16)).toBe("'1.5' is not an index (0, 1, 2, …)");
    expect(parseIndexList('1,2,3', 2)).toBe('at most 2 at a time');
  });

  it('lays out chart columns over the steps, per run', () => {
    const a = probe('a');
    const b = probe('b');
    const one = { trace: a.samples[0]!.traces[1]!, params: a.params[1]! };
    const two = { trace: b.samples[0]!.traces[0]!, params: b.params[0]! };
    const m = membraneColumns([one, two]);
    expect(m).toHaveLength(1 + 6);
    expect(m[0]).toEqual([0, 1, 2]);
    expect(m[1]).toEqual(one.trace.membrane);
    expect(m[2]).toEqual([0.55, 0.55, 0.55]);
    expect(m[3]).toEqual([0.45, 0.45, 0.45]);
    expect(m[4]).toEqual(two.trace.membrane);
    expect(currentColumns([one])).toEqual([[0, 1, 2], one.trace.current, one.trace.meanCurrent]);
    expect(spikeColumns([one])).toEqual([
      [0, 1, 2],
      [0, 1, 1],
      [0, 0.25, 0.5],
    ]);
  });

  it('exports one CSV row per run, sample, channel and step', () => {
    const lines = probeCsv([probe('run1'), probe('run2')])
      .trim()
      .split('\n');
    const header = lines[0]!.split(',');
    expect(lines).toHaveLength(1 + 2 * 2 * 3);
    // Class names with commas are quoted; a gate the variant lacks is an empty cell.
    const row = lines[4]!;
    expect(row.startsWith('run1,3,features.1,7,"shirt, long",coat,5,1,2,0,')).toBe(true);
    const cells = row.replace('"shirt, long"', 'shirt').split(',');
    expect(cells).toHaveLength(header.length);
    const at = (name: string) => cells[header.indexOf(name)];
    expect(at('membrane')).toBe('15');
    expect(at('v_th')).toBe('0.55');
    expect(at('beta')).toBe('');
    expect(at('g_t')).toBe('0.1');
    expect(lines.filter((l) => l.startsWith('run2,'))).toHaveLength(6);
  });
});
