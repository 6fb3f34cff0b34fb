/**
 * The events file of a torch run trained elsewhere, read as a training worker
 * (runs/worker/torch-events-file.ts): what reaches the run manager from a whole file, a file
 * that grows while it is followed, a cut one, a broken line, two runs in one file, and the
 * non-finite numbers train.py writes as strings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { followEventsFile, readEventsFileJob } from '../../src-main/runs/worker/torch-events-file';
import type { FromWorker } from '../../src-main/runs/worker/protocol';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-events-file-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const job = (resumed = false) => ({ type: 'job', config: { preset: 'fmnist-cnn' }, resumed });
const layout = {
  type: 'layout',
  layout: { torch: '2.4.0', processes: 4, distributed: 'nccl', device: 'cuda', threadsPerProcess: null },
};
const started = (startEpoch: number) => ({
  type: 'event',
  event: {
    type: 'started',
    startEpoch,
    epochs: 2,
    stepsPerEpoch: 1,
    trainSize: 64,
    testSize: 32,
    parameters: { total: 10, glif: 2, glifLayers: 1 },
    layers: ['features.1'],
  },
});
const step = (epoch: number, loss: number | string) => ({
  type: 'event',
  event: {
    type: 'step',
    epoch,
    step: epoch,
    stepInEpoch: 0,
    stepsPerEpoch: 1,
    loss,
    accuracy: 0.5,
    lr: 0.1,
    samplesPerSecond: 100,
    etaSeconds: 1,
  },
});
const epoch = (e: number, seconds: number) => ({
  type: 'event',
  event: {
    type: 'epoch',
    epoch: e,
    step: e,
    lr: 0.1,
    trainLoss: 1,
    trainAccuracy: 0.5,
    testLoss: 'Infinity',
    testAccuracy: 0.25,
    firingRates: { 'features.1': 0.1 },
    sopsPerSample: 1000,
    macsPerSample: 500,
    parameters: [{ layer: 'features.1', quantity: 'alpha', values: [0.5, 'NaN', 0.25] }],
    seconds,
  },
});
const done = (seconds: number) => ({
  type: 'done',
  outcome: {
    status: 'completed',
    final: { testAccuracy: 0.25, testLoss: 'Infinity', trainAccuracy: 0.5, trainLoss: 1 },
    epochsDone: 2,
    seconds,
  },
});

let n = 0;
function file(lines: readonly unknown[], tail = ''): string {
  const f = path.join(dir, `events-${n++}.jsonl`);
  fs.writeFileSync(
    f,
    lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)) + '\n').join('') + tail,
  );
  return f;
}

/** Everything the handle delivers, and how it exited. */
function read(
  f: string,
  follow = false,
  during?: (messages: FromWorker[]) => void,
): Promise<{ messages: FromWorker[]; exit: [number | null, string | null]; trainedMs: number }> {
  const handle = followEventsFile(f, { follow, pollMs: 20 });
  const messages: FromWorker[] = [];
  return new Promise((resolve) => {
    handle.onMessage((m) => {
      messages.push(m);
      during?.(messages);
    });
    handle.onExit((code, signal) =>
      resolve({ messages, exit: [code, signal], trainedMs: handle.trainedMs?.() ?? -1 }),
    );
    handle.send({
      type: 'start',
      runId: 'r1',
      config: {} as never,
      checkpointDir: dir,
      backend: undefined,
      threads: undefined,
    } as never);
  });
}

const outcomeOf = (messages: FromWorker[]) => {
  const last = messages.at(-1);
  return last?.type === 'done' ? last.outcome : undefined;
};

describe('an events file read as a training worker', () => {
  it('a whole file: the layout as the engine, every event, the outcome; NaN and Infinity kept', async () => {
    const f = file([
      job(),
      layout,
      started(0),
      step(0, 'NaN'),
      epoch(0, 3),
      step(1, 2),
      epoch(1, 4),
      done(9),
    ]);
    const { messages, exit, trainedMs } = await read(f);
    expect(exit).toEqual([0, null]);
    expect(messages[0]).toEqual({
      type: 'engine',
      description: 'pytorch 2.4.0 · ddp · 4 processes · nccl · cuda',
    });
    const events = messages.flatMap((m) => (m.type === 'event' ? [m.event] : []));
    expect(events.map((e) => e.type)).toEqual(['started', 'step', 'epoch', 'step', 'epoch']);
    expect(events[0]).toMatchObject({
      backend: 'pytorch 2.4.0 · ddp · 4 processes · nccl · cuda',
      threads: 4,
    });
    expect(events[1]).toMatchObject({ loss: NaN });
    const e0 = events[2];
    expect(e0.type === 'epoch' && e0.testLoss).toBe(Infinity);
    // The NaN value is kept out of the statistics' finite range but counted among the values.
    expect(e0.type === 'epoch' && e0.distributions[0].stats.count).toBe(3);
    expect(outcomeOf(messages)).toMatchObject({ status: 'completed', final: { testLoss: Infinity } });
    expect(trainedMs).toBe(9000);
  });

  it('read once, a file without the outcome fails, saying how many epochs it holds', async () => {
    const f = file([job(), layout, started(0), step(0, 1), epoch(0, 3)], '{"type": "event", "ev');
    const { messages, exit } = await read(f);
    expect(exit).toEqual([1, null]);
    expect(outcomeOf(messages)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/ends before the run's outcome \(after 1 epoch\).*--follow/),
    });
  });

  it('followed, lines are read as they are appended, a half-written line once it is whole', async () => {
    const stepLine = JSON.stringify(step(0, 1));
    const f = file([job(), layout, started(0)], stepLine.slice(0, 30));
    let appended = false;
    const { messages, exit } = await read(f, true, (seen) => {
      if (appended || !seen.some((m) => m.type === 'event' && m.event.type === 'started')) return;
      appended = true;
      // The rest of the cut line, then the remaining lines, in two writes.
      setTimeout(() => fs.appendFileSync(f, stepLine.slice(30) + '\n'), 40);
      setTimeout(
        () => fs.appendFileSync(f, [epoch(0, 2), done(2)].map((l) => JSON.stringify(l) + '\n').join('')),
        100,
      );
    });
    expect(exit).toEqual([0, null]);
    const types = messages.flatMap((m) => (m.type === 'event' ? [m.event.type] : []));
    expect(types).toEqual(['started', 'step', 'epoch']);
    expect(outcomeOf(messages)?.status).toBe('completed');
  });

  it('a resumed part continues the run; its earlier part without an outcome counts its epochs', async () => {
    const f = file([
      job(),
      layout,
      started(0),
      step(0, 1),
      epoch(0, 5),
      step(1, 1),
      job(true),
      layout,
      started(1),
      step(1, 1),
      epoch(1, 4),
      done(6),
    ]);
    const { messages, trainedMs } = await read(f);
    expect(outcomeOf(messages)?.status).toBe('completed');
    expect(messages.filter((m) => m.type === 'event' && m.event.type === 'started')).toHaveLength(2);
    expect(trainedMs).toBe(11_000);
  });

  it('a broken line fails the run with its line number; a second fresh run in the file too', async () => {
    const broken = await read(file([job(), layout, '{"type": "event", "event": {"type": "step"}}']));
    expect(outcomeOf(broken.messages)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/line 3: .*malformed/),
    });
    const two = await read(file([job(), layout, started(0), job(), layout]));
    expect(outcomeOf(two.messages)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/line 4: a second run starts here/),
    });
  });

  it('cancel stops following (not the run) and says so', async () => {
    const f = file([job(), layout, started(0)]);
    const handle = followEventsFile(f, { follow: true, pollMs: 20 });
    const messages: FromWorker[] = [];
    const exited = new Promise<number | null>((resolve) => handle.onExit((code) => resolve(code)));
    handle.onMessage((m) => {
      messages.push(m);
      if (m.type === 'event' && m.event.type === 'started') handle.send({ type: 'cancel' });
    });
    handle.send({ type: 'start' } as never);
    expect(await exited).toBe(0);
    expect(outcomeOf(messages)).toMatchObject({
      status: 'cancelled',
      error: expect.stringMatching(/run itself is not stopped/),
    });
  });

  it('the first line names the run: anything else is not an events file', () => {
    expect(readEventsFileJob(file([job(), layout]))).toEqual(job());
    expect(readEventsFileJob(file([layout]))).toEqual({
      error: expect.stringMatching(/not a torch engine events file/),
    });
    expect(readEventsFileJob(file([]))).toEqual({ error: expect.stringMatching(/is empty/) });
    expect(readEventsFileJob(path.join(dir, 'missing.jsonl'))).toEqual({
      error: expect.stringMatching(/ENOENT/),
    });
  });
});
