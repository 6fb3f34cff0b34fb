import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  clientFrameSchema,
  createDispatcher,
  defineRequest,
  ERROR_CODES,
  isErrorCode,
  isRequestName,
  RequestFailure,
  requests,
  type RequestHandlers,
  type SystemInfo,
} from '../../src-main/contract';
import { DISTRIBUTION_QUANTITIES } from '../../src-main/contract/distributions';
import { createRequestHandlers } from '../../src-main/service/request-handlers';
import { testWorkbench } from '../helpers/workbench';

const host = { appName: 'GLIF Workbench', appVersion: '9.8.7', host: 'electron' } as const;
const dispatch = createDispatcher(requests, createRequestHandlers(host, testWorkbench()));

/** A table with real fields, to exercise validation messages beyond the params-less system.info. */
const table = {
  'math.add': defineRequest<{ sum: number }>()(
    z.strictObject({ a: z.number(), b: z.number().int().min(0), label: z.string().default('sum') }),
  ),
  'math.fail': defineRequest<never>()(z.strictObject({ kind: z.enum(['expected', 'bug']) })),
} as const;

function tableHandlers(): RequestHandlers<typeof table> {
  return {
    'math.add': ({ a, b }) => ({ sum: a + b }),
    'math.fail': ({ kind }) => {
      if (kind === 'expected') throw new RequestFailure('not_found', 'Run 42 does not exist.');
      throw new Error('disk on fire');
    },
  };
}

describe('contract dispatcher', () => {
  it('answers system.info with data describing the host', async () => {
    const result = await dispatch('system.info', {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const info = result.data as SystemInfo;
    expect(info).toMatchObject({ appName: 'GLIF Workbench', appVersion: '9.8.7', host: 'electron' });
    expect(info.platform).toBe(process.platform);
    expect(info.nodeVersion).toBe(process.versions.node);
    // Tests run under plain Node, where there is no Electron version to report.
    expect(info.electronVersion).toBeNull();
  });

  it('accepts a params-less request sent without params', async () => {
    expect((await dispatch('system.info', undefined)).ok).toBe(true);
  });

  it.each([['runs.nope'], [42], [null], ['__proto__'], ['toString'], ['constructor']])(
    'refuses the unknown request %j with unknown_request',
    async (name) => {
      const result = await dispatch(name, {});
      expect(result).toEqual({ ok: false, error: { code: 'unknown_request', message: expect.any(String) } });
    },
  );

  it('refuses unexpected keys and names them', async () => {
    const result = await dispatch('system.info', { verbose: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_params');
    expect(result.error.message).toContain('system.info');
    expect(result.error.message).toContain('verbose');
  });

  it('accepts only the recorded distribution quantities, named once in the contract', async () => {
    const runId = 'r0123456789abcdef';
    const bad = await dispatch('runs.distributions', { runId, quantity: 'weights' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    if (!bad.ok) expect(bad.error.message).toContain('quantity');
    for (const quantity of DISTRIBUTION_QUANTITIES) {
      const parsed = requests['runs.distributions'].params.safeParse({ runId, quantity });
      expect(parsed.success).toBe(true);
    }
  });

  it('refuses params that are not an object', async () => {
    const result = await dispatch('system.info', 'hello');
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
  });

  it('names every invalid field with its path', async () => {
    const route = createDispatcher(table, tableHandlers());
    const result = await route('math.add', { a: 'one', b: -1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_params');
    expect(result.error.message).toMatch(/\ba: /);
    expect(result.error.message).toMatch(/\bb: /);
    expect(result.error.message).not.toMatch(/\blabel: /);
  });

  it('passes validated params (with defaults) to the handler and wraps its answer', async () => {
    const route = createDispatcher(table, tableHandlers());
    expect(await route('math.add', { a: 2, b: 3 })).toEqual({ ok: true, data: { sum: 5 } });
  });

  it('turns a RequestFailure into its own code', async () => {
    const route = createDispatcher(table, tableHandlers());
    expect(await route('math.fail', { kind: 'expected' })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'Run 42 does not exist.' },
    });
  });

  it('reports any other handler failure as internal and tells the log', async () => {
    const onInternalError = vi.fn();
    const route = createDispatcher(table, tableHandlers(), { onInternalError });
    const result = await route('math.fail', { kind: 'bug' });
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    if (!result.ok) expect(result.error.message).toContain('disk on fire');
    expect(onInternalError).toHaveBeenCalledWith('math.fail', expect.any(Error));
  });

  it('requires a handler for every request at compile time', () => {
    // @ts-expect-error 'math.fail' has no handler: adding a request without one must not compile.
    const incomplete: RequestHandlers<typeof table> = { 'math.add': () => ({ sum: 0 }) };
    expect(Object.keys(incomplete)).toEqual(['math.add']);
  });
});

describe('contract vocabulary', () => {
  it('keeps the error codes stable (append only)', () => {
    expect(ERROR_CODES).toEqual([
      'unknown_request',
      'invalid_params',
      'forbidden',
      'not_found',
      'conflict',
      'unavailable',
      'timeout',
      'internal',
    ]);
    expect(isErrorCode('timeout')).toBe(true);
    expect(isErrorCode('oops')).toBe(false);
  });

  it('recognises request names from the table only', () => {
    expect(isRequestName('system.info')).toBe(true);
    expect(isRequestName('hasOwnProperty')).toBe(false);
    expect(isRequestName(undefined)).toBe(false);
  });

  it('validates WebSocket request frames strictly', () => {
    expect(
      clientFrameSchema.safeParse({ kind: 'request', id: 1, name: 'system.info', params: {} }).success,
    ).toBe(true);
    expect(clientFrameSchema.safeParse({ kind: 'request', id: -1, name: 'x', params: {} }).success).toBe(
      false,
    );
    expect(
      clientFrameSchema.safeParse({ kind: 'request', id: 1, name: 'x', params: {}, extra: 1 }).success,
    ).toBe(false);
    expect(clientFrameSchema.safeParse({ kind: 'response', id: 1, name: 'x', params: {} }).success).toBe(
      false,
    );
  });
});
