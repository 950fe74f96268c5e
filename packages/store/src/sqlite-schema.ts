/**
 * SQLite schema, as an append-only list of migrations. `MIGRATIONS[i]` takes a database from version `i`
 * to `i + 1`; the version lives in the one-row `schema_version` table. Never edit a shipped migration:
 * add a new one, so that files written by older builds upgrade in place.
 *
 * Layout notes:
 * - `sequence INTEGER PRIMARY KEY AUTOINCREMENT` is both the rowid and the monotonic insertion order the
 *   port promises (AUTOINCREMENT: never reused, even after deletes).
 * - Nested data is JSON text (`config`, `stats`, `components`, objective arrays, `failure`).
 * - `metrics` is WITHOUT ROWID keyed by (observation sequence, ord): an observation's rows are contiguous on
 *   disk and come back in recorded order with one range scan. With ~200 rows per observation it is by far
 *   the largest table, so rows refer to their observation by its integer sequence rather than repeating the
 *   task id: half the bytes per row, and half the write time in bench/store.bench.ts.
 * - Every index serves one query of the port (see the table in experiment-store.ts).
 */
export const MIGRATIONS: readonly string[] = [
  // 0 -> 1
  `
  CREATE TABLE experiments (
    experiment            TEXT    NOT NULL,
    run                   INTEGER NOT NULL,
    config                TEXT    NOT NULL,
    status                TEXT    NOT NULL,
    seed                  INTEGER NOT NULL,
    created_at            INTEGER NOT NULL,
    started_at            INTEGER,
    active_seconds        REAL    NOT NULL DEFAULT 0,
    best_compound_quality REAL,
    best_task_id          TEXT,
    updated_at            INTEGER NOT NULL,
    PRIMARY KEY (experiment, run)
  );

  CREATE TABLE logical_pipelines (
    sequence              INTEGER PRIMARY KEY AUTOINCREMENT,
    experiment            TEXT    NOT NULL,
    run                   INTEGER NOT NULL,
    uuid                  TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    components            TEXT    NOT NULL,
    stats                 TEXT    NOT NULL,
    num_trials            INTEGER NOT NULL DEFAULT 0,
    num_completed         INTEGER NOT NULL DEFAULT 0,
    surrogate_type        TEXT,
    acq_type              TEXT,
    acq_optimizer_type    TEXT,
    best_compound_quality REAL,
    UNIQUE (experiment, run, uuid)
  );
  CREATE INDEX logical_pipelines_by_run ON logical_pipelines (experiment, run, sequence);

  CREATE TABLE tasks (
    sequence   INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id    TEXT    NOT NULL UNIQUE,
    experiment TEXT    NOT NULL,
    run        INTEGER NOT NULL,
    lp_uuid    TEXT    NOT NULL,
    lp_name    TEXT    NOT NULL,
    config     TEXT    NOT NULL,
    seed       INTEGER NOT NULL,
    status     TEXT    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX tasks_by_run ON tasks (experiment, run, sequence);
  CREATE INDEX tasks_by_status ON tasks (experiment, run, status, sequence);
  CREATE INDEX tasks_by_lp ON tasks (experiment, run, lp_uuid, sequence);

  CREATE TABLE observations (
    sequence         INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id          TEXT    NOT NULL UNIQUE,
    experiment       TEXT    NOT NULL,
    run              INTEGER NOT NULL,
    lp_uuid          TEXT    NOT NULL,
    lp_name          TEXT    NOT NULL,
    config           TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    objectives       TEXT    NOT NULL,
    weighted         TEXT    NOT NULL,
    reversed         TEXT    NOT NULL,
    constraints      TEXT    NOT NULL,
    compound_quality REAL,
    halting_fraction REAL,
    elapsed_seconds  REAL    NOT NULL,
    worker           TEXT,
    failure          TEXT,
    created_at       INTEGER NOT NULL
  );
  CREATE INDEX observations_by_run ON observations (experiment, run, sequence);
  CREATE INDEX observations_by_lp ON observations (experiment, run, lp_uuid, sequence);
  CREATE INDEX observations_by_status ON observations (experiment, run, status);
  CREATE INDEX observations_best ON observations (experiment, run, lp_uuid, compound_quality DESC, sequence)
    WHERE status = 'ok';

  CREATE TABLE metrics (
    observation INTEGER NOT NULL REFERENCES observations (sequence),
    ord         INTEGER NOT NULL,
    split       TEXT    NOT NULL,
    metric      TEXT    NOT NULL,
    grp         TEXT    NOT NULL,
    value       REAL,
    PRIMARY KEY (observation, ord)
  ) WITHOUT ROWID;
  `,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
