import * as tf from '@tensorflow/tfjs-core';
import type { RunConfig } from '../config/types';
import type { Dataset } from '../data/dataset';
import { openDataset } from '../data/registry';
import type { Model } from '../models/model';
import { Rng } from '../random';
import { parseBackendName } from '../backend';
import type { GlifNeuronImpl } from '../glif/impl';
import { ReplicaPool } from '../parallel/pool';
import { resolveThreads } from '../parallel/threads';
import { ESTIMATE_AFTER_STEPS, longEpochWarning } from './epoch-estimate';
import { buildRunModel, runNeuronImpl } from './build';
import { datasetSpec } from './data-spec';
import { readCheckpoint } from './checkpoint';
import { pruneCheckpoints, restoreCheckpoint, saveCheckpoint } from './run-checkpoints';
import { layerDistributions } from './distributions';
import { evaluate } from './evaluate';
import { faultPoint } from './fault-injection';
import { preparingEvent, type EventSink, type FinalMetrics, type TrainOutcome } from './events';
import { recipeGroups, Sgd } from './optimizer';
import {
  assertFitsWasmMemory,
  estimateTrainingMemory,
  isWasmOutOfMemory,
  measureActivationBytesPerSample,
  wasmOutOfMemoryMessage,
} from './memory';
import { learningRateAt } from './schedule';
import { pipelinedSteps } from './step-pipeline';
import { trainStepAsync } from './train-step';
import { GpuDeviceLostError, gpuLoss, type GpuLoss } from '../webgpu/device-lost';
import { yieldToEventLoop } from '../event-loop';

export interface TrainRequest {
  readonly config: RunConfig;
  /** Folder for this run's checkpoints. */
  readonly checkpointDir: string;
  /** Continue from this checkpoint (a run's last one). */
  readonly resumeFrom?: { readonly path: string; readonly sha256?: string };
  /** Cancels between steps. */
  readonly signal?: AbortSignal;
  readonly sink: EventSink;
  /** Name of the active TF.js backend, for the started event. */
  readonly backend: string;
  /** How many checkpoint files to keep (the newest); the store keeps their records. */
  readonly keepCheckpoints?: number;
  /** Threads to train on (data-parallel replicas); 0 or absent: GLIF_THREADS, else every core. */
  readonly threads?: number;
  /**
   * GLIF neuron implementation asked for (impl.ts); absent: `auto`. Resolved once against
   * `backend`, before the model is built; the started event reports the one that runs.
   */
  readonly neuronImpl?: GlifNeuronImpl;
  /** GLIF_CACHE_DIR as the worker read it: where the slow datasets' caches go (data/cache-location.ts). */
  readonly cacheRoot?: string;
}

/**
 * Trains one run: the paper's recipe (SGD with momentum, parameter groups, cosine schedule),
 * evaluation and a checkpoint after every epoch. Never throws: failures become a 'failed'
 * outcome with the message.
 */
export async function train(req: TrainRequest): Promise<TrainOutcome> {
  const t0 = performance.now();
  let dataset: Dataset | undefined;
  let model: Model | undefined;
  let optimizer: Sgd | undefined;
  let pool: ReplicaPool | undefined;
  let epochsDone = 0;
  let threads = 1;
  try {
    const { config, sink } = req;
    const rng = new Rng(config.train.seed);
    dataset = await openDataset(datasetSpec(config, config.train.seed, req.cacheRoot), {
      onProgress: (p) => sink(preparingEvent(p)),
    });
    const neuronImpl = runNeuronImpl(config, req.neuronImpl ?? 'auto', req.backend);
    model = buildRunModel(config, dataset.info, rng, neuronImpl);
    const params = model.root.parameters();
    optimizer = new Sgd(params, {
      momentum: config.train.momentum,
      groups: recipeGroups(config.train.weightDecay, config.train.gateLrScale),
    });

    let startEpoch = 0;
    let step = 0;
    if (req.resumeFrom) {
      const ckpt = await readCheckpoint(req.resumeFrom.path, req.resumeFrom.sha256);
      restoreCheckpoint(model, optimizer, ckpt, req.resumeFrom.path, config.model.arch);
      rng.setState(ckpt.rng);
      startEpoch = ckpt.epoch + 1;
      step = ckpt.step;
      epochsDone = startEpoch;
    }

    const { epochs, batchSize } = config.train;
    const trainSize = Math.min(dataset.info.trainSize, config.data.trainLimit ?? Infinity);
    const testSize = Math.min(dataset.info.testSize, config.data.testLimit ?? Infinity);
    const stepsPerEpoch = Math.ceil(trainSize / batchSize);
    const totalSteps = stepsPerEpoch * epochs;
    const counts = model.countParameters();
    const choice = resolveThreads({
      requested: req.threads,
      backend: req.backend,
      batchSize,
      fusedBatchNorm: neuronImpl === 'fused',
    });
    if (choice.note)
      sink({
        type: 'log',
        level: 'info',
        message: `training on ${choice.threads} thread(s): ${choice.note}`,
      });
    threads = choice.threads;
    if (req.backend === 'wasm') {
      // Refused before the first step: past its wasm heap a thread dies with an unhelpful trap.
      const estimate = estimateTrainingMemory({
        activationBytesPerSample: await measureActivationBytesPerSample(model),
        parameterCount: counts.total,
        // No batch is larger than the (limited) training split.
        batchSize: Math.min(batchSize, trainSize),
        threads: choice.threads,
      });
      assertFitsWasmMemory(estimate, config, choice.threads);
    }
    if (choice.threads > 1) {
      pool = await ReplicaPool.start(
        {
          threads: choice.threads,
          config,
          dataset: dataset.info,
          backend: parseBackendName(req.backend),
          neuronImpl,
        },
        model,
        optimizer,
      );
    }
    faultPoint('started');
    sink({
      type: 'started',
      backend: req.backend,
      threads: choice.threads,
      neuronImpl,
      startEpoch,
      epochs,
      stepsPerEpoch,
      trainSize,
      testSize,
      parameters: counts,
      layers: model.glifLayers().map((l) => l.path),
    });

    let final: FinalMetrics | undefined;
    let stepSeconds = 0;
    let stepsTimed = 0;
    let evalSeconds = 0;
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const epochStart = performance.now();
      // When the first step (which compiles kernels) ended: the early estimate times the rest.
      let firstStepEnd = epochStart;
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let stepInEpoch = 0;
      let lr = 0;
      const firstStep = step;
      const replicas = pool;
      const local = { model, optimizer };
      const steps = pipelinedSteps(
        dataset.batches('train', {
          batchSize,
          shuffle: true,
          augment: config.data.augment,
          rng,
          limit: config.data.trainLimit ?? undefined,
          // The reference's DVS loader drops the last short batch; the CIFAR one keeps it.
          dropLast: dataset.info.kind === 'frames',
        }),
        {
          // Replicas get the next step queued behind the current one (step-pipeline.ts).
          depth: replicas ? 2 : 1,
          start: (batch, stepLr) =>
            replicas
              ? replicas.step(batch, stepLr)
              : trainStepAsync(local.model, local.optimizer, batch, stepLr),
          lrAt: (i) =>
            config.train.scheduleStep === 'step'
              ? learningRateAt(config.train, firstStep + i, totalSteps)
              : learningRateAt(config.train, epoch, epochs),
          mayStart: () => !req.signal?.aborted,
        },
      );
      for await (const { batch, lr: stepLr, result, seconds } of steps) {
        const { loss, hits } = result;
        lr = stepLr;
        if (!Number.isFinite(loss))
          throw new Error(
            `the loss became ${loss} at step ${step} (epoch ${epoch + 1}); try a lower learning rate`,
          );
        lossSum += loss * batch.n;
        correct += hits;
        seen += batch.n;
        stepSeconds += seconds;
        stepsTimed++;
        const avg = stepSeconds / stepsTimed;
        const remainingSteps = totalSteps - step - 1;
        const remainingEvals = epochs - epoch;
        sink({
          type: 'step',
          epoch,
          step,
          stepInEpoch,
          stepsPerEpoch,
          loss,
          accuracy: hits / batch.n,
          lr,
          samplesPerSecond: batch.n / seconds,
          etaSeconds: remainingSteps * avg + remainingEvals * evalSeconds,
        });
        if (stepInEpoch === 0) firstStepEnd = performance.now();
        if (epoch === startEpoch && stepInEpoch + 1 === ESTIMATE_AFTER_STEPS) {
          const warning = longEpochWarning({
            stepsPerEpoch,
            secondsPerStep: (performance.now() - firstStepEnd) / 1000 / (ESTIMATE_AFTER_STEPS - 1),
            epochsLeft: epochs - epoch,
            backend: req.backend,
            threads,
          });
          if (warning) sink({ type: 'log', level: 'warn', message: warning });
        }
        faultPoint('step');
        step++;
        stepInEpoch++;
        await yieldToEventLoop();
        if (req.signal?.aborted)
          return { status: 'cancelled', epochsDone, seconds: (performance.now() - t0) / 1000 };
      }
      if (req.signal?.aborted)
        return { status: 'cancelled', epochsDone, seconds: (performance.now() - t0) / 1000 };

      // The replicas hold the trained state; the leader's model evaluates and checkpoints it.
      if (pool) await pool.pull(model, optimizer);
      const e0 = performance.now();
      const ev = await evaluate(model, dataset, {
        replicas: pool,
        batchSize: Math.max(batchSize, 128),
        limit: config.data.testLimit ?? undefined,
        rng,
        yieldEvery: () => {
          faultPoint('evaluate');
          return yieldToEventLoop();
        },
      });
      evalSeconds = (performance.now() - e0) / 1000;
      const distributions = (await Promise.all(model.glifLayers().map(layerDistributions))).flat();
      final = {
        testAccuracy: ev.accuracy,
        testLoss: ev.loss,
        trainAccuracy: seen ? correct / seen : NaN,
        trainLoss: seen ? lossSum / seen : NaN,
      };
      const written = await saveCheckpoint(req, model, optimizer, rng, epoch, step);
      epochsDone = epoch + 1;
      sink({ type: 'checkpoint', epoch, step, ...written });
      sink({
        type: 'epoch',
        epoch,
        step,
        lr,
        trainLoss: final.trainLoss,
        trainAccuracy: final.trainAccuracy,
        testLoss: ev.loss,
        testAccuracy: ev.accuracy,
        firingRates: ev.firingRates,
        sopsPerSample: ev.sopsPerSample,
        macsPerSample: ev.macsPerSample,
        distributions,
        seconds: (performance.now() - epochStart) / 1000,
        numTensors: tf.memory().numTensors,
      });
      await pruneCheckpoints(req, epoch);
    }
    return { status: 'completed', final, epochsDone, seconds: (performance.now() - t0) / 1000 };
  } catch (err) {
    // GLIF_DEBUG=1 shows where a failure came from; users see the message.
    if (process.env.GLIF_DEBUG) console.error(err);
    // The estimate may fall short of the real need: a wasm trap still names the settings to
    // lower instead of "memory access out of bounds".
    const loss = req.backend === 'webgpu' ? gpuLoss() : undefined;
    const error = loss
      ? gpuLostMessage(loss, epochsDone)
      : req.backend === 'wasm' && isWasmOutOfMemory(err)
        ? wasmOutOfMemoryMessage(req.config, threads)
        : ((err as Error).message ?? String(err));
    return {
      status: 'failed',
      error,
      epochsDone,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await pool?.close();
    optimizer?.dispose();
    model?.dispose();
    await dataset?.close();
  }
}

/**
 * A lost GPU fails every op after it, mostly with a blank message: say what happened and what
 * the run can go on from (checkpoints are written after each epoch).
 */
function gpuLostMessage(loss: GpuLoss, epochsDone: number): string {
  const what = new GpuDeviceLostError(loss).message;
  return epochsDone > 0
    ? `${what}. Resume the run to continue from its checkpoint after epoch ${epochsDone}.`
    : `${what}. No epoch had finished, so there is no checkpoint: start the run again.`;
}
