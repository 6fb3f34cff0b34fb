import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkpointDir,
  defaultDataDir,
  defaultDbPath,
  isRunId,
  newRunId,
  RunStoreError,
} from '../../src-main/runs/store';

describe('default data folder (same as Electron userData for "GLIF Workbench")', () => {
  it('Linux: XDG_CONFIG_HOME, else ~/.config; a relative XDG_CONFIG_HOME is ignored', () => {
    expect(defaultDataDir({ platform: 'linux', homedir: '/home/ada', env: {} })).toBe(
      '/home/ada/.config/GLIF Workbench',
    );
    expect(
      defaultDataDir({ platform: 'linux', homedir: '/home/ada', env: { XDG_CONFIG_HOME: '/xdg' } }),
    ).toBe('/xdg/GLIF Workbench');
    expect(defaultDataDir({ platform: 'linux', homedir: '/home/ada', env: { XDG_CONFIG_HOME: 'rel' } })).toBe(
      '/home/ada/.config/GLIF Workbench',
    );
  });

  it('macOS: ~/Library/Application Support', () => {
    expect(defaultDataDir({ platform: 'darwin', homedir: '/Users/ada', env: {} })).toBe(
      '/Users/ada/Library/Application Support/GLIF Workbench',
    );
  });

  it('Windows: %APPDATA%', () => {
    expect(
      defaultDataDir({
        platform: 'win32',
        homedir: 'C:\\Users\\ada',
        env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' },
      }),
    ).toBe('C:\\Users\\ada\\AppData\\Roaming\\GLIF Workbench');
    expect(defaultDbPath({ platform: 'win32', homedir: 'C:\\Users\\ada', env: {} })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\GLIF Workbench\\runs.sqlite',
    );
  });

  it('GLIF_DATA_DIR overrides it on every platform', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      expect(defaultDataDir({ platform, homedir: '/h', env: { GLIF_DATA_DIR: '/data/glif' } })).toBe(
        '/data/glif',
      );
    }
    expect(defaultDbPath({ platform: 'linux', homedir: '/h', env: { GLIF_DATA_DIR: '/data/glif' } })).toBe(
      '/data/glif/runs.sqlite',
    );
    expect(defaultDataDir({ platform: 'linux', homedir: '/h', env: { GLIF_DATA_DIR: '  ' } })).toBe(
      '/h/.config/GLIF Workbench',
    );
  });

  it('uses the real environment by default', () => {
    const saved = process.env.GLIF_DATA_DIR;
    process.env.GLIF_DATA_DIR = '/tmp/glif-env-test';
    try {
      expect(defaultDbPath()).toBe(path.join('/tmp/glif-env-test', 'runs.sqlite'));
    } finally {
      if (saved === undefined) delete process.env.GLIF_DATA_DIR;
      else process.env.GLIF_DATA_DIR = saved;
    }
  });

  it('checkpoint folders are <dataDir>/checkpoints/<runId>, and only for run ids', () => {
    const id = newRunId();
    expect(checkpointDir(id, '/data')).toBe(path.join('/data', 'checkpoints', id));
    expect(() => checkpointDir('../../etc', '/data')).toThrow(RunStoreError);
  });
});

describe('run ids', () => {
  it('are r + 9 base36 time digits + 6 random digits, sortable by time', () => {
    const early = newRunId(1_000, () => 0.999);
    const late = newRunId(1_700_000_000_000, () => 0);
    expect(early).toMatch(/^r0000000rszzzzzz$/);
    expect(late).toMatch(/^r0loyw3v28000000$/);
    expect(isRunId(early) && isRunId(late)).toBe(true);
    expect(early < late).toBe(true);
    expect(isRunId('r123')).toBe(false);
    const many = new Set(Array.from({ length: 200 }, () => newRunId(5)));
    expect(many.size).toBe(200);
  });
});
