/**
 * The New run form: the schema it is built from, the chosen preset, the values as typed, and the
 * host's verdict on them. Values are checked by `config.validate` (the CLI's own checks) shortly
 * after the user stops typing, and again on Start; a stale answer never overwrites a newer one.
 * "Edit and rerun" opens it prefilled with a run's config and requested backend; Start then creates
 * a new run linked to that one (its parent), which stays as it was.
 */
import type { ApiClient } from '../api/client';
import type {
  BackendAvailability,
  BackendName,
  ConfigIssue,
  ConfigSchema,
  ContractError,
  EpochEstimateAnswer,
  Preset,
} from '../api/contract';
import { backendNameOf } from './backend-options';
import {
  changedValues,
  configValues,
  fieldsOf,
  groupIssues,
  initialPreset,
  isChanged,
  presetValues,
  type FieldValue,
  type FormValues,
  type IssuesByField,
} from './config-form';
import type { ConfigSchemaSource } from './config-schema.svelte';
import type { LoadState } from './load-state';
import { parseTags } from './run-table';

export type Verdict = 'unchecked' | 'checking' | 'valid' | 'invalid';

export type StartOutcome =
  | { readonly kind: 'started'; readonly runId: string }
  /** The values have issues; `firstKey` is the first field with one, to focus. */
  | { readonly kind: 'invalid'; readonly firstKey: string | null }
  | { readonly kind: 'failed' }
  /** Not started: the run's epoch estimate is shown (`estimate`) and awaits "Start anyway". */
  | { readonly kind: 'estimate' };

const VALIDATE_DELAY_MS = 350;

export class NewRunForm {
  readonly #client: ApiClient;
  readonly #schemaSource: ConfigSchemaSource;
  /**
   * The shared schema as this form last read it: it turns ready together with the first preset's
   * values, so the form never shows its fields empty.
   */
  #schema = $state.raw<LoadState<ConfigSchema>>({ kind: 'loading' });
  #preset = $state.raw<Preset | null>(null);
  #baseline = $state.raw<FormValues>({});
  #values = $state.raw<FormValues>({});
  #issues = $state.raw<readonly ConfigIssue[]>([]);
  #verdict = $state<Verdict>('unchecked');
  #starting = $state(false);
  #startError = $state.raw<ContractError | null>(null);
  /** The epoch estimate awaiting the user's word, and the request (values, backend) it is of. */
  #estimate = $state.raw<EpochEstimateAnswer | null>(null);
  #estimateOf: string | null = null;
  #estimating = $state(false);
  /** Set when the preset asked for in the address does not exist. */
  #missingPreset = $state<string | null>(null);
  /** The run being edited and rerun, whose config prefilled the form. */
  #parent = $state.raw<{ readonly id: string; readonly name: string } | null>(null);
  /** Why the run to edit and rerun could not be read (the form then starts from a preset). */
  #parentError = $state.raw<ContractError | null>(null);
  /** What this host can train on (`system.backends`), for the Advanced section's choices. */
  #backends = $state.raw<LoadState<BackendAvailability>>({ kind: 'loading' });
  #timer: ReturnType<typeof setTimeout> | undefined;
  #validationSeq = 0;

  name = $state('');
  tags = $state('');
  /** The backend the run asks for (Advanced); null: its host's choice. Not part of the config. */
  backend = $state<BackendName | null>(null);

  readonly #grouped = $derived.by((): IssuesByField => {
    const fields = this.#schema.kind === 'ready' ? this.#schema.value.fields : [];
    return groupIssues(this.#issues, fields);
  });

  readonly #changedKeys = $derived.by((): readonly string[] => {
    if (this.#schema.kind !== 'ready') return [];
    return this.#schema.value.fields
      .filter((field) => isChanged(field, this.#values[field.key], this.#baseline[field.key]))
      .map((field) => field.key);
  });

  constructor(client: ApiClient, schemaSource: ConfigSchemaSource) {
    this.#client = client;
    this.#schemaSource = schemaSource;
  }

  get schema(): LoadState<ConfigSchema> {
    return this.#schema;
  }

  get preset(): Preset | null {
    return this.#preset;
  }

  get values(): FormValues {
    return this.#values;
  }

  get issues(): IssuesByField {
    return this.#grouped;
  }

  get issueCount(): number {
    return this.#issues.length;
  }

  get verdict(): Verdict {
    return this.#verdict;
  }

  get starting(): boolean {
    return this.#starting;
  }

  get startError(): ContractError | null {
    return this.#startError;
  }

  /** A run on an image folder with the tfjs engine: how long an epoch would take, before it starts. */
  get estimate(): EpochEstimateAnswer | null {
    return this.#estimate;
  }

  get estimating(): boolean {
    return this.#estimating;
  }

  /** Back to the form without starting. */
  dismissEstimate(): void {
    this.#estimate = null;
    this.#estimateOf = null;
  }

  get missingPreset(): string | null {
    return this.#missingPreset;
  }

  get parent(): { readonly id: string; readonly name: string } | null {
    return this.#parent;
  }

  get parentError(): ContractError | null {
    return this.#parentError;
  }

  get backends(): LoadState<BackendAvailability> {
    return this.#backends;
  }

  /** Asks the host which backends it can train on; the form works without the answer. */
  async loadBackends(): Promise<void> {
    this.#backends = { kind: 'loading' };
    const result = await this.#client.request('system.backends', {});
    this.#backends = result.ok
      ? { kind: 'ready', value: result.data }
      : { kind: 'failed', error: result.error };
  }

  /** Keys of the fields that differ from the preset. */
  get changedKeys(): readonly string[] {
    return this.#changedKeys;
  }

  baselineOf(key: string): FieldValue | undefined {
    return this.#baseline[key];
  }

  /** Builds the form from a preset, or from the config of run `fromRunId` (Edit and rerun). */
  async load(wantedPreset: string | null, fromRunId: string | null = null): Promise<void> {
    this.#schema = { kind: 'loading' };
    const [schema, source] = await Promise.all([
      this.#schemaSource.load(),
      fromRunId === null ? null : this.#client.request('runs.get', { runId: fromRunId }),
    ]);
    this.#parentError = source !== null && !source.ok ? source.error : null;
    const run = source?.ok ? source.data.run : null;
    this.#schema = schema;
    if (schema.kind !== 'ready') return;
    const preset = initialPreset(schema.value.presets, run?.preset ?? wantedPreset);
    this.#missingPreset = wantedPreset !== null && preset?.id !== wantedPreset ? wantedPreset : null;
    if (preset) this.choosePreset(preset.id);
    if (run === null) return;
    // The baseline stays the preset's, so the fields the run changed from it show as changed and
    // are what Start sends: the preset plus those values is the run's config.
    this.#values = configValues(schema.value.fields, run.config);
    this.#parent = { id: run.id, name: run.name };
    this.name = run.name;
    this.tags = run.tags.join(', ');
    this.backend = backendNameOf(run.requestedBackend);
    this.#scheduleValidation();
  }

  /** Prefills every field from the preset (what the user typed is replaced). */
  choosePreset(presetId: string): void {
    if (this.#schema.kind !== 'ready') return;
    const preset = this.#schema.value.presets.find((candidate) => candidate.id === presetId);
    if (!preset) return;
    this.#preset = preset;
    this.#baseline = presetValues(this.#schema.value.fields, preset);
    this.#values = this.#baseline;
    this.#issues = [];
    this.#startError = null;
    this.#verdict = 'unchecked';
    this.#scheduleValidation();
  }

  resetToPreset(): void {
    if (this.#preset) this.choosePreset(this.#preset.id);
  }

  setValue(key: string, value: FieldValue): void {
    this.#values = { ...this.#values, [key]: value };
    this.#startError = null;
    this.#scheduleValidation();
  }

  /** What goes to the host: the preset and only the fields changed from it. */
  #request(): { preset: string; values: Record<string, FieldValue> } | null {
    if (this.#schema.kind !== 'ready' || !this.#preset) return null;
    return {
      preset: this.#preset.id,
      values: changedValues(this.#schema.value.fields, this.#values, this.#baseline),
    };
  }

  #scheduleValidation(): void {
    clearTimeout(this.#timer);
    this.#verdict = 'checking';
    this.#timer = setTimeout(() => void this.validate(), VALIDATE_DELAY_MS);
  }

  /** Asks the host now; resolves to the issues (empty when valid), or null when it did not answer. */
  async validate(): Promise<readonly ConfigIssue[] | null> {
    clearTimeout(this.#timer);
    const request = this.#request();
    if (!request) return null;
    const seq = ++this.#validationSeq;
    this.#verdict = 'checking';
    const result = await this.#client.request('config.validate', request);
    if (seq !== this.#validationSeq) return null;
    if (!result.ok) {
      this.#verdict = 'unchecked';
      this.#startError = result.error;
      return null;
    }
    this.#issues = result.data.issues;
    this.#verdict = result.data.issues.length === 0 ? 'valid' : 'invalid';
    return result.data.issues;
  }

  /**
   * Validates, and creates and queues the run only when the values are valid. A run on an image
   * folder with the tfjs engine is estimated first (`runs.estimate`); where the estimate asks for
   * the user's word, Start stops there with the estimate shown, and `start({ acceptEstimate: true })`
   * (the "Start anyway" button) creates it, provided the values are still the ones estimated.
   */
  async start(opts: { readonly acceptEstimate?: boolean } = {}): Promise<StartOutcome> {
    if (this.#starting) return { kind: 'failed' };
    this.#starting = true;
    this.#startError = null;
    try {
      const issues = await this.validate();
      if (issues === null) return { kind: 'failed' };
      if (issues.length > 0) return { kind: 'invalid', firstKey: this.#firstIssueKey(issues) };
      const request = this.#request();
      if (!request) return { kind: 'failed' };
      const backend = this.backend ?? undefined;
      const key = JSON.stringify({ request, backend });
      let accepted = opts.acceptEstimate === true && this.#estimate !== null && this.#estimateOf === key;
      this.dismissEstimate();
      if (!accepted) {
        this.#estimating = true;
        const estimate = await this.#client.request('runs.estimate', { ...request, backend }).finally(() => {
          this.#estimating = false;
        });
        if (!estimate.ok) {
          this.#startError = estimate.error;
          return { kind: 'failed' };
        }
        if (estimate.data.mustConfirm) {
          this.#estimate = estimate.data;
          this.#estimateOf = key;
          return { kind: 'estimate' };
        }
        accepted = estimate.data.needed;
      }
      const tags = parseTags(this.tags);
      const result = await this.#client.request('runs.create', {
        ...request,
        name: this.name.trim() || undefined,
        tags: tags.length > 0 ? tags : undefined,
        start: true,
        parentRunId: this.#parent?.id,
        backend,
        acceptEpochEstimate: accepted || undefined,
      });
      if (!result.ok) {
        this.#startError = result.error;
        return { kind: 'failed' };
      }
      return { kind: 'started', runId: result.data.id };
    } finally {
      this.#starting = false;
    }
  }

  /** The first field (in form order) that has an issue. */
  #firstIssueKey(issues: readonly ConfigIssue[]): string | null {
    if (this.#schema.kind !== 'ready') return null;
    const { fields, groups } = this.#schema.value;
    const inFormOrder = groups.flatMap((group) => fieldsOf(fields, group.id));
    return inFormOrder.find((field) => issues.some((issue) => issue.key === field.key))?.key ?? null;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#validationSeq++;
  }
}
