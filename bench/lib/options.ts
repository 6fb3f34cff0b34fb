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
}

export const USAGE = `Options:
  --quick            few repetitions and a data subset (a smoke run)
  --backend <name>   force a TensorFlow.js backend (tensorflow-gpu, tensorflow, wasm, cpu)
  --impl <name>      GLIF neuron implementation: auto (default), ops, fused (sets ${NEURON_IMPL_ENV_VAR})
  --no-reference     do not run the PyTorch reference
  --json             also print all figures as JSON`;

/** A bad flag: the message and the usage on stderr, exit status 2. */
function usageError(message: string, usage: string): never {
  process.stderr.write(`${message}\n${usage}\n${USAGE}\n`);
  process.exit(2);
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
    };
  } catch (err) {
    return usageError((err as Error).message, usage);
  }
}
