/**
 * The persistent PyTorch reference the benchmarks alternate with (bench/lib/reference_server.py),
 * driven through its TypeScript client: `bench:scaling` sets its thread count between rounds to
 * measure the reference's own scaling, so the count it reports must be the one it runs with, and a
 * bad count must be an error reply that leaves the server answering. Needs /usr/bin/python3 with
 * torch (scripts/setup.sh installs python3-torch) and ../shared/bench/torch_reference.py.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferenceServer } from '../../bench/lib/reference';

describe('reference server', () => {
  let server: ReferenceServer;

  beforeAll(async () => {
    const started = await ReferenceServer.start('glif-layer');
    if (!started.ok) throw new Error(`reference server did not start: ${started.reason}`);
    server = started.server;
  }, 60_000);
  afterAll(async () => server?.close());

  it('runs its rounds with the thread count it was last given', async () => {
    await server.setThreads(1);
    const one = await server.round(1);
    expect(one.threads).toBe(1);
    expect(one.forward_ms).toBeGreaterThan(0);
    await server.setThreads(2);
    expect((await server.round(1)).threads).toBe(2);
  }, 60_000);

  it('answers a bad thread count with an error and keeps serving', async () => {
    await expect(server.setThreads(0)).rejects.toThrow(/n must be a whole number >= 1, got 0/);
    await expect(server.request({ cmd: 'threads', n: 1.5 })).rejects.toThrow(/whole number/);
    await server.setThreads(1);
    expect((await server.round(1)).threads).toBe(1);
  }, 60_000);
});
