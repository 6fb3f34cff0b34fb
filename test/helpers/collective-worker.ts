// A worker thread that joins a replica group and runs the collectives the test asks for.
import { parentPort, workerData } from 'node:worker_threads';
import { ReplicaGroup, type GroupInit } from '../../src-main/engine/parallel/collective';

const { init, rounds, failAtRound } = workerData.payload as {
  init: GroupInit;
  rounds: number;
  failAtRound?: number;
};
const group = new ReplicaGroup(init);
const results: { small: number[]; gradients: number[] }[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    if (failAtRound === round) {
      group.abort();
      throw new Error(`rank ${init.rank} failed on purpose`);
    }
    const small = Float64Array.from({ length: 5 }, (_, i) => (init.rank + 1) * 0.1 + i + round);
    group.allReduceSmall(small);
    let gradients: number[] = [];
    group.allReduceGradients(
      (slot) => slot.forEach((_, i) => (slot[i] = Math.fround((init.rank + 1) / 3 + i * 1e-3 + round))),
      (sum) => (gradients = Array.from(sum)),
    );
    results.push({ small: Array.from(small), gradients });
  }
  parentPort!.postMessage({ ok: true, results });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: (err as Error).message, name: (err as Error).name });
}
