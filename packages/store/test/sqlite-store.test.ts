import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SQLITE_FILE_NAME, StoreErrorCode, openSqliteStore } from '../src/index';
import { SCHEMA_VERSION } from '../src/sqlite-schema';
import { SQLITE_QUERIES, listQuery } from '../src/sqlite-store';
import { describeExperimentStore } from '../src/testing/store-conformance';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vf-store-'));
  dirs.push(d);
  return d;
}

describeExperimentStore('sqlite', {
  newLocation: async () => join(tempDir(), 'experiment'),
  dispose: async (spec) => rmSync(dirname(spec), { recursive: true, force: true }),
  verifyIntegrity: async (spec) => {
    const db = new Database(join(spec, SQLITE_FILE_NAME));
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  },
});

describe('SQLite adapter specifics', () => {
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('creates <dir>/virnyflow.sqlite in WAL mode with the current schema version', async () => {
    const dir = join(tempDir(), 'nested', 'exp');
    const store = await openSqliteStore(dir);
    expect(store.info).toEqual({ kind: 'sqlite', location: join(dir, SQLITE_FILE_NAME) });
    await store.close();
    const db = new Database(join(dir, SQLITE_FILE_NAME), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_version').get()).toEqual({ version: SCHEMA_VERSION });
    const indexes = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as { name: string }[]
    ).map((r) => r.name);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'tasks_by_status',
        'observations_by_run',
        'observations_by_lp',
        'observations_best',
      ]),
    );
    db.close();
  });

  it('reopens a current file without migrating again', async () => {
    const dir = tempDir();
    await (await openSqliteStore(dir)).close();
    const db = new Database(join(dir, SQLITE_FILE_NAME));
    db.prepare('UPDATE schema_version SET updated_at = 0').run();
    db.close();
    await (await openSqliteStore(dir)).close();
    const check = new Database(join(dir, SQLITE_FILE_NAME), { readonly: true });
    expect(check.prepare('SELECT version, updated_at FROM schema_version').get()).toEqual({
      version: SCHEMA_VERSION,
      updated_at: 0,
    });
    check.close();
  });

  it('refuses a file written by a newer schema version, leaving it untouched', async () => {
    const dir = tempDir();
    await (await openSqliteStore(dir)).close();
    const db = new Database(join(dir, SQLITE_FILE_NAME));
    db.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION + 1);
    db.close();
    await expect(openSqliteStore(dir)).rejects.toMatchObject({
      code: StoreErrorCode.SchemaTooNew,
      details: { version: SCHEMA_VERSION + 1, supported: SCHEMA_VERSION },
    });
    const check = new Database(join(dir, SQLITE_FILE_NAME), { readonly: true });
    expect(check.prepare('SELECT version FROM schema_version').get()).toEqual({
      version: SCHEMA_VERSION + 1,
    });
    check.close();
  });

  it('reports a file that is not a SQLite database', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, SQLITE_FILE_NAME), 'this is a CSV, not a database\n'.repeat(100));
    await expect(openSqliteStore(dir)).rejects.toMatchObject({ code: StoreErrorCode.OpenFailed });
  });

  it('reports a directory that cannot be created', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    await expect(openSqliteStore(join(dir, 'file', 'exp'))).rejects.toMatchObject({
      code: StoreErrorCode.OpenFailed,
    });
  });

  it('applies the requested synchronous level', async () => {
    for (const [level, expected] of [
      ['NORMAL', 1],
      ['FULL', 2],
    ] as const) {
      const dir = tempDir();
      const store = await openSqliteStore(dir, { synchronous: level });
      // The pragma is per connection: read it through the store's own handle.
      const db = (store as unknown as { db: Database.Database }).db;
      expect(db.pragma('synchronous', { simple: true })).toBe(expected);
      await store.close();
    }
    await expect(openSqliteStore(tempDir(), { synchronous: 'OFF' as never })).rejects.toMatchObject({
      code: StoreErrorCode.InvalidArgument,
    });
  });

  it('uses the injected clock for timestamps', async () => {
    let now = 1_700_000_000_000;
    const store = await openSqliteStore(tempDir(), { now: () => now });
    const key = { experiment: 'clock', run: 0 };
    const { experiment } = await store.createExperiment({ ...key, config: {}, seed: 1 });
    expect(experiment.createdAt).toBe(1_700_000_000_000);
    now += 5000;
    await store.transitionExperiment(key, ['created'], 'running');
    expect(await store.getExperiment(key)).toMatchObject({
      startedAt: now,
      updatedAt: now,
      createdAt: now - 5000,
    });
    await store.close();
  });

  it('answers every query through an index, never a full table scan', async () => {
    const store = await openSqliteStore(tempDir());
    const db = (store as unknown as { db: Database.Database }).db;
    const queries: [string, string][] = Object.entries(SQLITE_QUERIES);
    for (const table of ['tasks', 'observations'] as const) {
      for (const status of ['none', 'one', 'many'] as const) {
        for (const byLp of [false, true]) {
          queries.push([`list ${table} ${status} ${byLp}`, listQuery(table, status, byLp)]);
        }
      }
    }
    // Reading all runs is the one query that is a scan by nature (it walks the primary-key index).
    const allowed = new Set(['listExperiments']);
    for (const [name, sql] of queries) {
      if (sql.trimStart().startsWith('INSERT') || allowed.has(name)) continue;
      const named = Object.fromEntries([...sql.matchAll(/@(\w+)/g)].map((m) => [m[1], '[]']));
      const positional = (sql.match(/\?/g) ?? []).map(() => 'x');
      const explain = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
      const plan = (
        (positional.length > 0 ? explain.all(...positional) : explain.all(named)) as { detail: string }[]
      ).map((r) => r.detail);
      const scans = plan.filter((d) =>
        /^SCAN (experiments|logical_pipelines|tasks|observations|metrics)\b/.test(d),
      );
      expect({ name, scans }).toEqual({ name, scans: [] });
      expect({
        name,
        usesIndex: plan.some(
          (d) => /USING (COVERING |INTEGER PRIMARY KEY|PRIMARY KEY|INDEX)/.test(d) || /USING .*INDEX/.test(d),
        ),
      }).toEqual({ name, usesIndex: true });
    }
    await store.close();
  });
});
