/**
 * Entry of one replica thread of a data-parallel run: its own TF.js backend and its own copy of
 * the model, trained on its shard of every batch (pool.ts starts it; protocol.ts has the messages).
 */
import { parentPort } from 'node:worker_threads';
import { initBackend } from '../backend';
import type { Model } from '../models/model';
import { Rng } from '../random';
import { buildRunModel } from '../train/build';
import { recipeGroups, Sgd } from '../train/optimizer';
import { evaluateBatch } from '../train/evaluate';
import { trainStep } from '../train/train-step';
import { GroupAbortedError, ReplicaGroup, setActiveGroup, withoutGroup } from './collective';
import type { FromReplica, ToReplica } from './protocol';
import { applyState, captureState } from './replica-state';
import { ShardedSgd } from './sharded-sgd';

const port = parentPort;
if (!port) throw new Error('replica-worker must run in a worker thread');

let model: Model | undefined;
let sgd: Sgd | undefined;
let group: ReplicaGroup | undefined;
let optimizer: ShardedSgd | undefined;

const send = (m: FromReplica, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

function ready(): { model: Model; sgd: Sgd; optimizer: ShardedSgd } {
  if (!model || !sgd || !optimizer) throw new Error('replica used before init');
  return { model, sgd, optimizer };
}

async function handle(m: ToReplica): Promise<void> {
  switch (m.type) {
    case 'init': {
      await initBackend({ only: m.backend });
      group = new ReplicaGroup(m.group);
      setActiveGroup(group);
      // Any initial values do: the leader sends its state before the first step.
      model = buildRunModel(m.config, m.dataset, new Rng(m.config.train.seed), m.neuronImpl);
      sgd = new Sgd(model.root.parameters(), {
        momentum: m.config.train.momentum,
        groups: recipeGroups(m.config.train.weightDecay, m.config.train.gateLrScale),
      });
      optimizer = new ShardedSgd(group, sgd);
      send({ type: 'ready' });
      return;
    }
    case 'state': {
      const r = ready();
      applyState(r.model, r.sgd, m.state);
      r.optimizer.load();
      send({ type: 'ready' });
      return;
    }
    case 'step': {
      const r = ready();
      let result;
      if (m.whole) {
        // Alone, with the replica's own Sgd: it takes the momentum back for this one step.
        r.optimizer.store();
        result = withoutGroup(() => trainStep(r.model, r.sgd, m.batch, m.lr));
        r.optimizer.load();
      } else {
        result = trainStep(r.model, r.sgd, m.batch, m.lr, { optimizer: r.optimizer, total: m.total });
      }
      send({ type: 'stepped', loss: result.loss, hits: result.hits });
      return;
    }
    case 'evaluate': {
      const r = ready();
      send({ type: 'evaluated', result: evaluateBatch(r.model, m.batch) });
      return;
    }
    case 'pull': {
      const r = ready();
      r.optimizer.store();
      const state = captureState(r.model, r.sgd);
      r.optimizer.release();
      const transfer = [...state.params, ...state.buffers, ...state.momentum].map(
        ([, v]) => v.buffer as ArrayBuffer,
      );
      send({ type: 'state', state }, transfer);
      return;
    }
  }
}

// Messages are handled strictly one after another, like the steps they carry.
let queue = Promise.resolve();
port.on('message', (m: ToReplica) => {
  queue = queue.then(() =>
    handle(m).catch((err: unknown) => {
      const aborted = err instanceof GroupAbortedError;
      // Wake the other replicas before reporting, so none stays blocked in a collective.
      group?.abort();
      send({ type: 'failed', message: err instanceof Error ? err.message : String(err), aborted });
    }),
  );
});
