import type Database from 'better-sqlite3';

/**
 * One schema step. `up` runs inside the transaction that also sets `PRAGMA user_version` to
 * `version`, so a migration either applies completely or not at all. Never edit a released
 * migration: add the next number instead.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}
