import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { glifBin } from './paths';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `glif <args>` to completion. */
export function glif(
  args: readonly string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const r = spawnSync(process.execPath, [glifBin, ...args], {
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 300_000,
    env: { ...process.env, ...opts.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `glif <args>` in the background. */
export function glifSpawn(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [glifBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}
