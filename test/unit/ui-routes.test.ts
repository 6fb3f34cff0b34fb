import { describe, expect, it } from 'vitest';
import {
  parseRoute,
  routeHref,
  routeTitle,
  viewOf,
  type Route,
} from '../../src-renderer/src/lib/state/routes';

describe('hash routes', () => {
  it('reads every route of the app', () => {
    expect(parseRoute('#/runs')).toEqual({ kind: 'runs' });
    expect(parseRoute('#/new-run')).toEqual({ kind: 'new-run', preset: null });
    expect(parseRoute('#/new-run?preset=fmnist-cnn')).toEqual({ kind: 'new-run', preset: 'fmnist-cnn' });
    expect(parseRoute('#/runs/r0mwt2xpy1io89vw')).toEqual({ kind: 'run', runId: 'r0mwt2xpy1io89vw' });
    expect(parseRoute('#/compare')).toEqual({ kind: 'compare', runIds: [] });
    expect(parseRoute('#/compare/abc123,def456')).toEqual({ kind: 'compare', runIds: ['abc123', 'def456'] });
    expect(parseRoute('#/ablation')).toEqual({ kind: 'ablation' });
  });

  it('falls back to the runs list for an empty, unknown or malformed hash', () => {
    for (const hash of [
      '',
      '#',
      '#/',
      '#/nope',
      '#/runs/NOT-AN-ID',
      '#/runs/abc123/extra',
      '#/compare/abc123,../x',
      '#token=abc',
    ]) {
      expect(parseRoute(hash), hash).toEqual({ kind: 'runs' });
    }
  });

  it('drops repeated and empty ids of a comparison, and reads an encoded comma', () => {
    expect(parseRoute('#/compare/abc123,,abc123,def456,')).toEqual({
      kind: 'compare',
      runIds: ['abc123', 'def456'],
    });
    expect(parseRoute('#/compare/abc123%2Cdef456')).toEqual({
      kind: 'compare',
      runIds: ['abc123', 'def456'],
    });
  });

  it('writes hashes that read back as the same route', () => {
    const routes: Route[] = [
      { kind: 'runs' },
      { kind: 'new-run', preset: null },
      { kind: 'new-run', preset: 'cifar10-resnet19-t4' },
      { kind: 'new-run', preset: null, from: 'r0mwt2xpy1io89vw' },
      { kind: 'run', runId: 'r0mwt2xpy1io89vw' },
      { kind: 'compare', runIds: [] },
      { kind: 'compare', runIds: ['abc123', 'def456', 'ghi789'] },
      { kind: 'ablation' },
    ];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
    expect(routeHref({ kind: 'compare', runIds: ['abc123', 'def456'] })).toBe('#/compare/abc123,def456');
  });

  it('opens the New run form with a run to edit and rerun, ignoring a from that is no run id', () => {
    expect(parseRoute('#/new-run?from=r0mwt2xpy1io89vw')).toEqual({
      kind: 'new-run',
      preset: null,
      from: 'r0mwt2xpy1io89vw',
    });
    expect(routeHref({ kind: 'new-run', preset: null, from: 'r0mwt2xpy1io89vw' })).toBe(
      '#/new-run?from=r0mwt2xpy1io89vw',
    );
    expect(parseRoute('#/new-run?from=..%2Fetc')).toEqual({ kind: 'new-run', preset: null });
    expect(parseRoute('#/new-run?from=..%2Fetc')).not.toHaveProperty('from');
  });

  it('marks the sidebar entry a route belongs to, and titles it', () => {
    expect(viewOf({ kind: 'run', runId: 'abc123' }).label).toBe('Runs');
    expect(viewOf({ kind: 'compare', runIds: ['abc123', 'def456'] }).label).toBe('Compare');
    expect(viewOf({ kind: 'new-run', preset: 'x' }).label).toBe('New run');
    expect(viewOf({ kind: 'ablation' }).label).toBe('Ablation grid');
    expect(routeTitle({ kind: 'compare', runIds: ['abc123', 'def456'] })).toBe('Compare 2 runs');
    expect(routeTitle({ kind: 'run', runId: 'abc123' })).toBe('Run');
  });
});

describe('the runs list filtered by a clicked tag', () => {
  it('reads the search from the hash, and an empty one as none', () => {
    expect(parseRoute('#/runs?search=lr%20sweep')).toEqual({ kind: 'runs', search: 'lr sweep' });
    expect(parseRoute('#/runs?search=%20')).toEqual({ kind: 'runs' });
    expect(parseRoute('#/runs?other=1')).toEqual({ kind: 'runs' });
  });

  it('writes a tag with spaces, ampersands and non-ASCII letters so it reads back the same', () => {
    for (const search of ['ablation:7&8', 'β sweep', 'a#b?c']) {
      const route: Route = { kind: 'runs', search };
      expect(parseRoute(routeHref(route))).toEqual(route);
      expect(viewOf(route).id).toBe('runs');
    }
  });
});
