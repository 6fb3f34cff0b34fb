/**
 * Parity fixtures through the torch engine: `python -m glif_torch.parity` computes what the
 * fixtures hold (spikes, membranes, gradients, tdBN running statistics), and the comparison runs
 * here with the same functions and tolerances as for the TF.js engine, so both engines answer to
 * one standard. Python's output is validated before it is compared.
 */
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { z } from 'zod';
import {
  BLOCK_TOLERANCE,
  checkPassed,
  compareClose,
  compareExact,
  compareNoGradient,
  NEURON_TOLERANCE,
  type Check,
} from '../parity/compare';
import type { ParityFixture } from '../parity/fixture-schema';
import { loadFixture, type FixtureOutcome } from '../parity/run-fixture';
import { torchEnv, type TorchRuntime } from './python';

const computedTensor = z.object({
  shape: z.array(z.number().int().nonnegative()),
  data: z.array(z.number()),
});

const resultSchema = z.union([
  z.object({
    file: z.string(),
    tensors: z.record(z.string(), computedTensor.nullable()),
    grads: z.record(z.string(), computedTensor.nullable()),
    buffers: z.record(z.string(), z.object({ running_mean: computedTensor, running_var: computedTensor })),
  }),
  z.object({ file: z.string(), error: z.string(), source: z.enum(['fixture', 'run']) }),
]);

type Computed = z.infer<typeof computedTensor>;
type TorchResult = Extract<z.infer<typeof resultSchema>, { tensors: unknown }>;

/** The fixture's checks on what the torch engine computed (block-case.ts and neuron-case.ts's). */
export function torchChecks(f: ParityFixture, r: TorchResult): Check[] {
  const block = f.official.class === 'BasicBlock_CW';
  const tol = block ? BLOCK_TOLERANCE : NEURON_TOLERANCE;
  const checks: Check[] = [];
  const missing = (name: string, shape: number[]): Check => ({
    name,
    kind: 'shape',
    expected: shape,
    actual: [],
  });
  for (const [name, ref] of Object.entries(f.tensors)) {
    if (name === 'input' || name === 'R') continue;
    const mine = r.tensors[name];
    if (!mine) checks.push(missing(name, ref.shape));
    else if (name.startsWith('spikes')) checks.push(compareExact(name, mine.data, mine.shape, ref));
    else checks.push(compareClose(name, mine.data, mine.shape, ref, tol));
  }
  for (const [name, ref] of Object.entries(f.grads)) {
    const mine: Computed | null | undefined = r.grads[name];
    if (ref === null) checks.push(compareNoGradient(`grad.${name}`, mine?.data));
    else if (!mine)
      checks.push(
        compareClose(`grad.${name}`, new Array<number>(ref.data.length).fill(0), ref.shape, ref, tol),
      );
    else checks.push(compareClose(`grad.${name}`, mine.data, mine.shape, ref, tol));
  }
  for (const [name, b] of Object.entries(f.buffers ?? {})) {
    const mine = r.buffers[name];
    for (const [key, ref] of [
      ['running_mean', b.running_mean_after],
      ['running_var', b.running_var_after],
    ] as const) {
      if (!ref) continue;
      const t = mine?.[key];
      checks.push(
        t
          ? compareClose(`${name}.${key}`, t.data, t.shape, ref, BLOCK_TOLERANCE)
          : missing(`${name}.${key}`, ref.shape),
      );
    }
  }
  return checks;
}

/** Runs glif_torch.parity on the files (one process), line by line as it reports. */
function runPython(runtime: TorchRuntime, files: string[], onLine: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(runtime.python, ['-m', 'glif_torch.parity', ...files], {
      env: torchEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        onLine(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (buffered.trim()) onLine(buffered);
      resolve(
        code === 0
          ? ''
          : `the torch parity process ended with ${signal ?? `code ${code}`}: ${stderr.trim().split('\n').pop() ?? ''}`,
      );
    });
  });
}

/** One outcome per file, in order; a file the engine did not answer for is an error. */
export async function runTorchParity(runtime: TorchRuntime, paths: string[]): Promise<FixtureOutcome[]> {
  const outcomes = new Map<string, FixtureOutcome>();
  const fixtures = new Map<string, ParityFixture>();
  for (const path of paths) {
    const loaded = await loadFixture(path);
    if ('message' in loaded)
      outcomes.set(path, {
        file: basename(path),
        impl: 'torch',
        status: 'error',
        source: 'fixture',
        message: loaded.message,
      });
    else fixtures.set(path, loaded.fixture);
  }
  const failure =
    fixtures.size === 0
      ? ''
      : await runPython(runtime, [...fixtures.keys()], (line) => {
          let parsed: z.infer<typeof resultSchema>;
          try {
            parsed = resultSchema.parse(JSON.parse(line));
          } catch {
            return; // not a result line (a warning the interpreter printed)
          }
          const f = fixtures.get(parsed.file);
          if (!f) return;
          const file = basename(parsed.file);
          if ('error' in parsed) {
            outcomes.set(parsed.file, {
              file,
              impl: 'torch',
              status: 'error',
              source: parsed.source,
              message: parsed.source === 'run' ? `could not run: ${parsed.error}` : parsed.error,
            });
            return;
          }
          const checks = torchChecks(f, parsed);
          outcomes.set(parsed.file, {
            file,
            impl: 'torch',
            status: checks.every(checkPassed) ? 'pass' : 'fail',
            caseName: f.case,
            checks,
          });
        });
  return paths.map(
    (path) =>
      outcomes.get(path) ?? {
        file: basename(path),
        impl: 'torch',
        status: 'error',
        source: 'run',
        message: failure || 'the torch engine gave no result for this file',
      },
  );
}
