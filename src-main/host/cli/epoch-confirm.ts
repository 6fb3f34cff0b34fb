/**
 * `glif train`'s word before a run on an image folder starts on the workbench's engine: how long
 * an epoch would take here (engine/train/epoch-estimate.ts), and, where that asks for it, the
 * user's yes: `--yes`, or a "y" typed at a terminal. Without either the run is not created.
 */
import { createInterface } from 'node:readline/promises';
import type { BackendName } from '../../engine/backend';
import type { RunConfig } from '../../engine/config/types';
import { estimateNeeded } from '../../engine/train/epoch-estimate';
import { epochEstimateFor } from '../../runs/worker/estimate';
import type { WorkerLauncher } from '../../runs/worker/launch';
import { CliError } from './errors';

export interface ConfirmOptions {
  readonly launch: WorkerLauncher;
  readonly backend: BackendName | undefined;
  /** `--yes`: start without asking. */
  readonly yes: boolean;
  readonly println: (line: string) => void;
  /** Where a question is asked; absent or not a TTY: no question, `--yes` is the only way on. */
  readonly terminal?: {
    readonly input: NodeJS.ReadableStream & { isTTY?: boolean };
    readonly output: NodeJS.WritableStream;
  };
}

/** Says the estimate, and throws a CliError when the run is not to start. */
export async function confirmEpochEstimate(config: RunConfig, o: ConfirmOptions): Promise<void> {
  if (!estimateNeeded(config)) return;
  o.println(
    `estimating how long an epoch takes here: a few training steps of this network on ${o.backend ?? 'the best backend'}...`,
  );
  let answer;
  try {
    answer = await epochEstimateFor(o.launch, config, o.backend);
  } catch (err) {
    throw new CliError(`${(err as Error).message}; the run was not created`);
  }
  o.println(answer.message ?? '');
  if (!answer.mustConfirm || o.yes) return;
  if (o.terminal?.input.isTTY === true) {
    const rl = createInterface({ input: o.terminal.input, output: o.terminal.output });
    try {
      const reply = await rl.question('Start it anyway? [y/N] ');
      if (/^y(es)?$/i.test(reply.trim())) return;
    } finally {
      rl.close();
    }
    throw new CliError('not started: the run was not created');
  }
  throw new CliError('not started: pass --yes to start it anyway (the run was not created)');
}
