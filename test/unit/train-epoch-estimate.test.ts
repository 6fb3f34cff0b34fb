/**
 * The early warning of a long epoch (train/epoch-estimate.ts): what an ImageNet-scale run on the
 * workbench's own engine says after its first steps, and the silence of an ordinary run.
 */
import { describe, expect, it } from 'vitest';
import type { EpochEstimate } from '../../src-main/contract/epoch-estimate';
import { buildConfig } from '../../src-main/engine/config/build';
import {
  epochEstimateMessage,
  estimateNeeded,
  LONG_EPOCH_SECONDS,
  longEpochWarning,
  meantForGpus,
  mustConfirmEstimate,
  roughDuration,
} from '../../src-main/engine/train/epoch-estimate';

describe('how long an epoch would take here', () => {
  it('warns with the epoch, the run and the way out for ImageNet on wasm', () => {
    // ImageNet: 1,281,167 images at 50 a step; 1.5 s a step.
    const message = longEpochWarning({
      stepsPerEpoch: 25_624,
      secondsPerStep: 1.5,
      epochsLeft: 150,
      backend: 'wasm',
      threads: 2,
    });
    expect(message).toBe(
      'an epoch of this run takes about 10 h 40 min here (25,624 steps of 1.50 s on wasm, 2 threads), ' +
        'the 150 epochs left about 66 d 17 h. Runs this size are meant for the torch engine on GPUs ' +
        '(engine.name=torch, engine.processes = GPUs); cancel this one to switch, or let it go on.',
    );
  });

  it('says nothing of an epoch under an hour', () => {
    expect(
      longEpochWarning({
        stepsPerEpoch: 938,
        secondsPerStep: 0.25,
        epochsLeft: 1,
        backend: 'wasm',
        threads: 2,
      }),
    ).toBeNull();
    expect(
      longEpochWarning({ stepsPerEpoch: 3600, secondsPerStep: 1, epochsLeft: 1, backend: 'cpu', threads: 1 }),
    ).toBeNull();
  });

  it('rounds durations to their two largest units', () => {
    expect(roughDuration(42)).toBe('42 s');
    expect(roughDuration(7 * 60 + 59)).toBe('7 min');
    expect(roughDuration(3 * 3600 + 5 * 60)).toBe('3 h 5 min');
    expect(roughDuration(2 * 86_400 + 3 * 3600 + 59)).toBe('2 d 3 h');
  });
});

describe('the estimate before a run starts', () => {
  const imagenet = buildConfig({
    preset: 'imagenet-ms-resnet18-t4',
    overrides: ['engine.name=tfjs', 'engine.processes=1', 'data.path=/data/imagenet'],
  });
  const ownFolder = buildConfig({
    preset: 'synthetic-mlp',
    overrides: ['data.dataset=image-folder', 'data.path=/data/pets', 'data.imageSize=16'],
  });
  const estimate = (over: Partial<EpochEstimate> = {}): EpochEstimate => ({
    trainSamples: 1_281_167,
    batchSize: 50,
    stepsPerEpoch: 25_624,
    epochs: 150,
    secondsPerSample: 1.36,
    epochSeconds: 1.36 * 1_281_167,
    backend: 'wasm',
    probeBatch: 2,
    memoryNote: null,
    ...over,
  });

  it('is made for image folders on the tfjs engine only', () => {
    expect(estimateNeeded(imagenet)).toBe(true);
    expect(estimateNeeded(ownFolder)).toBe(true);
    // The preset as it is (torch on 4 processes) and the small datasets are not estimated.
    expect(
      estimateNeeded(buildConfig({ preset: 'imagenet-ms-resnet18-t4', overrides: ['data.path=/x'] })),
    ).toBe(false);
    expect(estimateNeeded(buildConfig({ preset: 'fmnist-cnn' }))).toBe(false);
  });

  it('asks for a yes on a preset made for GPUs, however short the epoch', () => {
    expect(meantForGpus(imagenet)).toBe(true);
    expect(meantForGpus(ownFolder)).toBe(false);
    expect(mustConfirmEstimate(imagenet, estimate({ epochSeconds: 3 }))).toBe(true);
  });

  it('asks for a yes on any epoch over an hour, and not under it', () => {
    expect(mustConfirmEstimate(ownFolder, estimate({ epochSeconds: LONG_EPOCH_SECONDS + 1 }))).toBe(true);
    expect(mustConfirmEstimate(ownFolder, estimate({ epochSeconds: LONG_EPOCH_SECONDS }))).toBe(false);
    expect(mustConfirmEstimate(ownFolder, estimate({ epochSeconds: Number.NaN }))).toBe(true);
  });

  it('says the epoch, the whole run, how it was measured, and where such runs belong', () => {
    expect(epochEstimateMessage(imagenet, estimate())).toBe(
      'An epoch of this run would take about 20 d 3 h here, 150 epochs about 3024 d 23 h: ' +
        '1,281,167 training samples in 25,624 steps of 50, at 1.36 s per sample, measured on wasm over steps of 2 ' +
        'on one thread (more threads shorten it; preparing the data is not included). This preset is the ' +
        "paper's multi-GPU row: it is meant for the torch engine on GPUs (engine.name=torch, engine.processes = GPUs).",
    );
    const small = epochEstimateMessage(
      ownFolder,
      estimate({
        trainSamples: 27,
        batchSize: 9,
        stepsPerEpoch: 3,
        epochs: 1,
        secondsPerSample: 0.004,
        epochSeconds: 0.108,
      }),
    );
    expect(small).toMatch(
      /^An epoch of this run would take about 0 s here, 1 epoch about 0 s: 27 training samples in 3 steps of 9, at 0\.0040 s per sample/,
    );
    expect(small).not.toMatch(/GPU/);
    const tooBig = epochEstimateMessage(ownFolder, estimate({ memoryNote: 'this run needs about 5.5 GiB' }));
    expect(tooBig).toMatch(
      /It would not start as set: this run needs about 5\.5 GiB\. Runs this size are meant for the torch engine on GPUs/,
    );
  });
});
