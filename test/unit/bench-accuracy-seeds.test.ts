/**
 * The end-to-end accuracy benchmark compares several seeds of both sides (bench/fmnist-accuracy.ts):
 * the wrapper that seeds the PyTorch reference, run on a stand-in script that seeds the way
 * torch_reference.py does, and the difference-of-means line. Needs /usr/bin/python3 with torch
 * (scripts/setup.sh installs python3-torch).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareMeans } from '../../bench/fmnist-accuracy';

const PYTHON = '/usr/bin/python3';
const WRAPPER = path.resolve(import.meta.dirname, '../../bench/lib/reference_seeded.py');

// Seeds like torch_reference.py: torch.manual_seed(0) in main, Generator().manual_seed(0) for the order.
const STAND_IN = `
import json, sys, torch
torch.manual_seed(0)
weights = torch.rand(3).tolist()
order = torch.randperm(8, generator=torch.Generator().manual_seed(0)).tolist()
print(json.dumps({"args": sys.argv[1:], "weights": weights, "order": order}))
`;
// What seed s gives when written out directly.
const DIRECT = `
import json, sys, torch
s = int(sys.argv[1])
torch.manual_seed(s)
weights = torch.rand(3).tolist()
order = torch.randperm(8, generator=torch.Generator().manual_seed(s)).tolist()
print(json.dumps({"weights": weights, "order": order}))
`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-seeded-ref-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function python(args: string[]): { weights: number[]; order: number[]; args?: string[] } {
  const r = spawnSync(PYTHON, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { weights: number[]; order: number[]; args?: string[] };
}

describe('reference_seeded.py', () => {
  const script = path.join(dir, 'stand_in.py');
  const direct = path.join(dir, 'direct.py');
  fs.writeFileSync(script, STAND_IN);
  fs.writeFileSync(direct, DIRECT);

  it('with seed 0 runs the script exactly as shipped, passing its arguments', () => {
    const shipped = python([script, '--only', 'fmnist-accuracy']);
    const seeded = python([WRAPPER, '0', script, '--only', 'fmnist-accuracy']);
    expect(seeded).toEqual(shipped);
    expect(seeded.args).toEqual(['--only', 'fmnist-accuracy']);
  });

  it('with seed k gives both the weight seed and the data-order seed the value k', () => {
    const seeded = python([WRAPPER, '3', script]);
    const expected = python([direct, '3']);
    expect(seeded.weights).toEqual(expected.weights);
    expect(seeded.order).toEqual(expected.order);
    expect(seeded.order).not.toEqual(python([direct, '0']).order);
  });
});

describe('compareMeans', () => {
  it('reports both means, their spreads and the difference with its Welch standard error', () => {
    // ours: mean 72, sd 2; reference: mean 74, sd sqrt(2); se = sqrt(4/3 + 2/2) = 1.53.
    const line = compareMeans([70, 72, 74], [73, 75]);
    expect(line).toContain('ours 72.00% (sd 2.00)');
    expect(line).toContain('reference 74.00% (sd 1.41)');
    expect(line).toContain('difference of the means -2.00 points ± 1.53');
  });

  it('says when one seed gives no spread', () => {
    expect(compareMeans([76.8], [74])).toContain('+2.80 points (one seed: no spread');
  });
});
