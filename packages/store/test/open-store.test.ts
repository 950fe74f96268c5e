import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STORE_ENV_VAR, StoreErrorCode, openStore, redactMongoUri, resolveStoreSpec } from '../src/index';
import { databaseFromMongoUri, mongoUriWithDatabase } from '../src/mongo-uri';

describe('resolveStoreSpec', () => {
  it('prefers the argument, then VIRNYFLOW_STORE, then the default directory', () => {
    const env = { [STORE_ENV_VAR]: 'mongodb://db.example:27017/vf' };
    expect(resolveStoreSpec('runs/exp', { env, defaultDir: 'd' })).toEqual({
      kind: 'sqlite',
      spec: 'runs/exp',
      source: 'argument',
    });
    expect(resolveStoreSpec(undefined, { env, defaultDir: 'd' })).toEqual({
      kind: 'mongodb',
      spec: 'mongodb://db.example:27017/vf',
      source: 'env',
    });
    expect(resolveStoreSpec('  ', { env: {}, defaultDir: 'd' })).toEqual({
      kind: 'sqlite',
      spec: 'd',
      source: 'default',
    });
    expect(resolveStoreSpec('mongodb+srv://u:p@cluster.example/x', { env: {} }).kind).toBe('mongodb');
  });

  it('rejects a missing spec and unknown schemes, without echoing passwords', () => {
    expect(() => resolveStoreSpec(undefined, { env: {} })).toThrow(
      expect.objectContaining({ code: StoreErrorCode.InvalidSpec }),
    );
    let message = '';
    try {
      resolveStoreSpec('postgres://user:secret@host/db', { env: {} });
    } catch (err) {
      expect(err).toMatchObject({ code: StoreErrorCode.InvalidSpec, details: { scheme: 'postgres' } });
      message = (err as Error).message;
    }
    expect(message).toContain('postgres');
    expect(message).not.toContain('secret');
  });

  it('opens the embedded store for a directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-open-'));
    try {
      const store = await openStore(undefined, { env: { [STORE_ENV_VAR]: dir } });
      expect(store.info.kind).toBe('sqlite');
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an unreachable MongoDB server as retryable VF_STORE_UNAVAILABLE', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    await expect(
      openStore('mongodb://127.0.0.1:1/vf', { mongo: { serverSelectionTimeoutMS: 300 } }),
    ).rejects.toMatchObject({ code: StoreErrorCode.Unavailable, retryable: true });
  });

  it('rejects a malformed MongoDB URI as VF_STORE_INVALID_SPEC', async () => {
    await expect(openStore('mongodb://127.0.0.1:1/vf?tls=maybe')).rejects.toMatchObject({
      code: StoreErrorCode.InvalidSpec,
    });
  });
});

describe('MongoDB URI helpers', () => {
  it('reads and replaces the database path, keeping hosts, credentials and options', () => {
    expect(databaseFromMongoUri('mongodb://localhost:27017')).toBeUndefined();
    expect(databaseFromMongoUri('mongodb://localhost:27017/')).toBeUndefined();
    expect(databaseFromMongoUri('mongodb://u:p%2Fq@h1:1,h2:2/my%20db?replicaSet=rs0')).toBe('my db');
    expect(mongoUriWithDatabase('mongodb://u:p@h1:1,h2:2/old?replicaSet=rs0&w=majority', 'new_db')).toBe(
      'mongodb://u:p@h1:1,h2:2/new_db?replicaSet=rs0&w=majority',
    );
    expect(mongoUriWithDatabase('mongodb+srv://cluster.example', 'x')).toBe(
      'mongodb+srv://cluster.example/x',
    );
    expect(mongoUriWithDatabase('mongodb://h?tls=true', 'x')).toBe('mongodb://h/x?tls=true');
  });

  it('masks passwords', () => {
    expect(redactMongoUri('mongodb://alice:s3cr%40t@h1,h2/db?tls=true')).toBe(
      'mongodb://alice:***@h1,h2/db?tls=true',
    );
    expect(redactMongoUri('mongodb://alice@h/db')).toBe('mongodb://alice@h/db');
    expect(redactMongoUri('mongodb://h/db?tlsCertificateKeyFilePassword=pw&w=1')).toBe(
      'mongodb://h/db?tlsCertificateKeyFilePassword=***&w=1',
    );
  });
});
