/**
 * Runs trained by the real CLI into a test host's database, for browser specs that need finished
 * runs to look at (a few seconds each on the synthetic preset).
 */
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliRun {
  readonly name: string;
  /** The preset to start from; the synthetic one (seconds on any machine) unless given. */
  readonly preset?: string;
  /** `--set key=value` overrides, after the one-epoch, 64-sample defaults. */
  readonly sets?: readonly string[];
  readonly tags?: readonly string[];
}

function args(dbPath: string, run: CliRun): string[] {
  return [
    path.join(repoRoot, 'bin/glif.mjs'),
    'train',
    '--preset',
    run.preset ?? 'synthetic-mlp',
    ...['train.epochs=1', 'data.trainLimit=64', ...(run.sets ?? [])].flatMap((set) => ['--set', set]),
    '--name',
    run.name,
    ...(run.tags ?? []).flatMap((tag) => ['--tag', tag]),
    '--threads',
    '1',
    '--db',
    dbPath,
    '--json',
  ];
}

const runIdOf = (stdout: string) => (JSON.parse(stdout) as { runId: string }).runId;

/** Trains one run and resolves to its id. */
export function trainCliRun(dbPath: string, run: CliRun): string {
  const out = execFileSync(process.execPath, args(dbPath, run), {
    encoding: 'utf8',
    timeout: 120_000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return runIdOf(out);
}

/** The same without blocking, so two runs can train at once (one per core). */
export async function trainCliRunAsync(dbPath: string, run: CliRun): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, args(dbPath, run), { timeout: 120_000 });
  return runIdOf(stdout);
}
