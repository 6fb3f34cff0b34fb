/**
 * `glif runs import <events.jsonl> [--follow]`: a torch run trained on a cluster (rank 0 writing
 * GLIF_EVENTS_FILE, docs/torch-engine.md) recorded in the run database like any run, with its
 * config, metrics, distributions and outcome; with --follow, live, as the file grows.
 */
import { buildConfig } from '../../../engine/config/build';
import { ConfigError } from '../../../engine/config/validate';
import { RunManager } from '../../../runs/manager';
import { followEventsFile, readEventsFileJob } from '../../../runs/worker/torch-events-file';
import type { TorchJobLine } from '../../../runs/worker/torch-wire';
import { toOutputJson } from '../../../contract/json-numbers';
import { CliError } from '../errors';
import { ProgressPrinter } from '../progress';
import { openStore, resolveDb } from '../store-access';
import { summaryOf } from './train';

export const IMPORT_HELP = `Usage: glif runs import <events.jsonl> [--follow] [--name text] [--tag t] [--db path] [--json]

Records a torch engine run trained elsewhere from the file its rank 0 wrote (GLIF_EVENTS_FILE):
config, metrics, firing rates, gate and primitive distributions, checkpoints and outcome.
  --follow   read the file as it grows until the run's outcome (waits for the file to appear);
             Ctrl-C stops following, not the run
Without --follow the file must end with the run's outcome.`;

const POLL_MS = 500;

async function waitForJob(file: string, follow: boolean, log: ProgressPrinter): Promise<TorchJobLine> {
  let told = false;
  let interrupted = false;
  const onSigint = () => (interrupted = true);
  process.on('SIGINT', onSigint);
  try {
    for (;;) {
      const read = readEventsFileJob(file);
      if (!('error' in read)) return read;
      const notYet = /ENOENT|is empty/.test(read.error);
      if (!follow || !notYet) throw new CliError(read.error);
      if (interrupted) throw new CliError(`stopped waiting for ${file}`, 130);
      if (!told) log.println(`waiting for ${file} (Ctrl-C to stop)`);
      told = true;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export async function importRun(
  file: string | undefined,
  o: { follow?: boolean; name?: string; tag?: string[]; db?: string; json?: boolean },
): Promise<number> {
  if (!file) throw new CliError(`an events file is required\n${IMPORT_HELP}`);
  const log = new ProgressPrinter(o.json ? process.stderr : process.stdout);
  resolveDb(o.db);
  const job = await waitForJob(file, o.follow === true, log);
  let config;
  try {
    config = buildConfig({ overlay: job.config });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`${file}: the run's config: ${err.message}`);
    throw err;
  }
  if (config.engine.name !== 'torch')
    throw new CliError(`${file}: the run's config names engine '${config.engine.name}', not torch`);
  const { store, dbPath, dataDir } = openStore(o.db);
  try {
    const manager = new RunManager({
      store,
      dataDir,
      launchTorch: () => followEventsFile(file, { follow: o.follow === true, pollMs: POLL_MS }),
    });
    manager.recoverInterrupted();
    const runId = manager.createRun(config, { name: o.name, tags: o.tag }).id;
    log.println(`importing ${file} as run ${runId} (database ${dbPath})`);
    manager.on((e) => {
      if (e.runId === runId && e.kind === 'train') log.handle(e.event);
    });
    const onSigint = () => {
      log.println(`stopping following ${file} (the run itself goes on)`);
      manager.cancel(runId);
    };
    process.on('SIGINT', onSigint);
    const final = await manager.start(runId).finally(() => process.off('SIGINT', onSigint));
    const summary = summaryOf(final, dbPath);
    if (o.json) process.stdout.write(toOutputJson(summary) + '\n');
    else {
      const acc = summary.final.testAccuracy;
      log.println(
        `run ${runId} imported: ${summary.status}` +
          (acc !== null ? `, test accuracy ${(acc * 100).toFixed(2)}%` : '') +
          (summary.error ? `: ${summary.error}` : ''),
      );
    }
    return final.status === 'completed' ? 0 : final.status === 'cancelled' ? 130 : 1;
  } finally {
    store.close();
  }
}
