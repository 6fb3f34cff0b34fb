/**
 * The process that records a run (the `glif train` CLI, `glif serve`) is killed with -9 while
 * its training worker is mid-epoch. The worker shares that terminal: it must end quietly, not
 * print an EPIPE stack trace (from reporting the next step to a parent that is gone) over what
 * the user reads. GLIF_KILL_AT kills the parent at an exact step.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { glifBin } from '../helpers/paths';
import { groupAlive } from '../helpers/serve';

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('a training worker whose parent was killed', () => {
  it('ends without a stack trace', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-orphan-'));
    const child = spawn(
      process.execPath,
      [
        glifBin,
        'train',
        '--preset',
        'synthetic-mlp',
        '--set',
        'train.epochs=2',
        '--threads',
        '1',
        '--db',
        path.join(dir, 'runs.sqlite'),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        env: { ...process.env, GLIF_KILL_AT: 'step:3:parent' },
      },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += String(b)));
    child.stderr.on('data', (b: Buffer) => (out += String(b)));
    const exit = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_c, s) => resolve(s)),
    );
    expect(exit, out).toBe('SIGKILL');
    // The worker keeps the pipes open until it has ended; its last words arrive by then.
    await new Promise<void>((resolve) => child.stdout.once('close', () => resolve()));
    const deadline = Date.now() + 20_000;
    while (groupAlive(child.pid!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (groupAlive(child.pid!)) process.kill(-child.pid!, 'SIGKILL');
    expect(groupAlive(child.pid!), 'the orphaned worker ended').toBe(false);
    expect(out).toMatch(/run \w+ \(database /);
    expect(out, 'no stack trace').not.toMatch(/^\s+at /m);
    expect(out).not.toMatch(/EPIPE|ERR_IPC/);
  });
});
