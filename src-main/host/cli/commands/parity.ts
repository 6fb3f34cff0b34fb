import { parseCliArgs } from '../args';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../../../engine/backend';
import { FUSED_BACKENDS, parseNeuronImpl, type GlifNeuronImpl } from '../../../engine/glif/impl';
import { formatCheck } from '../../../engine/parity/compare';
import { runParityFile, type FixtureOutcome } from '../../../engine/parity/run-fixture';
import { parseEngineName, type EngineName } from '../../../engine/engines';
import { runTorchParity } from '../../../engine/torch/parity';
import { describeTorch, findTorch } from '../../../engine/torch/python';
import { CliError } from '../errors';
import type { CliCommand } from '../command';

const HELP = `Usage: glif parity [--engine tfjs|torch] [--backend <name>] [--impl both|ops|fused|auto] [--json] <fixture.json>...

Runs each glif-parity/1 fixture (forward pass and the gradient of sum(spikes * R) with respect to
the input and every parameter) and prints one line per file and GLIF neuron implementation with
the largest absolute error of the membrane and of each gradient, and how many spikes differ.
--engine: tfjs (default), the workbench's engine; torch, the PyTorch engine (GLIF_PYTHON, else
python3 with torch), which takes no --backend or --impl.
--impl: the TF.js-ops neuron, the fused neuron, both (default), or auto (the one training uses on
this backend). A file passes only if every implementation run passes. The fused neuron runs on
wasm, cpu and webgpu; on the tensorflow backends 'both' runs ops alone.
Tolerances (fixture README): spikes exact; membrane and gradients |a-b| <= 1e-5 + 1e-5|b|
(blocks: 1e-4 + 1e-4|b|); parameters without a gradient must get none (or zeros).
Exit status: 0 all pass, 1 some file outside tolerance, 2 some file malformed or unsupported.`;

/** `wasm/fused`, or the torch engine's runtime (`pytorch 1.13.0 · cpu`). */
function where(o: FixtureOutcome, backend: string): string {
  return o.impl === 'torch' ? backend : `${backend}/${o.impl}`;
}

function line(o: FixtureOutcome, backend: string): string {
  if (o.status === 'error') {
    // A file that cannot be used is reported once, as before; an engine failure names where it ran.
    return o.source === 'fixture'
      ? `ERROR ${o.file}: ${o.message}`
      : `ERROR ${o.file} [${where(o, backend)}]: ${o.message}`;
  }
  return `${o.status === 'pass' ? 'PASS' : 'FAIL'} ${o.file} [${where(o, backend)}] ${o.checks.map(formatCheck).join(', ')}`;
}

function implsToRun(value: string | undefined): GlifNeuronImpl[] {
  if (value === undefined || value.trim().toLowerCase() === 'both') return ['ops', 'fused'];
  try {
    return [parseNeuronImpl(value, '--impl')];
  } catch (err) {
    throw new CliError(`${(err as Error).message} or both`);
  }
}

/** A file's status over all implementations: error before fail before pass. */
function fileStatus(runs: readonly FixtureOutcome[]): FixtureOutcome['status'] {
  if (runs.some((o) => o.status === 'error')) return 'error';
  return runs.some((o) => o.status === 'fail') ? 'fail' : 'pass';
}

export const parityCommand: CliCommand = {
  summary: 'check the GLIF engine against parity fixtures of the official implementation',
  async run(args) {
    const parsed = parseCliArgs(
      args,
      {
        allowPositionals: true,
        options: {
          engine: { type: 'string' },
          backend: { type: 'string' },
          impl: { type: 'string' },
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      },
      HELP,
    );
    if (parsed.values.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    const files = parsed.positionals;
    if (files.length === 0) throw new CliError(`no fixture files given\n${HELP}`);
    let engine: EngineName;
    try {
      engine = parseEngineName(parsed.values.engine ?? 'tfjs', '--engine');
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (engine === 'torch') {
      if (parsed.values.backend !== undefined || parsed.values.impl !== undefined)
        throw new CliError(
          '--backend and --impl choose within the tfjs engine; --engine torch takes neither',
        );
      return torchParity(files, parsed.values.json === true);
    }
    const impls = implsToRun(parsed.values.impl);
    const report = await initBackend(
      parsed.values.backend ? { only: parsed.values.backend as BackendName } : {},
    );
    // The fused op has loops over plain memory (wasm, cpu) and WGSL kernels (webgpu); on the
    // native TensorFlow backends it would copy every tensor out, so it is not offered there.
    let notRun: string | undefined;
    if (!FUSED_BACKENDS.includes(report.active) && impls.includes('fused')) {
      notRun = `the fused neuron runs on ${FUSED_BACKENDS.join(', ')} only, not on ${report.active}`;
      if (impls.length === 1) throw new CliError(`--impl fused: ${notRun}; use --impl ops`);
      impls.splice(impls.indexOf('fused'), 1);
      if (!parsed.values.json) process.stdout.write(`note: ${notRun}: checking the ops neuron alone\n`);
    }
    const outcomes: FixtureOutcome[] = [];
    const statuses: FixtureOutcome['status'][] = [];
    for (const file of files) {
      const runs: FixtureOutcome[] = [];
      for (const impl of impls) {
        const before = tf.memory().numTensors;
        const outcome = await runParityFile(file, { impl, backend: report.active });
        const leaked = tf.memory().numTensors - before;
        runs.push(outcome);
        if (!parsed.values.json) process.stdout.write(line(outcome, report.active) + '\n');
        if (leaked !== 0 && !parsed.values.json) {
          process.stdout.write(`  note: ${leaked} tensors left after ${file} (${outcome.impl})\n`);
        }
        if (outcome.status === 'error' && outcome.source === 'fixture') break;
      }
      outcomes.push(...runs);
      statuses.push(fileStatus(runs));
    }
    const passed = statuses.filter((s) => s === 'pass').length;
    const failed = statuses.filter((s) => s === 'fail').length;
    const errors = statuses.filter((s) => s === 'error').length;
    const ran = [...new Set(outcomes.map((o) => o.impl))];
    if (parsed.values.json) {
      process.stdout.write(
        JSON.stringify(
          {
            backend: report.active,
            impls: ran,
            ...(notRun ? { notRun } : {}),
            passed,
            failed,
            errors,
            outcomes,
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      process.stdout.write(
        `${passed} passed, ${failed} failed, ${errors} errors (backend ${report.active}; neuron ${ran.join(', ')})\n`,
      );
    }
    return errors > 0 ? 2 : failed > 0 ? 1 : 0;
  },
};

/** The torch engine's run: one Python process for every file, compared here (torch/parity.ts). */
async function torchParity(files: string[], json: boolean): Promise<number> {
  const probe = await findTorch();
  if (!probe.ok) throw new CliError(`the torch engine cannot run: ${probe.reason}; ${probe.fix}`);
  const label = describeTorch(probe.runtime);
  const outcomes = await runTorchParity(probe.runtime, files);
  if (!json) for (const o of outcomes) process.stdout.write(line(o, label) + '\n');
  const count = (s: FixtureOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  const [passed, failed, errors] = [count('pass'), count('fail'), count('error')];
  if (json) {
    const summary = { engine: 'torch', torch: probe.runtime, passed, failed, errors, outcomes };
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  } else {
    process.stdout.write(`${passed} passed, ${failed} failed, ${errors} errors (engine torch: ${label})\n`);
  }
  return errors > 0 ? 2 : failed > 0 ? 1 : 0;
}
