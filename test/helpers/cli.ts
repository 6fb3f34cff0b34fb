import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { glifBin } from './paths';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `glif <args>` to completion. Its time limit stays under the test's (vitest.config.ts), so a
 * hung glif fails the test with its own output rather than with a bare "Test timed out".
 */
export function glif(
  args: readonly string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const r = spawnSync(process.execPath, [glifBin, ...args], {
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 100_000,
    env: { ...process.env, ...opts.env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `glif <args>` in the background. */
export function glifSpawn(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [glifBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** What a finished `glif` process said: its exit status and stdout and stderr interleaved. */
export interface CliOutcome {
  readonly status: number | null;
  readonly out: string;
}

/**
 * Runs `glif <args>` without blocking the test's event loop (so several can run at once), with
 * stdout and stderr in the order they were written.
 */
export function glifAsync(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [glifBin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += String(b)));
    child.stderr?.on('data', (b: Buffer) => (out += String(b)));
    child.on('close', (status) => resolve({ status, out }));
  });
}
