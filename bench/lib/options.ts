import { parseArgs } from 'node:util';
import { parseBackendName, type BackendName } from '../../src-main/engine/backend';
import { NEURON_IMPL_ENV_VAR, parseNeuronImpl } from '../../src-main/engine/glif/impl';

export interface BenchOptions {
  /** Few repetitions and a data subset (the reference's --quick too). */
  readonly quick: boolean;
  /** Force a TF.js backend; default: the best this machine has. */
  readonly backend?: BackendName;
  /** Skip the PyTorch reference. */
  readonly noReference: boolean;
  /** Also print the results as one JSON object at the end. */
  readonly json: boolean;
  /** Timed rounds (ours then the reference in each); unset: the workload's default. */
  readonly rounds?: number;
}

/** Rounds of ours-then-reference: --rounds, else 5 under --quick and 7 otherwise (or the given defaults). */
export function roundsOf(opts: BenchOptions, defaults = { quick: 5, full: 7 }): number {
  return opts.rounds ?? (opts.quick ? defaults.quick : defaults.full);
}

export const USAGE = `Options:
  --quick            fewer repetitions per round and a data subset (a smoke run)
  --rounds <n>       timed rounds, each ours then the reference (default 5 with --quick, else 7;
                     fmnist-accuracy: whole processes, round k with seed k, default 8 with --quick, else 1;
                     bench:all's train-scaling: glif train processes 1, N, N, 1 per round, default 5)
  --backend <name>   force a TensorFlow.js backend (tensorflow-gpu, webgpu, tensorflow, wasm, cpu)
  --impl <name>      GLIF neuron implementation: auto (default), ops, fused (sets ${NEURON_IMPL_ENV_VAR})
  --no-reference     do not run the PyTorch reference
  --json             also print all figures as JSON`;

/** A bad flag: the message and the usage on stderr, exit status 2. */
function usageError(message: string, usage: string): never {
  process.stderr.write(`${message}\n${usage}\n${USAGE}\n`);
  process.exit(2);
}

/** A count flag's value (`--name <n>`): absent stays undefined; anything but a whole number >= min is refused by name. */
export function wholeNumberFlag(name: string, text: string | undefined, min = 1): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new Error(`--${name} takes a whole number >= ${min}, got '${text}'`);
  return n;
}

/** Parses the common flags; --impl goes to the environment so child processes follow it too. */
export function benchOptions(argv: readonly string[], usage: string): BenchOptions {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean' },
        backend: { type: 'string' },
        impl: { type: 'string' },
        'no-reference': { type: 'boolean' },
        json: { type: 'boolean' },
        rounds: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      process.stdout.write(`${usage}\n${USAGE}\n`);
      process.exit(0);
    }
    if (values.impl !== undefined) process.env[NEURON_IMPL_ENV_VAR] = parseNeuronImpl(values.impl, '--impl');
    return {
      quick: values.quick === true,
      backend: values.backend === undefined ? undefined : parseBackendName(values.backend, '--backend'),
      noReference: values['no-reference'] === true,
      json: values.json === true,
      rounds: wholeNumberFlag('rounds', values.rounds),
    };
  } catch (err) {
    return usageError((err as Error).message, usage);
  }
}
