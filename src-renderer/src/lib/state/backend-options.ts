/**
 * The New-run form's Compute backend choices: each backend labelled with whether this host can
 * train on it (`system.backends`) and, when not, why. Pure: the Advanced section renders these.
 */
import type { BackendAvailability, BackendName, BackendOption } from '../api/contract';

/**
 * The names, fastest first, as the contract's BACKEND_NAMES (the renderer imports only its types).
 * The record makes the compiler name a backend added there and missing here.
 */
const TITLES: { readonly [N in BackendName]: string } = {
  'tensorflow-gpu': 'TensorFlow CUDA (tensorflow-gpu)',
  webgpu: 'WebGPU (webgpu)',
  tensorflow: 'TensorFlow native CPU (tensorflow)',
  wasm: 'WebAssembly (wasm)',
  cpu: 'Plain JavaScript (cpu)',
};

export const BACKEND_NAMES = Object.keys(TITLES) as readonly BackendName[];

/** A stored run's requested backend as the form can choose it: null (automatic) for an unknown one. */
export function backendNameOf(value: string | null): BackendName | null {
  return value !== null && (BACKEND_NAMES as readonly string[]).includes(value)
    ? (value as BackendName)
    : null;
}

/** A reason in an option's label; the full text is shown below the select for the chosen one. */
const LABEL_REASON_CHARS = 70;

function shorten(text: string): string {
  const firstClause = text.split(/[;\n]/)[0]!.trim();
  return firstClause.length <= LABEL_REASON_CHARS
    ? firstClause
    : `${firstClause.slice(0, LABEL_REASON_CHARS - 1)}…`;
}

export interface BackendChoice {
  /** null: Automatic. */
  readonly value: BackendName | null;
  readonly label: string;
  /** This host cannot train on it: choosing it needs the warning. */
  readonly unusable: boolean;
  /** The full reason or note, for the hint below the select. */
  readonly detail: string | null;
}

/** The choices, Automatic first; `availability` null while the host is being asked (or could not say). */
export function backendChoices(availability: BackendAvailability | null): BackendChoice[] {
  const byName = new Map(availability?.options.map((o) => [o.name, o]) ?? []);
  const automatic: BackendChoice = {
    value: null,
    label: availability
      ? availability.hostDefault
        ? `Automatic (this host's default: ${availability.defaultBackend})`
        : `Automatic (best available: ${availability.defaultBackend})`
      : 'Automatic (best available)',
    unusable: false,
    detail: availability?.hostDefault
      ? `This host was started with --backend ${availability.defaultBackend}: runs that ask for no backend use it.`
      : null,
  };
  return [automatic, ...BACKEND_NAMES.map((name) => choiceOf(name, byName.get(name)))];
}

function choiceOf(name: BackendName, option: BackendOption | undefined): BackendChoice {
  const title = TITLES[name];
  if (option === undefined) return { value: name, label: title, unusable: false, detail: null };
  if (!option.usable) {
    const reason = option.reason ?? 'unknown reason';
    return {
      value: name,
      label: `${title} — not available: ${shorten(reason)}`,
      unusable: true,
      detail: reason,
    };
  }
  const adapter = option.adapter;
  if (option.byNameOnly && adapter?.software) {
    // The adapter's own name before its version ("llvmpipe: Mesa 25.0.7 …").
    const adapterName = adapter.description.split(':')[0]!.trim() || adapter.device;
    return {
      value: name,
      label: `WebGPU — software adapter (${adapterName}): slower than wasm`,
      unusable: false,
      detail: option.reason,
    };
  }
  const on = adapter ? ` on ${adapter.description}` : '';
  return {
    value: name,
    label: `${title} — available${on}`,
    unusable: false,
    detail: option.note ?? (option.byNameOnly ? option.reason : null),
  };
}
