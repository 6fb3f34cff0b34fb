/**
 * `system.backends` (service/backend-survey.ts): the host's backends as the New-run form offers
 * them, asked of a worker once. Workers here are stand-ins; the e2e spec new-run-backend.spec.ts
 * asks a real one.
 */
import { describe, expect, it } from 'vitest';
import type { BackendReport } from '../../src-main/engine/backend';
import type { WorkerHandle, WorkerLauncher } from '../../src-main/runs/worker/launch';
import type { FromWorker, ToWorker } from '../../src-main/runs/worker/protocol';
import { availabilityOf, BackendSurvey } from '../../src-main/service/backend-survey';

const LLVMPIPE = {
  vendor: 'mesa',
  architecture: 'software',
  device: 'llvmpipe',
  description: 'llvmpipe: Mesa 25.0.7',
  software: true,
};

/** What `glif info --json` reports on a machine with only Mesa's software Vulkan. */
const REPORT: BackendReport = {
  active: 'wasm',
  candidates: [
    {
      name: 'tensorflow-gpu',
      package: '@tensorflow/tfjs-node-gpu',
      available: false,
      probed: true,
      reason: 'package not installed',
    },
    {
      name: 'webgpu',
      package: '@tensorflow/tfjs-backend-webgpu',
      available: false,
      probed: true,
      byNameOnly: true,
      reason: 'only a software adapter was found (llvmpipe): slower than wasm',
      adapters: [LLVMPIPE],
    },
    {
      name: 'tensorflow',
      package: '@tensorflow/tfjs-node',
      available: false,
      probed: true,
      reason: 'package not installed',
    },
    { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', available: true, probed: true },
    { name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', available: true, probed: false },
  ],
  tfjsVersion: '4.22.0',
  fixHints: [],
};

/** Workers that answer a survey with `answer` (or exit without one when it is null). */
function surveyWorkers(answer: BackendReport | null): { launch: WorkerLauncher; sent: ToWorker[] } {
  const sent: ToWorker[] = [];
  const launch: WorkerLauncher = () => {
    let onMessage: (m: FromWorker) => void = () => {};
    const onExit: ((code: number | null, signal: string | null) => void)[] = [];
    const handle: WorkerHandle = {
      send(m) {
        sent.push(m);
        setImmediate(() => {
          if (answer) onMessage({ type: 'backend', report: answer });
          onExit.forEach((h) => h(answer ? 0 : 1, null));
        });
      },
      onMessage: (h) => (onMessage = h),
      onExit: (h) => onExit.push(h),
      kill: () => {},
    };
    return handle;
  };
  return { launch, sent };
}

describe('availabilityOf', () => {
  it('offers a software WebGPU adapter by name only, with its reason and adapter', () => {
    const a = availabilityOf(REPORT, undefined);
    expect(a).toMatchObject({ defaultBackend: 'wasm', hostDefault: false });
    expect(a.options.map((o) => [o.name, o.usable, o.byNameOnly])).toEqual([
      ['tensorflow-gpu', false, false],
      ['webgpu', true, true],
      ['tensorflow', false, false],
      ['wasm', true, false],
      ['cpu', true, false],
    ]);
    expect(a.options[1]).toMatchObject({ reason: expect.stringContaining('software'), adapter: LLVMPIPE });
    expect(a.options[0]).toMatchObject({ reason: 'package not installed', adapter: null, note: null });
  });

  it("names the host's default when it set one (glif serve --backend)", () => {
    expect(availabilityOf(REPORT, 'cpu')).toMatchObject({ defaultBackend: 'cpu', hostDefault: true });
  });
});

describe('BackendSurvey', () => {
  it('asks one worker, once, with the survey message', async () => {
    const workers = surveyWorkers(REPORT);
    const survey = new BackendSurvey(workers.launch, undefined);
    const [a, b] = await Promise.all([survey.get(), survey.get()]);
    expect(a).toBe(b);
    expect(await survey.get()).toBe(a);
    expect(workers.sent).toEqual([{ type: 'survey' }]);
  });

  it('a worker that exits without an answer is an error, and the next ask tries again', async () => {
    const workers = surveyWorkers(null);
    const survey = new BackendSurvey(workers.launch, undefined);
    await expect(survey.get()).rejects.toThrow(/exited without an answer \(code 1\)/);
    await expect(survey.get()).rejects.toThrow(/without an answer/);
    expect(workers.sent).toHaveLength(2);
  });
});
