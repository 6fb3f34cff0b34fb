import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { resolveNeuronImpl, type GlifNeuronImpl, type ResolvedNeuronImpl } from '../glif/impl';
import { runBlockCase } from './block-case';
import { checkPassed, type Check } from './compare';
import { FixtureError, parseFixture, type ParityFixture } from './fixture-schema';
import { runNeuronCase } from './neuron-case';

export type FixtureOutcome = (
  | {
      readonly file: string;
      readonly status: 'pass' | 'fail';
      readonly caseName: string;
      readonly checks: Check[];
    }
  | {
      readonly file: string;
      readonly status: 'error';
      readonly message: string;
      /**
       * `fixture`: the file cannot be read or is not a case we implement (the same for every
       * implementation); `run`: the engine failed on it.
       */
      readonly source: 'fixture' | 'run';
    }
) & {
  /** The GLIF neuron implementation the fixture ran through (glif/impl.ts), or the torch engine's. */
  readonly impl: ResolvedNeuronImpl | 'torch';
};

export interface ParityRunOptions {
  /** Neuron implementation; default `auto` (the one training would use on this backend). */
  readonly impl?: GlifNeuronImpl;
  /** The active backend (BackendReport.active), which `auto` resolves against. */
  readonly backend: string;
}

/** A fixture file read and validated, or why it cannot be used (the same for every engine). */
export async function loadFixture(path: string): Promise<{ fixture: ParityFixture } | { message: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { message: code === 'ENOENT' ? 'file not found' : `cannot read: ${String(err)}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { message: `not valid JSON: ${(err as Error).message}` };
  }
  try {
    return { fixture: parseFixture(json) };
  } catch (err) {
    if (err instanceof FixtureError) return { message: err.message };
    throw err;
  }
}

/** Loads, validates and runs one parity fixture; any problem with the file becomes an 'error' outcome. */
export async function runParityFile(path: string, options: ParityRunOptions): Promise<FixtureOutcome> {
  const file = basename(path);
  // The fixtures use the authors' rectangle, which both implementations compute.
  const impl = resolveNeuronImpl(options.impl ?? 'auto', true, options.backend);
  const loaded = await loadFixture(path);
  if ('message' in loaded) return { file, impl, status: 'error', source: 'fixture', message: loaded.message };
  const fixture = loaded.fixture;
  try {
    const checks =
      fixture.official.class === 'BasicBlock_CW'
        ? await runBlockCase(fixture, impl)
        : await runNeuronCase(fixture, impl);
    return {
      file,
      impl,
      status: checks.every(checkPassed) ? 'pass' : 'fail',
      caseName: fixture.case,
      checks,
    };
  } catch (err) {
    if (err instanceof FixtureError)
      return { file, impl, status: 'error', source: 'fixture', message: err.message };
    // Shape mismatches inside TF.js surface as plain Errors: still a problem of this file.
    return {
      file,
      impl,
      status: 'error',
      source: 'run',
      message: `could not run: ${(err as Error).message}`,
    };
  }
}
