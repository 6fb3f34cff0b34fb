/**
 * A training process that dies without closing the store: the database must stay intact and
 * keep every batch that was committed. The writer runs in a child process (npx tsx) that exits
 * abruptly or is killed with SIGKILL in the middle of its writes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore, isProcessAlive, openRunStoreReader } from '../../src-main/runs/store';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const storeIndex = path.join(repoRoot, 'src-main/runs/store/index.ts');

let dir: string;
let dbFile: string;
/** Process groups of the children started here, killed in afterEach if a test left one running. */
const childGroups: number[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-store-crash-'));
  dbFile = path.join(dir, 'runs.sqlite');
});

afterEach(() => {
  for (const pgid of childGroups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The child's preamble: open the store, create a run and mark it running under the child's pid. */
function childScript(body: string): string {
  return `
import fs from 'node:fs';
import { RunStore } from ${JSON.stringify(storeIndex)};
const [dbFile, maxItems] = process.argv.slice(2);
const say = (msg: object) => fs.writeSync(1, JSON.stringify(msg) + '\\n');
const store = RunStore.open(dbFile, { buffer: { maxItems: Number(maxItems), maxDelayMs: 0 } });
const runId = store.createRun({
  name: 'crashing run',
  config: { epochs: 1 },
  columns: { dataset: 'fashion-mnist', model: 'mlp', variant: null, layerwise: null, timeSteps: 4, epochs: 1, batchSize: 8, lr: 0.1, seed: 0 },
}).id;
store.markRunning(runId, { pid: process.pid, backend: 'cpu' });
const point = (step: number) => ({ runId, step, epoch: 0, name: 'train/loss', value: 1 / (step + 1) });
${body}
`;
}

interface ChildResult {
  child: ChildProcess;
  messages: Array<Record<string, number | string>>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function runChild(
  body: string,
  maxItems: number,
  onMessage?: (msg: Record<string, number | string>, child: ChildProcess) => void,
): ChildResult {
  const script = path.join(dir, 'writer.ts');
  fs.writeFileSync(script, childScript(body));
  // npx and tsx each start a process; the writer is the last node process, which reports its pid.
  const child = spawn('npx', ['tsx', script, dbFile, String(maxItems)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid !== undefined) childGroups.push(child.pid);
  const messages: ChildResult['messages'] = [];
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    let nl: number;
    while ((nl = stdout.indexOf('\n')) >= 0) {
      const line = stdout.slice(0, nl);
      stdout = stdout.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      const msg = JSON.parse(line) as Record<string, number | string>;
      messages.push(msg);
      onMessage?.(msg, child);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, messages, exit };
}

function integrityCheck(): string {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('a writer process that dies without closing the store', () => {
  it('process.exit with points still queued: flushed batches are kept, the queued ones lost, the file intact', async () => {
    // 250 points with batches of 100: two batches are committed, 50 points are still queued at exit.
    const { messages, exit } = runChild(
      `
for (let step = 0; step < 250; step++) store.appendMetrics([point(step)]);
say({ runId, pending: store.pendingWrites, pid: process.pid });
process.exit(0);
`,
      100,
    );
    const result = await exit;
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    expect(messages).toHaveLength(1);
    const { runId, pending, pid } = messages[0] as { runId: string; pending: number; pid: number };
    expect(pending).toBe(50);

    expect(integrityCheck()).toBe('ok');
    const reader = openRunStoreReader(dbFile);
    try {
      const [loss] = reader.getMetrics(runId, ['train/loss']);
      expect(loss.totalPoints).toBe(200);
      expect(loss.points.map((p) => p.step)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(reader.getRun(runId)).toMatchObject({ status: 'running', pid });
    } finally {
      reader.close();
    }

    // The next start of the app finds the run left running by a dead process.
    expect(isProcessAlive(pid)).toBe(false);
    const store = RunStore.open(dbFile);
    try {
      expect(store.markStaleRunningAsInterrupted(isProcessAlive)).toEqual([runId]);
      expect(store.getRun(runId)!.status).toBe('interrupted');
    } finally {
      store.close();
    }
  });

  it('SIGKILL in the middle of writing: integrity ok, only whole batches present', async () => {
    const batch = 50;
    let writerPid = 0;
    const { exit } = runChild(
      `
let step = 0;
let announced = false;
const deadline = Date.now() + 60_000;
while (Date.now() < deadline) {
  // Distributions travel in the same transactions as the points.
  store.putDistributions([{ runId, epoch: step, layer: 'fc1', quantity: 'v_th',
    stats: { count: 1, mean: 0.5, std: 0, min: 0.5, max: 0.5, p05: 0.5, p25: 0.5, p50: 0.5, p75: 0.5, p95: 0.5 },
    histogram: { lo: 0, hi: 1, counts: [1] } }]);
  store.appendMetrics(Array.from({ length: ${batch} - 1 }, (_, i) => point(step + i)));
  step += ${batch} - 1;
  if (!announced && step > 20_000) {
    announced = true;
    say({ runId, step, pid: process.pid });
  }
}
`,
      batch,
      (msg) => {
        writerPid = Number(msg.pid);
        // Let it write on for a moment, so that the kill lands in the middle of some transaction.
        setTimeout(() => process.kill(writerPid, 'SIGKILL'), 150);
      },
    );
    const result = await exit;
    expect(result.stderr).not.toMatch(/Error:/);
    expect(writerPid).toBeGreaterThan(0);
    expect(isProcessAlive(writerPid)).toBe(false);

    expect(integrityCheck()).toBe('ok');
    const db = new Database(dbFile, { readonly: true });
    try {
      const { points, distributions } = db
        .prepare(
          'SELECT (SELECT count(*) FROM metrics) AS points, (SELECT count(*) FROM distributions) AS distributions',
        )
        .get() as { points: number; distributions: number };
      expect(points).toBeGreaterThan(20_000);
      // Each committed transaction holds one distribution and 49 points: never a part of one.
      expect(points % (batch - 1)).toBe(0);
      expect(distributions).toBe(points / (batch - 1));
      const gaps = db
        .prepare(
          'SELECT count(*) AS n FROM metrics WHERE step > 0 AND step - 1 NOT IN (SELECT step FROM metrics)',
        )
        .get() as { n: number };
      expect(gaps.n).toBe(0);
    } finally {
      db.close();
    }
  });
});
