import type { FixtureTensor } from './fixture-schema';

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** The fixture README's tolerances: |a - b| <= atol + rtol * |b|. */
export const NEURON_TOLERANCE: Tolerance = { atol: 1e-5, rtol: 1e-5 };
export const BLOCK_TOLERANCE: Tolerance = { atol: 1e-4, rtol: 1e-4 };

export type Check =
  | { readonly name: string; readonly kind: 'exact'; readonly mismatches: number; readonly total: number }
  | {
      readonly name: string;
      readonly kind: 'close';
      readonly maxAbsError: number;
      readonly violations: number;
      readonly total: number;
      /** The reference is all zeros (a structural zero): ours must be exactly zero too. */
      readonly structuralZero: boolean;
    }
  | { readonly name: string; readonly kind: 'no-gradient'; readonly maxAbs: number }
  | { readonly name: string; readonly kind: 'shape'; readonly expected: number[]; readonly actual: number[] };

export function checkPassed(c: Check): boolean {
  switch (c.kind) {
    case 'exact':
      return c.mismatches === 0;
    case 'close':
      return c.violations === 0;
    case 'no-gradient':
      return c.maxAbs === 0;
    case 'shape':
      return false;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function compareExact(
  name: string,
  actual: ArrayLike<number>,
  actualShape: number[],
  expected: FixtureTensor,
): Check {
  if (!sameShape(actualShape, expected.shape))
    return { name, kind: 'shape', expected: expected.shape, actual: actualShape };
  let mismatches = 0;
  for (let i = 0; i < expected.data.length; i++) if (actual[i] !== expected.data[i]) mismatches++;
  return { name, kind: 'exact', mismatches, total: expected.data.length };
}

export function compareClose(
  name: string,
  actual: ArrayLike<number>,
  actualShape: number[],
  expected: FixtureTensor,
  tol: Tolerance,
): Check {
  if (!sameShape(actualShape, expected.shape))
    return { name, kind: 'shape', expected: expected.shape, actual: actualShape };
  const structuralZero = expected.data.length > 0 && expected.data.every((v) => v === 0);
  let maxAbsError = 0;
  let violations = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const b = expected.data[i];
    const err = Math.abs(actual[i] - b);
    if (!(err <= maxAbsError)) maxAbsError = err; // NaN propagates as a failure below
    const ok = structuralZero ? actual[i] === 0 : err <= tol.atol + tol.rtol * Math.abs(b);
    if (!ok) violations++;
  }
  return { name, kind: 'close', maxAbsError, violations, total: expected.data.length, structuralZero };
}

export function compareNoGradient(name: string, actual: ArrayLike<number> | undefined): Check {
  let maxAbs = 0;
  if (actual) for (let i = 0; i < actual.length; i++) maxAbs = Math.max(maxAbs, Math.abs(actual[i]));
  return { name, kind: 'no-gradient', maxAbs };
}

export function formatCheck(c: Check): string {
  switch (c.kind) {
    case 'exact':
      return `${c.name} ${c.mismatches}/${c.total} differ`;
    case 'close':
      return `${c.name} ${c.maxAbsError.toExponential(1)}${c.structuralZero ? ' (zero)' : ''}${c.violations ? ` [${c.violations}/${c.total} out of tolerance]` : ''}`;
    case 'no-gradient':
      return `${c.name} none${c.maxAbs ? ` [got ${c.maxAbs.toExponential(1)}]` : ''}`;
    case 'shape':
      return `${c.name} shape [${c.actual}] expected [${c.expected}]`;
  }
}
