/**
 * One question asked of a fresh worker process (the backend survey, an epoch estimate): the
 * request is sent, the first message `answer` accepts settles it, and a worker that exits first or
 * stays silent past `timeoutMs` is an error naming `what` was asked.
 */
import type { FromWorker, ToWorker } from './protocol';
import type { WorkerLauncher } from './launch';

/** What a message says to the question: its answer, a failure, or nothing (not about it). */
export type Reply<T> = { readonly ok: T } | { readonly error: string } | undefined;

export function askWorker<T>(
  launch: WorkerLauncher,
  request: ToWorker,
  answer: (message: FromWorker) => Reply<T>,
  o: { readonly timeoutMs: number; readonly what: string },
): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = launch();
    const timer = setTimeout(() => {
      worker.kill();
      reject(new Error(`${o.what} gave no answer in ${Math.round(o.timeoutMs / 1000)} s`));
    }, o.timeoutMs);
    worker.onMessage((m) => {
      const reply = answer(m);
      if (reply === undefined) return;
      clearTimeout(timer);
      if ('ok' in reply) resolve(reply.ok);
      else reject(new Error(reply.error));
    });
    worker.onExit((code, signal) => {
      clearTimeout(timer);
      // After an answer this changes nothing (a promise settles once).
      reject(new Error(`${o.what}'s worker exited without an answer (${signal ?? `code ${code}`})`));
    });
    worker.send(request);
  });
}
