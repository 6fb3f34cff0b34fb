// A worker thread that joins a replica group and runs the collectives the test asks for.
// Each round: three small all-reduces in a row, then two gradient reduce-scatters and updates in
// a row, with ranks delayed by different amounts before each and a slow reader after each, so
// that a fast rank runs ahead into the next collective while the others still read the last one.
import { parentPort, workerData } from 'node:worker_threads';
import { ReplicaGroup, type GroupInit } from '../../src-main/engine/parallel/collective';

const { init, rounds, failAtRound } = workerData.payload as {
  init: GroupInit;
  rounds: number;
  failAtRound?: number;
};
const group = new ReplicaGroup(init);

/** Busy-waits `ms` milliseconds (a replica's kernel taking longer than the others'). */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

const SMALL_PER_ROUND = 3;
const GRADIENTS_PER_ROUND = 2;

const results: { small: number[][]; gradients: number[][] }[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    if (failAtRound === round) {
      group.abort();
      throw new Error(`rank ${init.rank} failed on purpose`);
    }
    const small: number[][] = [];
    for (let k = 0; k < SMALL_PER_ROUND; k++) {
      spin(((init.rank * 7 + round * 3 + k) % 4) * 0.5);
      const values = Float64Array.from({ length: 5 }, (_, i) => (init.rank + 1) * 0.1 + i + round + 10 * k);
      group.allReduceSmall(values);
      small.push(Array.from(values));
    }
    const gradients: number[][] = [];
    for (let j = 0; j < GRADIENTS_PER_ROUND; j++) {
      spin(((init.rank * 5 + round + j) % 3) * 0.5);
      group.reduceScatterUpdate(
        (slot) =>
          slot.forEach((_, i) => (slot[i] = Math.fround((init.rank + 1) / 3 + i * 1e-3 + round + 100 * j))),
        // The update of this rank's stretch: here just the rank-ordered sum of the slots.
        (start, end) => {
          const L = group.gradientLength;
          for (let i = start; i < end; i++) {
            let sum = group.slots[i];
            for (let r = 1; r < init.size; r++) sum = Math.fround(sum + group.slots[r * L + i]);
            group.params[i] = sum;
          }
        },
      );
      if ((round + j) % init.size === init.rank) spin(2);
      gradients.push(Array.from(group.params));
    }
    results.push({ small, gradients });
  }
  parentPort!.postMessage({ ok: true, results });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: (err as Error).message, name: (err as Error).name });
}
