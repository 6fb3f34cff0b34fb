/**
 * A torch run trained elsewhere (a cluster's torchrun or srun, rank 0 appending its reports to
 * GLIF_EVENTS_FILE), brought into the workbench as a training worker (launch.ts's WorkerHandle)
 * that reads that file instead of starting a process: the run manager records its lines exactly
 * as it records a local torch run's (`glif runs import`).
 *
 * The file starts with the run's config (a `job` line; readEventsFileJob reads it). A resumed
 * part appends another `job` line, marked `resumed`, and its events continue the same run. Read
 * once, the file must end with the run's outcome; followed, it is read as it grows (polled: a
 * cluster's shared file system need not deliver change notifications) until the outcome comes.
 */
import fs from 'node:fs';
import type { FromWorker } from './protocol';
import type { WorkerHandle } from './launch';
import { describeLayout, readWireLine, type TorchJobLine, type TorchLayout } from './torch-wire';

export interface EventsFileOptions {
  /** Wait for more lines (and for the file to appear) until the run's outcome arrives. */
  readonly follow: boolean;
  /** How often a followed file is read again, ms. */
  readonly pollMs?: number;
}

/** Bytes read at a time: a step line is ~300 bytes, an epoch line a few hundred kB at most. */
const CHUNK = 1 << 20;

/** The `job` line an events file starts with, or why the file is not one (for the CLI to say). */
export function readEventsFileJob(file: string): TorchJobLine | { error: string } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    return { error: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  try {
    let text = '';
    const buffer = Buffer.alloc(CHUNK);
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, CHUNK, null);
      text += buffer.subarray(0, n).toString('utf8');
      const nl = text.indexOf('\n');
      if (nl >= 0 || n === 0) {
        const line = (nl >= 0 ? text.slice(0, nl) : text).trim();
        if (line === '') return { error: `${file} is empty: the run has not reported yet` };
        const read = readWireLine(line, undefined);
        if ('message' in read && read.message.type === 'job') return read.message;
        return {
          error:
            `${file} is not a torch engine events file: its first line is not the run's config ` +
            '(rank 0 writes one when started with GLIF_EVENTS_FILE)',
        };
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

export function followEventsFile(file: string, options: EventsFileOptions): WorkerHandle {
  const handlers: Array<(m: FromWorker) => void> = [];
  const exitHandlers: Array<(code: number | null, signal: string | null) => void> = [];
  const pollMs = options.pollMs ?? 500;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const deliver = (m: FromWorker) => handlers.forEach((h) => h(m));
  const end = (outcome: Extract<FromWorker, { type: 'done' }>['outcome'] | null, code: number) => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    if (outcome) deliver({ type: 'done', outcome });
    exitHandlers.forEach((h) => h(code, null));
  };
  const failed = (error: string) => end({ status: 'failed', error, epochsDone: 0, seconds: 0 }, 1);

  let offset = 0;
  let lineNo = 0;
  let partial = '';
  let layout: TorchLayout | undefined;
  let jobs = 0;
  let epochsDone = 0;
  let waitedForFile = false;
  /** Training time of the file's finished parts, and of the current part's epochs so far, s. */
  let trainedSeconds = 0;
  let partSeconds = 0;

  /** Handles one complete line; false once the run has ended (its outcome, or a bad line). */
  const handleLine = (line: string): boolean => {
    lineNo++;
    if (!line.trim()) return true;
    const read = readWireLine(line, layout);
    if ('error' in read) {
      failed(`${file}, line ${lineNo}: ${read.error}`);
      return false;
    }
    const msg = read.message;
    switch (msg.type) {
      case 'job':
        jobs++;
        // The part before ended without an outcome (its processes were stopped): its epochs count.
        trainedSeconds += partSeconds;
        partSeconds = 0;
        if (jobs > 1 && !msg.resumed) {
          failed(`${file}, line ${lineNo}: a second run starts here; give each run its own events file`);
          return false;
        }
        return true;
      case 'layout':
        layout = msg.layout;
        deliver({ type: 'engine', description: describeLayout(msg.layout) });
        return true;
      case 'done':
        trainedSeconds += msg.outcome.seconds;
        partSeconds = 0;
        end(msg.outcome, msg.outcome.status === 'failed' ? 1 : 0);
        return false;
      default:
        if (lineNo === 1) {
          failed(`${file} does not start with the run's config: not a torch engine events file`);
          return false;
        }
        if (msg.type === 'event' && msg.event.type === 'epoch') {
          epochsDone = msg.event.epoch + 1;
          partSeconds += msg.event.seconds;
        }
        deliver(msg);
        return true;
    }
  };

  const readMore = () => {
    timer = undefined;
    if (stopped) return;
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && options.follow) {
        if (!waitedForFile)
          deliver({ type: 'event', event: { type: 'log', level: 'info', message: `waiting for ${file}` } });
        waitedForFile = true;
        timer = setTimeout(readMore, pollMs);
        return;
      }
      failed(`cannot read ${file}: ${code ?? (err as Error).message}`);
      return;
    }
    try {
      const buffer = Buffer.alloc(CHUNK);
      for (;;) {
        const n = fs.readSync(fd, buffer, 0, CHUNK, offset);
        if (n === 0) break;
        offset += n;
        partial += buffer.subarray(0, n).toString('utf8');
        let nl: number;
        while ((nl = partial.indexOf('\n')) >= 0) {
          const line = partial.slice(0, nl);
          partial = partial.slice(nl + 1);
          if (!handleLine(line)) return;
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    if (options.follow) {
      timer = setTimeout(readMore, pollMs);
      return;
    }
    // Read once: a last line without its newline may be one rank 0 is still writing.
    failed(
      `${file} ends before the run's outcome (after ${epochsDone} epoch${epochsDone === 1 ? '' : 's'}): ` +
        'the run may still be going (import it with --follow) or its processes were stopped',
    );
  };

  return {
    send(m) {
      if (m.type === 'start') setImmediate(readMore);
      else if (m.type === 'cancel')
        end(
          {
            status: 'cancelled',
            error: `stopped following ${file} before the run's outcome; the run itself is not stopped`,
            epochsDone,
            seconds: 0,
          },
          0,
        );
    },
    onMessage: (h) => handlers.push(h),
    onExit: (h) => exitHandlers.push(h),
    trainedMs: () => (trainedSeconds + partSeconds) * 1000,
    kill: () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      exitHandlers.forEach((h) => h(null, 'SIGKILL'));
    },
  };
}
