/** Entry of a step process (step-process.ts): one configuration's training steps, timed on request. */
import { initBackend } from '../../src-main/engine/backend';
import { ReplicaPool } from '../../src-main/engine/parallel/pool';
import { trainStep } from '../../src-main/engine/train/train-step';
import type { FromStepProcess, StepProcessSpec, ToStepProcess } from './step-process';
import { trainBench } from './train-step';

const send = (m: FromStepProcess) => process.send?.(m);

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as StepProcessSpec;
  const report = await initBackend();
  const b = trainBench(spec.preset, spec.batch, [...spec.input], spec.classes);
  const lr = b.config.train.lr;
  const pool =
    spec.threads > 1
      ? await ReplicaPool.start(
          {
            threads: spec.threads,
            config: b.config,
            dataset: b.info,
            backend: report.active,
            neuronImpl: b.impl,
          },
          b.model,
          b.sgd,
        )
      : undefined;
  const step = async (): Promise<void> => {
    if (pool) await pool.step(b.batch, lr);
    else trainStep(b.model, b.sgd, b.batch, lr);
  };
  // Messages one after another, like the steps they ask for.
  let queue = Promise.resolve();
  process.on('message', (m: ToStepProcess) => {
    queue = queue.then(async () => {
      if (m.type === 'quit') {
        await pool?.close();
        b.dispose();
        process.exit(0);
      }
      try {
        const ms: number[] = [];
        for (let i = 0; i < m.steps; i++) {
          const t = performance.now();
          await step();
          ms.push(performance.now() - t);
        }
        send({ type: 'ran', ms });
      } catch (err) {
        send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      }
    });
  });
  send({ type: 'ready', backend: report.active });
}

main().catch((err: unknown) => {
  const failed: FromStepProcess = {
    type: 'failed',
    message: err instanceof Error ? err.message : String(err),
  };
  // Exit only once the message is out: an IPC send is asynchronous.
  if (process.send) process.send(failed, () => process.exit(1));
  else process.exit(1);
});
