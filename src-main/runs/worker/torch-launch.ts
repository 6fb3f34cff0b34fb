/**
 * The torch engine as a training worker (runs/worker/launch.ts's WorkerHandle): N Python
 * processes started with torchrun's environment contract (RANK, WORLD_SIZE, LOCAL_RANK,
 * MASTER_ADDR, MASTER_PORT), each reading the job from stdin; rank 0 reports on file descriptor 3
 * (wire.ts reads it) and hears `cancel` on stdin. Debian's torchrun fails under its Python 3.11,
 * so the processes are started here, as torchrun would start them.
 *
 * Any process that ends before rank 0 reports the outcome stops them all, so no rank is left
 * waiting in a collective; each also dies with its parent (PR_SET_PDEATHSIG in train.py), so a
 * killed workbench leaves none behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { RunConfig } from '../../engine/config/types';
import { prepareCifar10DvsFrames } from '../../engine/data/cifar10dvs';
import { DEFAULT_FASHION_MNIST_DIR } from '../../engine/data/idx';
import { prepareImageFolderCaches } from '../../engine/data/image-folder/image-folder';
import type { PrepareProgress } from '../../engine/data/dataset';
import { preparingEvent } from '../../engine/train/events';
import { cacheDirFor, cacheRootFromEnv } from '../../engine/data/cache-location';
import type { FromWorker, ToWorker } from './protocol';
import type { WorkerHandle } from './launch';
import { findTorch, torchEnv, torchProcessesRefusal } from '../../engine/torch/python';
import { describeLayout, readWireLine, type TorchLayout } from './torch-wire';

/** How long the other ranks may take to exit after rank 0 has (they have nothing left to do). */
const RANK_GRACE_MS = 10_000;

/** A free TCP port on the loopback for the ranks' rendezvous (gloo/nccl's store). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The folder of the dataset's files, as the tfjs engine resolves it (data/locate.ts). */
function dataDir(config: RunConfig): string {
  return config.data.path ?? DEFAULT_FASHION_MNIST_DIR;
}

export function launchTorchWorker(env: NodeJS.ProcessEnv = process.env): WorkerHandle {
  const handlers: Array<(m: FromWorker) => void> = [];
  const exitHandlers: Array<(code: number | null, signal: string | null) => void> = [];
  const ranks: ChildProcess[] = [];
  let cancelled = false;
  /** kill() came while the ranks were not started yet (a host stopping): start none. */
  let killed = false;
  let reported = false;
  /**
   * Rank 0's outcome, held until every rank has exited: a rank killed from outside makes rank 0
   * fail in its next collective, and that run was interrupted, not failed.
   */
  let outcome: Extract<FromWorker, { type: 'done' }> | undefined;
  /** The signal that killed a rank from outside (not killAll), if one did. */
  let killedBy: string | null = null;
  /** killAll has been called: signals from here on are ours. */
  let stopping = false;
  let exited = false;
  let stderrTail = '';
  const deliver = (m: FromWorker) => handlers.forEach((h) => h(m));
  const finish = (code: number | null, signal: string | null) => {
    if (exited) return;
    exited = true;
    exitHandlers.forEach((h) => h(code, signal));
  };
  const fail = (error: string) => {
    if (reported) return;
    reported = true;
    deliver({ type: 'done', outcome: { status: 'failed', error, epochsDone: 0, seconds: 0 } });
  };
  const killAll = () => {
    stopping = true;
    ranks.forEach((r) => r.exitCode === null && r.signalCode === null && r.kill('SIGKILL'));
  };

  const start = async (m: Extract<ToWorker, { type: 'start' }>) => {
    const probe = await findTorch(env);
    if (!probe.ok) {
      fail(`the torch engine cannot run: ${probe.reason}; ${probe.fix}`);
      finish(2, null);
      return;
    }
    const processes = m.config.engine.processes;
    // More ranks than GPUs: the extra ranks would die on a device they do not have.
    const refusal = torchProcessesRefusal(probe.runtime, processes);
    if (refusal !== null) {
      fail(`the torch engine cannot run: ${refusal}`);
      finish(2, null);
      return;
    }
    let frames: Record<'train' | 'test', string> | null = null;
    let images: Awaited<ReturnType<typeof prepareImageFolderCaches>> | null = null;
    const preparing = (p: PrepareProgress) => deliver({ type: 'event', event: preparingEvent(p) });
    const cacheDir = cacheDirFor(cacheRootFromEnv(env), m.config.data.path ?? '');
    if (m.config.data.dataset === 'image-folder') {
      // The images are decoded and resized here, once, into the workbench's cache; the ranks crop it.
      try {
        images = await prepareImageFolderCaches({
          path: m.config.data.path ?? '',
          imageSize: m.config.data.imageSize,
          cacheDir,
          onProgress: preparing,
        });
      } catch (err) {
        fail(err instanceof Error ? err.message : String(err));
        finish(1, null);
        return;
      }
    }
    if (m.config.data.dataset === 'cifar10-dvs') {
      // The events become frames here, once, in the workbench's cache; the ranks read the cache.
      try {
        frames = await prepareCifar10DvsFrames({
          path: m.config.data.path ?? '',
          timeSteps: m.config.model.timeSteps,
          cacheDir,
          onProgress: preparing,
        });
      } catch (err) {
        fail(err instanceof Error ? err.message : String(err));
        finish(1, null);
        return;
      }
    }
    const port = await freePort();
    if (killed) {
      finish(null, 'SIGKILL');
      return;
    }
    const job = JSON.stringify({
      runId: m.runId,
      config: m.config,
      checkpointDir: m.checkpointDir,
      dataDir: dataDir(m.config),
      resumeFrom: m.resumeFrom ?? null,
      frames,
      images,
    });
    let layout: TorchLayout | undefined;
    let alive = processes;
    for (let rank = 0; rank < processes; rank++) {
      const child = spawn(probe.runtime.python, ['-m', 'glif_torch.train'], {
        env: {
          ...torchEnv(env),
          RANK: String(rank),
          WORLD_SIZE: String(processes),
          LOCAL_RANK: String(rank),
          LOCAL_WORLD_SIZE: String(processes),
          MASTER_ADDR: '127.0.0.1',
          MASTER_PORT: String(port),
          ...(rank === 0 ? { GLIF_EVENTS_FD: '3' } : {}),
        },
        stdio: rank === 0 ? ['pipe', 'ignore', 'pipe', 'pipe'] : ['pipe', 'ignore', 'pipe'],
      });
      ranks.push(child);
      (child.stdin as Writable).on('error', () => undefined); // a rank that died: its exit says so
      (child.stdin as Writable).write(job + '\n');
      child.stderr?.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString()).slice(-2000)));
      if (rank === 0) {
        let buffered = '';
        (child.stdio[3] as Readable).on('data', (d: Buffer) => {
          buffered += d.toString();
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            if (!line.trim()) continue;
            const read = readWireLine(line, layout);
            if ('error' in read) {
              fail(read.error);
              killAll();
              continue;
            }
            const msg = read.message;
            if (msg.type === 'job') continue; // only an events file carries it
            if (msg.type === 'layout') {
              layout = msg.layout;
              deliver({ type: 'engine', description: describeLayout(msg.layout) });
            } else {
              if (msg.type === 'done') {
                if (reported) continue;
                reported = true;
                outcome = msg;
                continue;
              }
              deliver(msg);
            }
          }
        });
      }
      child.on('error', (err) => {
        fail(`cannot start ${probe.runtime.python}: ${err.message}`);
        killAll();
      });
      child.on('exit', (code, signal) => {
        alive--;
        if (signal && !stopping && killedBy === null) killedBy = signal;
        // One rank gone before the outcome: the others would wait in a collective for ever.
        if (!reported && (code !== 0 || signal)) killAll();
        // Rank 0 has reported and gone: the others end at once, or are ended after a grace.
        if (rank === 0 && alive > 0) setTimeout(killAll, RANK_GRACE_MS).unref();
        if (alive === 0) {
          if (killedBy !== null && outcome?.outcome.status !== 'completed') {
            // Killed from outside: no outcome, so the run manager records the run interrupted.
            finish(null, killedBy);
            return;
          }
          if (outcome) deliver(outcome);
          else if (code !== 0 && !signal) {
            const last = stderrTail.trim().split('\n').pop() ?? '';
            fail(`the torch engine exited with code ${code}${last ? `: ${last}` : ''}`);
          }
          finish(code, signal);
        }
      });
    }
    if (cancelled) ranks[0]?.stdin?.write('{"type":"cancel"}\n');
  };

  return {
    send(m) {
      if (m.type === 'start')
        start(m).catch((err: unknown) => {
          fail(`the torch engine could not start: ${err instanceof Error ? err.message : String(err)}`);
          killAll();
          finish(1, null);
        });
      else if (m.type === 'cancel') {
        cancelled = true;
        const rank0 = ranks[0];
        if (rank0?.stdin?.writable) rank0.stdin.write('{"type":"cancel"}\n');
      }
    },
    onMessage: (h) => handlers.push(h),
    onExit: (h) => exitHandlers.push(h),
    kill: () => {
      killed = true;
      killAll();
      // Nothing started yet: start() sees `killed` after its awaits and reports the exit then.
    },
  };
}
