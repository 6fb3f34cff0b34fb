import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { glifBin } from './paths';

export interface ServeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A real `glif serve` child process on a free port, with its own database and UI folder. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly token: string;
  readonly origin: string;
  readonly dir: string;
  readonly dbPath: string;
  /** Settles when the process has ended, however it ended. */
  readonly exited: Promise<ServeExit>;
  /** What the process (and its training workers, which share its stdio) printed so far. */
  stdout(): string;
  stderr(): string;
  /** True until the process has ended. */
  running(): boolean;
  /** Sends a signal to the process group, as a terminal's Ctrl-C reaches the host and its workers. */
  signalGroup(signal: NodeJS.Signals): void;
  /** Kills whatever is left of the group and removes the temporary folder. */
  dispose(): Promise<void>;
}

/**
 * Starts `glif serve` with a minimal UI folder (--ui-dir, so nothing is built). The process
 * leads its own process group, so a test can signal host and workers together like a terminal.
 * `db` opens an existing database (another host's, stopped) instead of a fresh one; its folder
 * is the data folder, and it is left for its owner to remove.
 */
export async function startServe(
  opts: { threads?: number; env?: NodeJS.ProcessEnv; db?: string } = {},
): Promise<ServeProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-serve-'));
  const uiDir = path.join(dir, 'ui');
  fs.mkdirSync(uiDir);
  fs.writeFileSync(
    path.join(uiDir, 'index.html'),
    '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'" /><p>ui</p>',
  );
  const dbPath = opts.db ?? path.join(dir, 'runs.sqlite');
  const args = [
    'serve',
    '--port',
    '0',
    '--db',
    dbPath,
    '--ui-dir',
    uiDir,
    '--threads',
    String(opts.threads ?? 1),
  ];
  const child = spawn(process.execPath, [glifBin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...opts.env },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += String(b)));
  child.stderr!.on('data', (b: Buffer) => (err += String(b)));
  let ended = false;
  const exited = new Promise<ServeExit>((resolve) =>
    child.once('exit', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    }),
  );
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // The group is already gone.
    }
  };
  const dispose = async () => {
    signalGroup('SIGKILL');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`glif serve did not start:\n${out}\n${err}`)), 60_000);
    const onData = () => {
      const m = /serving at (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve(new URL(m[1]));
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`glif serve exited (${signal ?? code}) before serving:\n${out}\n${err}`));
    });
  }).catch(async (e: unknown) => {
    await dispose();
    throw e;
  });

  return {
    child,
    pid: child.pid!,
    port: Number(url.port),
    token: url.searchParams.get('token')!,
    origin: url.origin,
    dir,
    dbPath,
    exited,
    stdout: () => out,
    stderr: () => err,
    running: () => !ended,
    signalGroup,
    dispose,
  };
}

/** The ids of the live direct children of a process (Linux /proc), e.g. a host's training workers. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    // Fields after the parenthesised command name: state, ppid, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === pid) out.push(Number(entry));
  }
  return out;
}

/** Whether any process of a process group (say, a killed host's orphaned worker) is still there. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether a process id still names a live (not zombie) process. */
export function processAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** How many file descriptors a process holds open (Linux /proc): each socket holds one. */
export function openFds(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}
