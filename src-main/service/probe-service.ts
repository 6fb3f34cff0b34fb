import { RequestFailure } from '../contract/errors';
import type { NeuronProbeResult, RunProbe } from '../contract/probe';
import type { ParsedRequestParams } from '../contract/requests';
import type { BackendName } from '../engine/backend';
import { ConfigError } from '../engine/config/validate';
import { ProbeFailure, ProbeThread } from '../engine/probe/probe-thread';
import { probeSource, ProbeSourceError, type ProbeSource } from '../runs/probe-source';
import type { RunStoreReader } from '../runs/store/types';

/** Probes kept per process; each is a few kB (T-long series of a few channels and samples). */
const CACHE_ENTRIES = 64;

/**
 * `runs.probe`: a run's newest checkpoint probed in a worker thread (ProbeThread), the result
 * cached per (checkpoint sha256, layer, channels, samples). A checkpoint never changes under its
 * checksum, so a cached probe is never stale; a running run's next epoch writes a new checkpoint
 * and so a new key. Identical requests in flight share one computation.
 */
export class ProbeService {
  private readonly cache = new Map<string, Promise<NeuronProbeResult>>();
  private readonly thread: ProbeThread;

  constructor(
    private readonly store: Pick<RunStoreReader, 'getRun' | 'getCheckpoints'>,
    backend?: BackendName,
  ) {
    this.thread = new ProbeThread(backend);
  }

  async probe(p: ParsedRequestParams<'runs.probe'>): Promise<RunProbe> {
    const source = this.source(p.runId);
    const { sha256, epoch } = source.checkpoint;
    const key = JSON.stringify([sha256, p.layer, p.channels, p.samples]);
    let computing = this.cache.get(key);
    const cached = computing !== undefined;
    if (computing) {
      // Most recently used last, so the oldest entry is the first to go.
      this.cache.delete(key);
    } else {
      computing = this.thread.probe({
        config: source.config,
        checkpoint: source.checkpoint,
        target: { layer: p.layer, channels: p.channels, samples: p.samples },
      });
    }
    this.cache.set(key, computing);
    while (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    try {
      const result = await computing;
      return { ...result, runId: p.runId, checkpoint: { epoch, sha256 }, cached };
    } catch (err) {
      if (this.cache.get(key) === computing) this.cache.delete(key);
      throw toRequestFailure(err);
    }
  }

  close(): Promise<void> {
    this.cache.clear();
    return this.thread.close();
  }

  private source(runId: string): ProbeSource {
    try {
      return probeSource(this.store, runId);
    } catch (err) {
      throw toRequestFailure(err);
    }
  }
}

function toRequestFailure(err: unknown): unknown {
  if (err instanceof ProbeSourceError)
    return new RequestFailure(err.code === 'unknown_run' ? 'not_found' : 'conflict', err.message);
  if (err instanceof ConfigError) return new RequestFailure('conflict', err.message);
  if (err instanceof ProbeFailure && err.kind !== 'internal')
    return new RequestFailure(err.kind === 'probe' ? 'invalid_params' : 'conflict', err.message);
  return err;
}
