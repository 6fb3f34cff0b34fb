/**
 * The process recording a run is killed (SIGKILL) mid-run; the next process recovers the run as
 * interrupted and resumes it. The run's duration must include the time of the killed attempt.
 * The recording process is a real child (tsx) running a RunManager over a slowed fake worker.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunManager } from '../../src-main/runs/manager';
import { RunStore } from '../../src-main/runs/store';
import { fakeWorkerLauncher } from '../helpers/fake-worker';
import { repoRoot } from '../helpers/paths';

const EPOCHS = 3;
const STEPS_PER_EPOCH = 4;
/** Each fake worker message waits this long, so that the killed attempt takes measurable time. */
const MESSAGE_DELAY_MS = 40;

let dir: string;
let dbFile: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-duration-crash-'));
  dbFile = path.join(dir, 'runs.sqlite');
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const src = (file: string) => JSON.stringify(path.join(repoRoot, file));

/** Runs in a child until the summary of epoch 1 is recorded, then kills it; returns the run id. */
async function recordUntilKilled(): Promise<string> {
  const script = path.join(dir, 'recorder.ts');
  fs.writeFileSync(
    script,
    `
import fs from 'node:fs';
import { buildConfig } from ${src('src-main/engine/config/build.ts')};
import { RunManager } from ${src('src-main/runs/manager.ts')};
import { RunStore } from ${src('src-main/runs/store/index.ts')};
import { fakeWorkerLauncher } from ${src('test/helpers/fake-worker.ts')};
const [dbFile, dataDir] = process.argv.slice(2);
const store = RunStore.open(dbFile);
const launch = fakeWorkerLauncher({
  epochs: ${EPOCHS},
  stepsPerEpoch: ${STEPS_PER_EPOCH},
  beforeMessage: () => new Promise((resolve) => setTimeout(resolve, ${MESSAGE_DELAY_MS})),
  afterMessage: (m) => {
    if (m.type === 'event' && m.event.type === 'epoch' && m.event.epoch === 1) {
      store.flush();
      process.kill(process.pid, 'SIGKILL');
    }
  },
});
const manager = new RunManager({ store, dataDir, launch });
const run = manager.createRun(buildConfig({ preset: 'synthetic-mlp', overrides: ['train.epochs=${EPOCHS}'] }));
fs.writeSync(1, run.id + '\\n');
void manager.start(run.id);
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script, dbFile, dir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, s) => resolve(s)),
  );
  expect(signal, stderr).toBe('SIGKILL');
  return stdout.trim();
}

describe('the duration of a run whose process was killed', () => {
  it('includes the killed attempt after recovery and after resume', async () => {
    const runId = await recordUntilKilled();
    // Epochs 0 and 1 were recorded: at least their steps, checkpoints and summaries were sent.
    const killedAttemptMinMs = 2 * (STEPS_PER_EPOCH + 2) * MESSAGE_DELAY_MS;

    const store = RunStore.open(dbFile);
    try {
      const manager = new RunManager({
        store,
        dataDir: dir,
        launch: fakeWorkerLauncher({ epochs: EPOCHS, stepsPerEpoch: STEPS_PER_EPOCH }),
      });
      expect(manager.recoverInterrupted()).toEqual([runId]);
      const interrupted = store.getRun(runId)!;
      expect(interrupted.status).toBe('interrupted');
      expect(interrupted.durationMs).toBeGreaterThanOrEqual(killedAttemptMinMs);
      // Up to its last record, not up to the recovery: well under the time since the first start.
      expect(interrupted.durationMs).toBeLessThanOrEqual(interrupted.finishedAt! - interrupted.startedAt!);

      const before = Date.now();
      const record = await manager.resume(runId);
      const resumedMs = Date.now() - before;
      expect(record.status, record.error ?? '').toBe('completed');
      expect(record.durationMs).toBeGreaterThanOrEqual(interrupted.durationMs!);
      expect(record.durationMs).toBeLessThanOrEqual(interrupted.durationMs! + resumedMs);
    } finally {
      store.close();
    }
  });
});
