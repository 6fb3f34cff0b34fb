/**
 * The neuron probe panel's state: what the user asks for (layer, channels, samples, a run to
 * compare with) and what the main side answered. The probe itself is computed on the main side,
 * in a worker thread, and cached there per checkpoint: this class only asks and keeps answers.
 */
import type { ApiClient } from '../api/client';
import type { ContractError, RunProbe, RunSummary } from '../api/contract';
import { parseIndexList } from './probe-data';

/** The contract's limits (PROBE_MAX_CHANNELS, PROBE_MAX_SAMPLES), for messages before asking. */
const MAX_CHANNELS = 16;
const MAX_SAMPLES = 8;

export class NeuronProbeState {
  readonly runId: string;
  readonly #client: ApiClient;
  layer = $state('');
  channelsText = $state('0');
  samplesText = $state('0');
  /** Another run probed at the same layer, channels and samples; '' for none. */
  compareRunId = $state('');

  #busy = $state(false);
  #inputError = $state<string | null>(null);
  #error = $state<ContractError | null>(null);
  #compareError = $state<ContractError | null>(null);
  #result = $state.raw<RunProbe | null>(null);
  #compared = $state.raw<RunProbe | null>(null);
  #otherRuns = $state.raw<readonly RunSummary[]>([]);
  #seq = 0;

  constructor(client: ApiClient, runId: string) {
    this.#client = client;
    this.runId = runId;
  }

  get busy(): boolean {
    return this.#busy;
  }
  /** A channel or sample list that cannot be sent. */
  get inputError(): string | null {
    return this.#inputError;
  }
  get error(): ContractError | null {
    return this.#error;
  }
  get compareError(): ContractError | null {
    return this.#compareError;
  }
  get result(): RunProbe | null {
    return this.#result;
  }
  get compared(): RunProbe | null {
    return this.#compared;
  }
  get otherRuns(): readonly RunSummary[] {
    return this.#otherRuns;
  }

  /** The runs one may compare with: every other run (one without a checkpoint says so when asked). */
  async loadOtherRuns(): Promise<void> {
    const runs = await this.#client.request('runs.list', {});
    if (runs.ok) this.#otherRuns = runs.data.filter((r) => r.id !== this.runId);
  }

  /** Probes this run (and the compared one, if chosen); a newer call supersedes an older one. */
  async probe(): Promise<void> {
    const channels = parseIndexList(this.channelsText, MAX_CHANNELS);
    const samples = parseIndexList(this.samplesText, MAX_SAMPLES);
    this.#inputError =
      typeof channels === 'string'
        ? `Channels: ${channels}`
        : typeof samples === 'string'
          ? `Samples: ${samples}`
          : this.layer === ''
            ? 'Choose a layer.'
            : null;
    if (this.#inputError !== null || typeof channels === 'string' || typeof samples === 'string') {
      // The shown answer stays (it is still true); an older failure would now be confusing.
      this.#error = null;
      this.#compareError = null;
      return;
    }
    const seq = ++this.#seq;
    this.#busy = true;
    const target = { layer: this.layer, channels, samples };
    const compareId = this.compareRunId;
    const [own, other] = await Promise.all([
      this.#client.request('runs.probe', { runId: this.runId, ...target }),
      compareId ? this.#client.request('runs.probe', { runId: compareId, ...target }) : Promise.resolve(null),
    ]);
    if (seq !== this.#seq) return;
    this.#busy = false;
    this.#result = own.ok ? own.data : null;
    this.#error = own.ok ? null : own.error;
    this.#compared = other?.ok ? other.data : null;
    this.#compareError = other && !other.ok ? other.error : null;
  }
}
