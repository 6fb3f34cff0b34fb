import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../backend';
import type { RunConfig } from '../config/types';
import type { Batch, DatasetInfo } from '../data/dataset';
import type { ResolvedNeuronImpl } from '../glif/impl';
import type { Model } from '../models/model';
import type { Sgd } from '../train/optimizer';
import type { BatchEvaluation, BatchEvaluator } from '../train/evaluate';
import { gradientLength, type StepResult } from '../train/train-step';
import { abortGroup, createGroupBuffers } from './collective';
import type { FromReplica, ReplicaState, ToReplica } from './protocol';
import { applyState, captureState } from './replica-state';

export interface ReplicaPoolOptions {
  readonly threads: number;
  readonly config: RunConfig;
  readonly dataset: DatasetInfo;
  readonly backend: BackendName;
  /** The leader model's neuron implementation, which every replica builds its copy with. */
  readonly neuronImpl: ResolvedNeuronImpl;
}

/** Where the replica entry is: the TypeScript source through tsx, or the bundled build beside us. */
function replicaEntry(): { url: URL; workerData?: { entry: string } } {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    return {
      url: new URL('./boot-worker.mjs', self),
      workerData: { entry: new URL('./replica-worker.ts', self).href },
    };
  }
  // The bundler may place this code in a shared chunk one folder below the entries.
  for (const rel of ['./replica-worker.js', '../replica-worker.js']) {
    const url = new URL(rel, self);
    if (fs.existsSync(fileURLToPath(url))) return { url };
  }
  throw new Error(`the replica worker script is missing next to ${self}`);
}

/** Rows [start, end) of each of `parts` shards of n samples, as even as possible. */
export function shardBounds(n: number, parts: number): Array<[number, number]> {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  const bounds: Array<[number, number]> = [];
  let start = 0;
  for (let r = 0; r < parts; r++) {
    const end = start + base + (r < extra ? 1 : 0);
    bounds.push([start, end]);
    start = end;
  }
  return bounds;
}

/** Rows [start, end) of a batch as a batch of its own (copies: they travel to another thread). */
export function sliceBatch(batch: Batch, start: number, end: number): Batch {
  const per = batch.x.length / batch.n;
  return {
    x: batch.x.slice(start * per, end * per),
    y: batch.y.slice(start, end),
    n: end - start,
    shape: [end - start, ...batch.shape.slice(1)],
    indices: batch.indices.slice(start, end),
  };
}

interface Pending {
  readonly resolve: (m: FromReplica) => void;
  readonly reject: (e: Error) => void;
}

/**
 * Data-parallel training over worker threads, one replica per thread, each with its own TF.js
 * backend (the wasm backend runs one thread per instance, so this is how a step uses every core).
 * Each batch is split into contiguous shards; the replicas synchronise batch-norm statistics and
 * all-reduce gradients through shared memory (collective.ts), then all apply the same update.
 * The leader (the trainer's thread) only hands out shards, so it stays free to notice a replica
 * that dies and to abort the others rather than hang.
 *
 * The leader's own model is the source of truth between epochs: `push` sends its state to the
 * replicas (at the start, after a resume), `pull` brings the trained state back (before
 * evaluation and checkpoints).
 */
export class ReplicaPool implements BatchEvaluator {
  private readonly workers: Worker[] = [];
  /**
   * Each replica's requests awaiting replies, oldest first: a replica handles its messages one
   * after another and replies in order, so the trainer may queue the next step behind the current
   * one (step-pipeline.ts).
   */
  private readonly pending: Pending[][] = [];
  private failure: Error | undefined;
  private readonly control: SharedArrayBuffer;
  private closed = false;

  private constructor(
    readonly threads: number,
    control: SharedArrayBuffer,
  ) {
    this.control = control;
  }

  static async start(opts: ReplicaPoolOptions, model: Model, sgd: Sgd): Promise<ReplicaPool> {
    if (opts.threads < 2) throw new Error(`a replica pool needs at least 2 threads, got ${opts.threads}`);
    const buffers = createGroupBuffers(opts.threads, gradientLength(sgd));
    const pool = new ReplicaPool(opts.threads, buffers.control);
    const entry = replicaEntry();
    try {
      for (let rank = 0; rank < opts.threads; rank++) {
        const worker = new Worker(entry.url, { workerData: entry.workerData, stdout: false, stderr: false });
        pool.pending.push([]);
        pool.watch(worker, rank);
        pool.workers.push(worker);
      }
      await pool.all((rank) => ({
        type: 'init',
        config: opts.config,
        dataset: opts.dataset,
        backend: opts.backend,
        neuronImpl: opts.neuronImpl,
        group: { ...buffers, rank },
      }));
      await pool.push(model, sgd);
      return pool;
    } catch (err) {
      await pool.close();
      throw err;
    }
  }

  private watch(worker: Worker, rank: number): void {
    worker.on('message', (m: FromReplica) => {
      const p = this.pending[rank].shift();
      if (m.type === 'failed') {
        // The replica that failed first has the real message; the others were only aborted.
        const err = new Error(m.message);
        if (!m.aborted || !this.failure) this.failure = err;
        p?.reject(err);
        return;
      }
      p?.resolve(m);
    });
    const lost = (why: string) => {
      if (this.closed) return;
      abortGroup(this.control);
      this.failure ??= new Error(`training thread ${rank + 1} of ${this.threads} ${why}`);
      for (const p of this.pending[rank].splice(0)) p.reject(this.failure);
    };
    worker.on('error', (err) => lost(`failed: ${err.message}`));
    worker.on('exit', (code) => lost(`exited with code ${code}`));
  }

  private request(rank: number, m: ToReplica): Promise<FromReplica> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending[rank].push({ resolve, reject });
      this.workers[rank].postMessage(m);
    });
  }

  /** Sends each of the first `count` replicas its message and waits for all; the first real failure wins. */
  private async all(message: (rank: number) => ToReplica, count = this.threads): Promise<FromReplica[]> {
    const ranks = Array.from({ length: count }, (_, rank) => rank);
    const settled = await Promise.allSettled(ranks.map((rank) => this.request(rank, message(rank))));
    const replies: FromReplica[] = [];
    for (const s of settled) {
      if (s.status === 'rejected') throw this.failure ?? (s.reason as Error);
      replies.push(s.value);
    }
    return replies;
  }

  /** One step of the whole batch across the replicas; the loss is the batch mean, as on one thread. */
  async step(batch: Batch, lr: number): Promise<StepResult> {
    if (batch.n < this.threads) {
      const replies = await this.all(() => ({ type: 'step', batch, lr, total: batch.n, whole: true }));
      const first = replies[0];
      if (first.type !== 'stepped') throw new Error(`unexpected reply '${first.type}' to a step`);
      return { loss: first.loss, hits: first.hits };
    }
    const bounds = shardBounds(batch.n, this.threads);
    const replies = await this.all((rank) => ({
      type: 'step',
      batch: sliceBatch(batch, bounds[rank][0], bounds[rank][1]),
      lr,
      total: batch.n,
      whole: false,
    }));
    let loss = 0;
    let hits = 0;
    for (const r of replies) {
      if (r.type !== 'stepped') throw new Error(`unexpected reply '${r.type}' to a step`);
      loss += r.loss;
      hits += r.hits;
    }
    return { loss, hits };
  }

  /**
   * Evaluates a batch in eval mode, a shard per replica (no collective: eval-mode tdBN uses the
   * running statistics), and returns the shards' sums in shard order.
   */
  async evaluate(batch: Batch): Promise<BatchEvaluation[]> {
    const parts = Math.min(this.threads, batch.n);
    const bounds = shardBounds(batch.n, parts);
    const replies = await this.all(
      (rank) => ({ type: 'evaluate', batch: sliceBatch(batch, bounds[rank][0], bounds[rank][1]) }),
      parts,
    );
    return replies.map((r) => {
      if (r.type !== 'evaluated') throw new Error(`unexpected reply '${r.type}' to evaluate`);
      return r.result;
    });
  }

  /** Gives every replica the leader's state. */
  async push(model: Model, sgd: Sgd): Promise<void> {
    const state: ReplicaState = captureState(model, sgd);
    await this.all(() => ({ type: 'state', state }));
  }

  /** Brings the replicas' (identical) trained state into the leader's model. */
  async pull(model: Model, sgd: Sgd): Promise<void> {
    const reply = await this.request(0, { type: 'pull' });
    if (reply.type !== 'state') throw new Error(`unexpected reply '${reply.type}' to pull`);
    applyState(model, sgd, reply.state);
  }

  /** Ends every replica thread; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    abortGroup(this.control);
    // Nothing waits forever on a reply that a terminated replica will never send.
    const closedError = new Error('the training threads were closed');
    for (const queue of this.pending) for (const p of queue.splice(0)) p.reject(closedError);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
