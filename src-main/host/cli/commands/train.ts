import { parseCliArgs } from '../args';
import { existsSync, readFileSync } from 'node:fs';
import { BACKEND_ORDER, parseBackendName, type BackendName } from '../../../engine/backend';
import { parseThreads } from '../../../engine/parallel/threads';
import { buildConfig } from '../../../engine/config/build';
import { findPreset, PRESETS } from '../../../engine/config/presets';
import type { ValidRunConfig } from '../../../engine/config/types';
import { ConfigError, formatIssue } from '../../../engine/config/validate';
import { checkDataLocation } from '../../../engine/data/locate';
import { requestedBackendOf, resumeRefusal, RunManager, storedConfigOf } from '../../../runs/manager';
import type { RunRecord } from '../../../runs/store/types';
import { findTorch, torchProcessesRefusal } from '../../../engine/torch/python';
import { CliError } from '../errors';
import type { CliCommand } from '../command';
import { ProgressPrinter } from '../progress';
import { confirmEpochEstimate } from '../epoch-confirm';
import { launchNodeWorker } from '../../../runs/worker/launch';
import { openStore, resolveDb } from '../store-access';
import { fmtBest, fmtPct } from '../table';
import { toOutputJson } from '../../../contract/json-numbers';

const HELP = `Usage: glif train --preset <name> [--set key=value ...] [--config file.json] [--db path] [--json]
       glif train --resume <run-id> [--db path] [--json]

Trains in the foreground and records the run (config, metrics, distributions, checkpoints)
in the run database. Ctrl-C cancels cleanly between steps and marks the run cancelled.

Options:
  --preset <name>     one of: ${PRESETS.map((p) => p.id).join(', ')}
  --set key=value     override a config key (repeatable), e.g. --set train.epochs=3 --set data.trainLimit=2048
  --config <file>     a JSON object of config keys ({"train": {"lr": 0.05}}), applied before --set
  --resume <run-id>   continue an interrupted or cancelled run from its last checkpoint
  --name <text>       a name for the run
  --tag <tag>         tag the run (repeatable)
  --engine <name>     tfjs (default) or torch: PyTorch, in engine.processes processes (--set engine.processes=2);
                      the same as --set engine.name=<name>
  --backend <name>    train on this TensorFlow.js backend (${BACKEND_ORDER.join(', ')}); a new run records
                      it, so --resume asks for it again; with --resume, it overrides the run's for this attempt
  --threads <n>       training threads: data-parallel replicas on wasm/cpu (default: GLIF_THREADS, else 0 = every core)
  --yes, -y           start without asking: a run on an image folder with the tfjs engine is first timed for a
                      few steps here, and one whose epoch would be long (or a preset made for GPUs) starts only
                      after a yes, typed at a terminal or given by this flag
  --db <path>         run database (default: the desktop app's, in your user data folder)
  --json              print a final JSON summary on stdout (progress goes to stderr)`;

export interface TrainSummary {
  runId: string;
  status: string;
  backend: string | null;
  seconds: number;
  epochs: number;
  final: {
    testAccuracy: number | null;
    testLoss: number | null;
    trainAccuracy: number | null;
    trainLoss: number | null;
  };
  /**
   * The best test accuracy over the epochs and the (1-based) epoch that first reached it: what the
   * paper and the authors' code report; `final` is the last epoch's. Null before the first epoch.
   */
  bestTestAccuracy: number | null;
  bestEpoch: number | null;
  /** The last test pass's energy estimate per sample (engine/train/energy.ts). */
  energySopsPerSample: number | null;
  energyMacsPerSample: number | null;
  energyMicrojoulesPerSample: number | null;
  error: string | null;
  db: string;
}

function parse(args: readonly string[]) {
  return parseCliArgs(args, {
    allowPositionals: false,
    options: {
      preset: { type: 'string' },
      set: { type: 'string', multiple: true },
      config: { type: 'string' },
      resume: { type: 'string' },
      name: { type: 'string' },
      tag: { type: 'string', multiple: true },
      engine: { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
      db: { type: 'string' },
      json: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

function loadConfigFile(file: string): unknown {
  if (!existsSync(file)) throw new CliError(`--config: file not found: ${file}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`--config: ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

export function summaryOf(run: RunRecord, dbPath: string): TrainSummary {
  return {
    runId: run.id,
    status: run.status,
    backend: run.backend,
    seconds: (run.durationMs ?? 0) / 1000,
    epochs: (run.config as { train?: { epochs?: number } }).train?.epochs ?? 0,
    final: {
      testAccuracy: run.finals.finalTestAccuracy,
      testLoss: run.finals.finalTestLoss,
      trainAccuracy: run.finals.finalTrainAccuracy,
      trainLoss: run.finals.finalTrainLoss,
    },
    bestTestAccuracy: run.progress.bestTestAccuracy,
    bestEpoch: run.progress.bestEpoch,
    energySopsPerSample: run.finals.energySops,
    energyMacsPerSample: run.finals.energyMacs,
    energyMicrojoulesPerSample: run.finals.energyMicrojoules,
    error: run.error,
    db: dbPath,
  };
}

export const trainCommand: CliCommand = {
  summary: 'train a GLIF network from a preset and record the run',
  async run(args) {
    const o = parse(args);
    if (o.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    const backend: BackendName | undefined = o.backend ? parseBackendOrThrow(o.backend) : undefined;
    const threads = o.threads === undefined ? undefined : parseThreadsOrThrow(o.threads);
    const log = o.json ? process.stderr : process.stdout;
    const progress = new ProgressPrinter(log);
    let config: ValidRunConfig | undefined;
    if (o.resume) {
      if (o.preset || o.set || o.config || o.engine)
        throw new CliError(
          '--resume continues a run with its own config; drop --preset, --set, --config and --engine',
        );
    } else {
      const oneProcess = oneProcessFor(o.preset, o.engine, o.set ?? []);
      if (oneProcess) progress.println(oneProcess.note);
      try {
        config = buildConfig({
          preset: o.preset,
          overlay: o.config ? loadConfigFile(o.config) : undefined,
          // --engine first, so an explicit --set engine.name wins as the last word.
          overrides: [
            ...(o.engine !== undefined ? [`engine.name=${o.engine}`] : []),
            ...(oneProcess ? ['engine.processes=1'] : []),
            ...(o.set ?? []),
          ],
        });
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(err.message);
        throw err;
      }
      // Before anything is written: the dataset is where data.path says, in a readable form.
      const location = checkDataLocation(config);
      if (location !== null) throw new CliError(formatIssue(location));
      // No Python or no torch is the user's to fix: one line, exit 2, before a run is recorded.
      if (config.engine.name === 'torch') {
        const probe = await findTorch();
        if (!probe.ok) throw new CliError(`the torch engine cannot run: ${probe.reason}; ${probe.fix}`);
        const refusal = torchProcessesRefusal(probe.runtime, config.engine.processes);
        if (refusal !== null) throw new CliError(`the torch engine cannot run: ${refusal}`);
      }
      // An image folder on this engine can mean days per epoch: said before the run exists.
      await confirmEpochEstimate(config, {
        launch: launchNodeWorker,
        backend,
        yes: o.yes === true,
        println: (line) => progress.println(line),
        terminal: { input: process.stdin, output: log },
      });
    }
    resolveDb(o.db);
    const { store, dbPath, dataDir } = openStore(o.db);
    const manager = new RunManager({ store, dataDir, backend, threads });
    try {
      const recovered = manager.recoverInterrupted();
      if (recovered.length > 0)
        progress.println(
          `marked ${recovered.length} run(s) left running by a dead process as interrupted: ${recovered.join(', ')}`,
        );
      let runId: string;
      if (o.resume) {
        const run = store.getRun(o.resume);
        if (!run) throw new CliError(`--resume: no run '${o.resume}' in ${dbPath}`);
        const refusal = resumeRefusal(run);
        if (refusal !== null) throw new CliError(`--resume: ${refusal}`);
        try {
          storedConfigOf(run);
          if (backend === undefined) requestedBackendOf(run);
        } catch (err) {
          throw new CliError(`--resume: ${(err as Error).message}`);
        }
        runId = run.id;
      } else {
        // Recorded with the run (not only passed to this process's manager): `--resume` and the
        // app's Resume then ask for the same backend.
        runId = manager.createRun(config!, { name: o.name, tags: o.tag, requestedBackend: backend }).id;
      }
      progress.println(`${o.resume ? 'resuming' : 'run'} ${runId} (database ${dbPath})`);
      manager.on((e) => {
        if (e.runId !== runId) return;
        if (e.kind === 'train') progress.handle(e.event);
        if (e.kind === 'backend' && e.report.fixHints.length > 0 && !o.json) {
          progress.println(`backend ${e.report.active} (a faster one needs: ${e.report.fixHints[0]})`);
        }
      });
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts === 1) {
          progress.println('cancelling after the current step (Ctrl-C again to stop at once)...');
          manager.cancel(runId);
        } else {
          manager.killActive();
        }
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      const final = await (o.resume ? manager.resume(runId, { backend }) : manager.start(runId));
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      const summary = summaryOf(final, dbPath);
      if (o.json) process.stdout.write(toOutputJson(summary) + '\n');
      else {
        const acc = summary.final.testAccuracy;
        const best = summary.bestTestAccuracy;
        progress.println(
          `run ${runId} ${summary.status} in ${summary.seconds.toFixed(1)} s` +
            (acc !== null ? `: test accuracy ${fmtPct(acc)}` : '') +
            (best !== null ? `${acc !== null ? ',' : ':'} best ${fmtBest(best, summary.bestEpoch)}` : '') +
            (summary.error ? `: ${summary.error}` : ''),
        );
      }
      return final.status === 'completed' ? 0 : final.status === 'cancelled' ? 130 : 1;
    } finally {
      store.close();
    }
  },
};

/**
 * `--engine tfjs` on a preset made for several torch processes (the ImageNet rows): the tfjs engine
 * trains in one, so engine.processes becomes 1 unless the user set it, and the note says what
 * that does to the batch.
 */
function oneProcessFor(
  presetId: string | undefined,
  engine: string | undefined,
  sets: readonly string[],
): { note: string } | null {
  if (engine !== 'tfjs' || sets.some((kv) => kv.startsWith('engine.processes='))) return null;
  const preset = presetId ? findPreset(presetId) : undefined;
  const processes = preset?.config.engine.processes ?? 1;
  if (processes <= 1) return null;
  const batch = preset!.config.train.batchSize;
  return {
    note:
      `the tfjs engine trains in one process: engine.processes=1 (the preset's ${processes} processes ` +
      `of ${batch} made batches of ${processes * batch}; a batch here is train.batchSize, the preset's ${batch})`,
  };
}

function parseThreadsOrThrow(value: string): number {
  try {
    return parseThreads(value, '--threads');
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

function parseBackendOrThrow(value: string): BackendName {
  try {
    return parseBackendName(value, '--backend');
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}
