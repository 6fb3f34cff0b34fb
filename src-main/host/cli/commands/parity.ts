import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../../../engine/backend';
import { formatCheck } from '../../../engine/parity/compare';
import { runParityFile, type FixtureOutcome } from '../../../engine/parity/run-fixture';
import { CliError } from '../errors';
import type { CliCommand } from '../main';

const HELP = `Usage: glif parity [--backend <name>] [--json] <fixture.json>...

Runs each glif-parity/1 fixture (forward pass and the gradient of sum(spikes * R) with respect to
the input and every parameter) and prints one line per file with the largest absolute error of the
membrane and of each gradient, and how many spikes differ.
Tolerances (fixture README): spikes exact; membrane and gradients |a-b| <= 1e-5 + 1e-5|b|
(blocks: 1e-4 + 1e-4|b|); parameters without a gradient must get none (or zeros).
Exit status: 0 all pass, 1 some file outside tolerance, 2 some file malformed or unsupported.`;

function line(o: FixtureOutcome, backend: string): string {
  if (o.status === 'error') return `ERROR ${o.file}: ${o.message}`;
  return `${o.status === 'pass' ? 'PASS' : 'FAIL'} ${o.file} [${backend}] ${o.checks.map(formatCheck).join(', ')}`;
}

export const parityCommand: CliCommand = {
  summary: 'check the GLIF engine against parity fixtures of the official implementation',
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...args],
        allowPositionals: true,
        options: { backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      });
    } catch (err) {
      throw new CliError(`${(err as Error).message}\n${HELP}`);
    }
    if (parsed.values.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    const files = parsed.positionals;
    if (files.length === 0) throw new CliError(`no fixture files given\n${HELP}`);
    const report = await initBackend(parsed.values.backend ? { only: parsed.values.backend as BackendName } : {});
    const outcomes: FixtureOutcome[] = [];
    for (const file of files) {
      const before = tf.memory().numTensors;
      const outcome = await runParityFile(file);
      const leaked = tf.memory().numTensors - before;
      outcomes.push(outcome);
      if (!parsed.values.json) process.stdout.write(line(outcome, report.active) + '\n');
      if (leaked !== 0 && !parsed.values.json) process.stdout.write(`  note: ${leaked} tensors left after ${file}\n`);
    }
    const passed = outcomes.filter((o) => o.status === 'pass').length;
    const failed = outcomes.filter((o) => o.status === 'fail').length;
    const errors = outcomes.filter((o) => o.status === 'error').length;
    if (parsed.values.json) {
      process.stdout.write(JSON.stringify({ backend: report.active, passed, failed, errors, outcomes }, null, 2) + '\n');
    } else {
      process.stdout.write(`${passed} passed, ${failed} failed, ${errors} errors (backend ${report.active})\n`);
    }
    return errors > 0 ? 2 : failed > 0 ? 1 : 0;
  },
};
