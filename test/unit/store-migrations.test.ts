import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWriterDatabase } from '../../src-main/runs/store/connection';
import { migrate, schemaVersion } from '../../src-main/runs/store/migrate';
import {
  LATEST_SCHEMA_VERSION,
  MIGRATIONS,
  RunStore,
  RunStoreError,
  openRunStoreReader,
  type Migration,
} from '../../src-main/runs/store';

let dir: string;
let dbFile: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-store-migrations-'));
  dbFile = path.join(dir, 'runs.sqlite');
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function rawDb(): Database.Database {
  const db = new Database(dbFile);
  db.pragma('foreign_keys = ON');
  return db;
}

function tableNames(db: Database.Database): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all() as Array<{ name: string }>;
  return rows.map((r) => r.name);
}

function indexNames(db: Database.Database): string[] {
  const rows = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as Array<{ name: string }>;
  return rows.map((r) => r.name);
}

function expectStoreError(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(RunStoreError);
  expect((caught as RunStoreError).code).toBe(code);
}

/**
 * One case per migration: rows seeded with the schema of the previous version, then checks
 * after migrating to this version. Adding migration N without a case here fails the
 * "every migration has a case" test below.
 */
const MIGRATION_CASES: Record<
  number,
  { seed(db: Database.Database): void; check(db: Database.Database): void }
> = {
  1: {
    // Version 0 is an empty file: nothing to seed.
    seed() {},
    check(db) {
      expect(tableNames(db)).toEqual(['checkpoints', 'distributions', 'metrics', 'runs', 'tags']);
      db.prepare(
        `INSERT INTO runs (id, name, status, created_at, config_json, dataset, model)
         VALUES ('r1', 'a', 'queued', 1, '{}', 'mnist', 'mlp')`,
      ).run();
      expect(() =>
        db
          .prepare(
            `INSERT INTO runs (id, name, status, created_at, config_json, dataset, model)
             VALUES ('r2', 'b', 'paused', 1, '{}', 'mnist', 'mlp')`,
          )
          .run(),
      ).toThrow(/CHECK constraint failed/);
      expect(() =>
        db
          .prepare("INSERT INTO metrics (run_id, step, epoch, name, value) VALUES ('nope', 0, 0, 'loss', 1)")
          .run(),
      ).toThrow(/FOREIGN KEY/);
      expect(() =>
        db
          .prepare(
            `INSERT INTO runs (id, name, status, created_at, config_json, dataset, model)
             VALUES ('r3', 'c', 'queued', 1, '{not json', 'mnist', 'mlp')`,
          )
          .run(),
      ).toThrow(/CHECK constraint failed/);
    },
  },
  2: {
    seed(db) {
      const insertRun = db.prepare(
        `INSERT INTO runs (id, name, status, created_at, config_json, dataset, model, lr, final_test_accuracy, notes)
         VALUES (?, ?, ?, ?, ?, 'fashion-mnist', 'cifarnet', ?, ?, ?)`,
      );
      insertRun.run('r0000000001aaaaaa', 'first', 'completed', 1000, '{"lr":0.1}', 0.1, 0.91, 'kept note');
      insertRun.run('r0000000002bbbbbb', 'second', 'failed', 2000, '{"lr":0.01}', 0.01, null, '');
      const insertMetric = db.prepare(
        'INSERT INTO metrics (run_id, step, epoch, name, value) VALUES (?, ?, ?, ?, ?)',
      );
      for (let step = 0; step < 50; step++)
        insertMetric.run('r0000000001aaaaaa', step, Math.floor(step / 10), 'loss', 1 / (step + 1));
      db.prepare("INSERT INTO tags (run_id, tag) VALUES ('r0000000001aaaaaa', 'baseline')").run();
      db.prepare(
        `INSERT INTO checkpoints (run_id, epoch, step, path, sha256, bytes, created_at)
         VALUES ('r0000000001aaaaaa', 4, 49, '/x/ckpt-4', ?, 10, 3000)`,
      ).run('a'.repeat(64));
    },
    check(db) {
      const runs = db
        .prepare('SELECT id, name, status, lr, final_test_accuracy, notes FROM runs ORDER BY id')
        .all();
      expect(runs).toEqual([
        {
          id: 'r0000000001aaaaaa',
          name: 'first',
          status: 'completed',
          lr: 0.1,
          final_test_accuracy: 0.91,
          notes: 'kept note',
        },
        {
          id: 'r0000000002bbbbbb',
          name: 'second',
          status: 'failed',
          lr: 0.01,
          final_test_accuracy: null,
          notes: '',
        },
      ]);
      const metrics = db
        .prepare("SELECT count(*) AS n, sum(step) AS s FROM metrics WHERE run_id = 'r0000000001aaaaaa'")
        .get();
      expect(metrics).toEqual({ n: 50, s: (49 * 50) / 2 });
      expect(db.prepare('SELECT tag FROM tags').all()).toEqual([{ tag: 'baseline' }]);
      expect(db.prepare('SELECT epoch FROM checkpoints').all()).toEqual([{ epoch: 4 }]);

      const indexes = indexNames(db);
      expect(indexes).toContain('metrics_run_name_step');
      expect(indexes).toContain('runs_dataset_model');
      expect(indexes).toContain('tags_tag');
      const plan = db
        .prepare(
          'EXPLAIN QUERY PLAN SELECT step, value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step',
        )
        .all('r0000000001aaaaaa', 'loss') as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join(' ')).toContain('metrics_run_name_step');
    },
  },
  3: {
    seed(db) {
      db.prepare(
        `INSERT INTO runs (id, name, status, created_at, config_json, dataset, model, backend)
         VALUES ('r0000000003cccccc', 'old', 'completed', 1000, '{}', 'fashion-mnist', 'fmnist-cnn', 'wasm')`,
      ).run();
    },
    check(db) {
      // Runs from before the column keep everything and have no thread count; new ones can set it.
      expect(db.prepare('SELECT id, backend, threads FROM runs').all()).toEqual([
        { id: 'r0000000003cccccc', backend: 'wasm', threads: null },
      ]);
      db.prepare("UPDATE runs SET threads = 2 WHERE id = 'r0000000003cccccc'").run();
      expect(db.prepare('SELECT threads FROM runs').get()).toEqual({ threads: 2 });
    },
  },
  4: {
    seed(db) {
      db.prepare(
        `INSERT INTO runs (id, name, status, created_at, started_at, duration_ms, config_json, dataset, model)
         VALUES ('r0000000004dddddd', 'old', 'completed', 1000, 2000, 5000, '{}', 'mnist', 'mlp')`,
      ).run();
    },
    check(db) {
      // Runs from before the columns keep their duration and have no attempt times.
      expect(db.prepare('SELECT duration_ms, attempt_started_at, last_active_at FROM runs').all()).toEqual([
        { duration_ms: 5000, attempt_started_at: null, last_active_at: null },
      ]);
    },
  },
  5: {
    seed(db) {
      db.prepare(
        `INSERT INTO runs (id, name, status, created_at, config_json, dataset, model, backend, threads)
         VALUES ('r0000000005eeeeee', 'old', 'completed', 1000, '{}', 'mnist', 'mlp', 'wasm', 2)`,
      ).run();
    },
    check(db) {
      // Runs from before the column do not know their neuron implementation; new ones record it.
      expect(db.prepare('SELECT backend, threads, neuron_impl FROM runs').all()).toEqual([
        { backend: 'wasm', threads: 2, neuron_impl: null },
      ]);
      db.prepare("UPDATE runs SET neuron_impl = 'fused' WHERE id = 'r0000000005eeeeee'").run();
      expect(db.prepare('SELECT neuron_impl FROM runs').get()).toEqual({ neuron_impl: 'fused' });
    },
  },
  6: {
    seed(db) {
      db.prepare(
        `INSERT INTO runs (id, name, status, created_at, config_json, dataset, model)
         VALUES ('r0000000006ffffff', 'old', 'completed', 1000, '{}', 'mnist', 'mlp')`,
      ).run();
      db.prepare(
        "INSERT INTO metrics (run_id, step, epoch, name, value) VALUES ('r0000000006ffffff', 3, 0, 'train/loss', 0.5)",
      ).run();
    },
    check(db) {
      // Points from before the column keep their values and have no record time; new ones carry it.
      expect(db.prepare('SELECT step, value, recorded_at FROM metrics').all()).toEqual([
        { step: 3, value: 0.5, recorded_at: null },
      ]);
      db.prepare('UPDATE metrics SET recorded_at = 1234').run();
      expect(db.prepare('SELECT recorded_at FROM metrics').get()).toEqual({ recorded_at: 1234 });
    },
  },
  7: {
    seed(db) {
      db.prepare(
        `INSERT INTO runs (id, name, status, created_at, config_json, dataset, model, backend)
         VALUES ('r0000000007aaaaaa', 'old', 'completed', 1000, '{}', 'mnist', 'mlp', 'wasm')`,
      ).run();
    },
    check(db) {
      // Runs from before the column name no adapter; a webgpu run stores its adapter's JSON.
      expect(db.prepare('SELECT backend, adapter_json FROM runs').all()).toEqual([
        { backend: 'wasm', adapter_json: null },
      ]);
      db.prepare(`UPDATE runs SET adapter_json = '{"vendor":"mesa"}'`).run();
      expect(db.prepare('SELECT adapter_json FROM runs').get()).toEqual({
        adapter_json: '{"vendor":"mesa"}',
      });
    },
  },
  8: {
    seed(db) {
      db.prepare(
        `INSERT INTO runs (id, name, status, created_at, config_json, dataset, model, backend, adapter_json)
         VALUES ('r0000000008bbbbbb', 'old', 'failed', 1000, '{}', 'mnist', 'mlp', 'webgpu', '{"vendor":"mesa"}')`,
      ).run();
    },
    check(db) {
      // Runs from before the column asked for nothing (their host chose) and keep what they ran on.
      expect(db.prepare('SELECT backend, adapter_json, requested_backend FROM runs').all()).toEqual([
        { backend: 'webgpu', adapter_json: '{"vendor":"mesa"}', requested_backend: null },
      ]);
      db.prepare("UPDATE runs SET requested_backend = 'cpu'").run();
      expect(db.prepare('SELECT requested_backend FROM runs').get()).toEqual({ requested_backend: 'cpu' });
    },
  },
  9: {
    seed(db) {
      db.prepare(
        `INSERT INTO runs (id, name, status, created_at, config_json, dataset, model, energy_sops)
         VALUES ('r0000000009cccccc', 'old', 'completed', 1000, '{}', 'mnist', 'mlp', 1234.5)`,
      ).run();
    },
    check(db) {
      // Runs from before MACs were counted keep their SOPs and have no MACs or energy.
      expect(db.prepare('SELECT energy_sops, energy_macs, energy_uj FROM runs').all()).toEqual([
        { energy_sops: 1234.5, energy_macs: null, energy_uj: null },
      ]);
      db.prepare('UPDATE runs SET energy_macs = 10, energy_uj = 0.5').run();
      expect(db.prepare('SELECT energy_macs, energy_uj FROM runs').get()).toEqual({
        energy_macs: 10,
        energy_uj: 0.5,
      });
    },
  },
};

describe('migrations', () => {
  it('are numbered 1..n, one file each, named NNN-<name>.ts', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
    const migrationsDir = fileURLToPath(new URL('../../src-main/runs/store/migrations', import.meta.url));
    const files = fs
      .readdirSync(migrationsDir)
      .filter((f) => /^\d{3}-/.test(f))
      .sort();
    expect(files).toEqual(MIGRATIONS.map((m) => `${String(m.version).padStart(3, '0')}-${m.name}.ts`));
  });

  it('every migration has a seeded upgrade case', () => {
    expect(
      Object.keys(MIGRATION_CASES)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(MIGRATIONS.map((m) => m.version));
  });

  for (const migration of MIGRATIONS) {
    it(`${String(migration.version).padStart(3, '0')}-${migration.name}: migrates from version ${migration.version - 1} with seeded rows`, () => {
      const db = rawDb();
      try {
        migrate(db, { target: migration.version - 1 });
        expect(schemaVersion(db)).toBe(migration.version - 1);
        const testCase = MIGRATION_CASES[migration.version];
        testCase.seed(db);
        expect(migrate(db, { target: migration.version })).toEqual([migration.version]);
        expect(schemaVersion(db)).toBe(migration.version);
        testCase.check(db);
      } finally {
        db.close();
      }
    });
  }

  it('a fresh file gets the latest schema and the connection settings', () => {
    const store = RunStore.open(dbFile);
    store.close();
    const db = openWriterDatabase(dbFile);
    try {
      expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      // Reopening applies nothing.
      expect(migrate(db)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('refuses a database newer than the code, for the writer and the reader', () => {
    RunStore.open(dbFile).close();
    const db = rawDb();
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();

    expectStoreError(() => RunStore.open(dbFile), 'schema_too_new');
    expectStoreError(() => openRunStoreReader(dbFile), 'schema_too_new');
    expect(() => RunStore.open(dbFile)).toThrow(
      `has schema version ${LATEST_SCHEMA_VERSION + 1}, but this GLIF Workbench only knows versions up to ${LATEST_SCHEMA_VERSION}`,
    );
    // The refusal must not have touched the file.
    const check = rawDb();
    expect(schemaVersion(check)).toBe(LATEST_SCHEMA_VERSION + 1);
    check.close();
  });

  it('refuses a newer database before changing anything: same bytes, same journal mode, no -wal file', () => {
    // A newer version's file in rollback-journal mode: switching it to WAL would rewrite its
    // header (bytes 18-19) and create runs.sqlite-wal, so either shows that it was touched.
    const db = rawDb();
    db.exec('CREATE TABLE from_the_future (x INTEGER); INSERT INTO from_the_future VALUES (1);');
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    db.close();
    const before = fs.readFileSync(dbFile);

    expectStoreError(() => RunStore.open(dbFile), 'schema_too_new');
    expectStoreError(() => openWriterDatabase(dbFile), 'schema_too_new');

    expect(fs.readFileSync(dbFile).equals(before)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['runs.sqlite']);
    const check = new Database(dbFile, { readonly: true });
    try {
      expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
      expect(schemaVersion(check)).toBe(LATEST_SCHEMA_VERSION + 1);
    } finally {
      check.close();
    }
  });

  it('a reader refuses a database the writer has not migrated yet', () => {
    const db = rawDb();
    migrate(db, { target: 1 });
    db.close();
    expectStoreError(() => openRunStoreReader(dbFile), 'schema_too_old');
    expectStoreError(() => openRunStoreReader(path.join(dir, 'missing.sqlite')), 'not_found');
  });

  it('a failing migration leaves the previous version and no partial schema', () => {
    const broken: Migration = {
      version: 2,
      name: 'broken',
      up(db) {
        db.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('boom');
      },
    };
    const db = rawDb();
    try {
      expect(() => migrate(db, { migrations: [MIGRATIONS[0], broken] })).toThrow('boom');
      expect(schemaVersion(db)).toBe(1);
      expect(tableNames(db)).not.toContain('half_done');
    } finally {
      db.close();
    }
  });

  it('rejects a migration list with gaps', () => {
    const db = rawDb();
    try {
      const gap: Migration = { ...MIGRATIONS[0], version: 3 };
      expect(() => migrate(db, { migrations: [MIGRATIONS[0], gap] })).toThrow(/expected 2/);
    } finally {
      db.close();
    }
  });
});
