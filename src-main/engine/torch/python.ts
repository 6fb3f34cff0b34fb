/**
 * Finding the Python interpreter and PyTorch the torch engine runs on (engine-torch/, the
 * `glif_torch` package). GLIF_PYTHON names one interpreter and nothing else is tried; without it,
 * `python3` on PATH, then /usr/bin/python3 (where Debian's python3-torch lives, which a pyenv or
 * venv `python3` earlier on PATH would hide). The first with a usable torch wins.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const PYTHON_ENV_VAR = 'GLIF_PYTHON';
/** The oldest PyTorch the engine is written for (Debian 12's python3-torch). */
export const MIN_TORCH: readonly [number, number] = [1, 13];

const infoSchema = z.object({
  python: z.string(),
  executable: z.string(),
  torch: z.string().nullable(),
  error: z.string().optional(),
  cuda: z.boolean().optional(),
  cudaVersion: z.string().nullable().optional(),
  gloo: z.boolean().optional(),
  nccl: z.boolean().optional(),
  gpus: z.array(z.string()).optional(),
});

export interface TorchRuntime {
  /** The interpreter as it was named (GLIF_PYTHON, `python3`, a path). */
  readonly python: string;
  readonly executable: string;
  readonly pythonVersion: string;
  readonly torch: string;
  readonly cuda: boolean;
  readonly cudaVersion: string | null;
  readonly gloo: boolean;
  readonly nccl: boolean;
  readonly gpus: readonly string[];
}

export type TorchProbe =
  | { readonly ok: true; readonly runtime: TorchRuntime }
  | {
      readonly ok: false;
      /** One line: what is missing. */
      readonly reason: string;
      /** What to do about it. */
      readonly fix: string;
    };

/** The folder holding the glif_torch package, found upwards from this file (source or bundle). */
export function torchEngineDir(): string {
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  const starts = [path.dirname(fileURLToPath(import.meta.url)), ...(resources ? [resources] : [])];
  for (const start of starts) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'engine-torch');
      if (fs.existsSync(path.join(candidate, 'glif_torch', '__init__.py'))) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error('the torch engine (engine-torch/glif_torch) is missing from this installation');
}

/** The environment a glif_torch process runs with: the package importable, output unbuffered. */
export function torchEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const dir = torchEngineDir();
  return {
    ...base,
    PYTHONPATH: base.PYTHONPATH ? `${dir}${path.delimiter}${base.PYTHONPATH}` : dir,
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly spawnError?: NodeJS.ErrnoException;
}

function runPython(python: string, args: string[], timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(python, args, { env: torchEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, spawnError: err });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function torchTooOld(version: string): boolean {
  const [major, minor] = version.split('.').map((p) => Number.parseInt(p, 10));
  if (!Number.isFinite(major) || !Number.isFinite(minor)) return false;
  return major < MIN_TORCH[0] || (major === MIN_TORCH[0] && minor < MIN_TORCH[1]);
}

const INSTALL_FIX =
  'install PyTorch (Debian/Ubuntu: apt-get install python3-torch; elsewhere: pip install torch), ' +
  `or point ${PYTHON_ENV_VAR} at a Python that has it`;

/** Asks one interpreter what it offers; a reason when it cannot serve the engine. */
async function probeOne(python: string): Promise<TorchProbe & { found: boolean }> {
  const ran = await runPython(python, ['-m', 'glif_torch.info'], 60_000);
  if (ran.spawnError) {
    const missing = ran.spawnError.code === 'ENOENT';
    return {
      ok: false,
      found: !missing,
      reason: missing
        ? `no Python interpreter '${python}'`
        : `cannot run ${python}: ${ran.spawnError.message}`,
      fix: `install Python 3 with PyTorch, or set ${PYTHON_ENV_VAR} to the interpreter to use`,
    };
  }
  const lastLine = ran.stdout.trim().split('\n').pop() ?? '';
  let parsed: z.infer<typeof infoSchema>;
  try {
    parsed = infoSchema.parse(JSON.parse(lastLine));
  } catch {
    const why = (ran.stderr.trim().split('\n').pop() ?? '') || `exit code ${ran.code}`;
    return {
      ok: false,
      found: true,
      reason: `${python} could not report its PyTorch: ${why}`,
      fix: `check that ${python} is Python 3.8 or newer`,
    };
  }
  if (parsed.torch === null) {
    return {
      ok: false,
      found: true,
      reason: `${python} (Python ${parsed.python}) has no PyTorch (${parsed.error ?? 'import failed'})`,
      fix: INSTALL_FIX,
    };
  }
  if (torchTooOld(parsed.torch)) {
    return {
      ok: false,
      found: true,
      reason: `${python} has PyTorch ${parsed.torch}; the torch engine needs ${MIN_TORCH.join('.')} or newer`,
      fix: `upgrade PyTorch, or point ${PYTHON_ENV_VAR} at a Python with a newer one`,
    };
  }
  return {
    ok: true,
    found: true,
    runtime: {
      python,
      executable: parsed.executable,
      pythonVersion: parsed.python,
      torch: parsed.torch,
      cuda: parsed.cuda ?? false,
      cudaVersion: parsed.cudaVersion ?? null,
      gloo: parsed.gloo ?? false,
      nccl: parsed.nccl ?? false,
      gpus: parsed.gpus ?? [],
    },
  };
}

/** The interpreter the torch engine uses, or why there is none (with the fix). */
export async function findTorch(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<TorchProbe> {
  const named = env[PYTHON_ENV_VAR]?.trim();
  const candidates = named ? [named] : ['python3', '/usr/bin/python3'];
  let first: TorchProbe | undefined;
  for (const python of candidates) {
    const probe = await probeOne(python);
    if (probe.ok) return { ok: true, runtime: probe.runtime };
    // Report the most useful failure: a Python without torch over a missing interpreter.
    if (!first || (probe.found && first.ok === false && /^no Python/.test(first.reason)))
      first = { ok: false, reason: probe.reason, fix: probe.fix };
  }
  return first ?? { ok: false, reason: 'no Python interpreter found', fix: INSTALL_FIX };
}

/**
 * Why `processes` ranks cannot run on this runtime, or null. On CUDA every rank takes the GPU of
 * its local rank (glif_torch/train.py: cuda:LOCAL_RANK), so more processes than GPUs would crash
 * the extra ranks with "invalid device ordinal". Without CUDA the ranks share the CPU: any count.
 */
export function torchProcessesRefusal(runtime: TorchRuntime, processes: number): string | null {
  const gpus = runtime.cuda ? runtime.gpus.length : 0;
  if (gpus === 0 || processes <= gpus) return null;
  const plural = gpus === 1 ? '' : 's';
  return (
    `engine.processes=${processes} but this machine has ${gpus} CUDA GPU${plural}: ` +
    `set engine.processes=${gpus} (one process a GPU), or hide the GPUs (CUDA_VISIBLE_DEVICES=) to train on the CPU`
  );
}

/** `pytorch 1.13.0 · cpu` / `pytorch 2.3.1 · cuda 12.1 · 4 GPUs`, for info and run pages. */
export function describeTorch(r: TorchRuntime): string {
  const device = r.cuda
    ? `cuda ${r.cudaVersion ?? '?'} · ${r.gpus.length} GPU${r.gpus.length === 1 ? '' : 's'}`
    : 'cpu';
  return `pytorch ${r.torch} · ${device}`;
}
