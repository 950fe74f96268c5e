import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessTransport, sha256Hex } from '@virnyflow/runtime';
import type { Transport } from '@virnyflow/runtime';
import { openStore } from '@virnyflow/store';
import { BlobCache } from '../src/blob-cache';
import { runExperiment } from '../src/run';
import { demoConfig, tempDirs } from './helpers';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('BlobCache', () => {
  it('stores by content hash and trusts a file only if it hashes to its name', async () => {
    const cache = new BlobCache(join(dirs.make(), 'nested', 'cache'));
    const bytes = new TextEncoder().encode('prepared dataset bytes');
    const hash = cache.write(bytes);
    expect(hash).toBe(sha256Hex(bytes));
    expect(cache.read(hash)).toEqual(bytes);
    expect(readdirSync(cache.dir)).toEqual([`${hash}.blob`]);

    // A truncated (or otherwise damaged) file is ignored, and the next read-through replaces it.
    writeFileSync(cache.path(hash), bytes.subarray(0, 5));
    expect(cache.read(hash)).toBeNull();
    let fetches = 0;
    const fetch = (): Promise<Uint8Array | null> => {
      fetches++;
      return Promise.resolve(bytes);
    };
    expect(await cache.readThrough(hash, fetch)).toEqual(bytes);
    expect(await cache.readThrough(hash, fetch)).toEqual(bytes);
    expect(fetches).toBe(1);
    expect(cache.read(hash)).toEqual(bytes);

    // What a fetch returns under the wrong hash is passed on but never cached under that hash.
    const other = sha256Hex(new TextEncoder().encode('other'));
    expect(await cache.readThrough(other, fetch)).toEqual(bytes);
    expect(existsSync(cache.path(other))).toBe(false);
    expect(() => cache.path('../../etc/passwd')).toThrow(/not a sha256/);
  });
});

describe('a blob cache directory shared by the coordinator and the evaluator', () => {
  it('serves the dataset and context from the file system when the transport has none', async () => {
    const inner = new InProcessTransport();
    let getBlobCalls = 0;
    // The transport's blob store answers nothing (as if its object store were unreachable): the only way
    // for the evaluator to get the dataset is the shared directory.
    const transport: Transport = {
      kind: inner.kind,
      publishTask: (m) => inner.publishTask(m),
      consumeTasks: (h, o) => inner.consumeTasks(h, o),
      consumeDeadLetters: (h) => inner.consumeDeadLetters(h),
      publishObservation: (m) => inner.publishObservation(m),
      consumeObservations: (h, o) => inner.consumeObservations(h, o),
      publishControl: (m) => inner.publishControl(m),
      subscribeControl: (h) => inner.subscribeControl(h),
      putBlob: (d) => inner.putBlob(d),
      getBlob: () => {
        getBlobCalls++;
        return Promise.resolve(null);
      },
      hasBlob: () => Promise.resolve(false),
      flush: () => inner.flush(),
      events: () => inner.events(),
      close: () => inner.close(),
    };
    const shared = dirs.make();
    const storeDir = dirs.make();
    try {
      const summary = await runExperiment({
        config: demoConfig({ name: 'shared-cache', budget: 4 }),
        storeDir,
        threads: 1,
        transport,
        blobCacheDir: shared,
      });
      expect(summary.runs[0]).toMatchObject({ status: 'completed', reason: 'budget' });
    } finally {
      await inner.close();
    }
    expect(getBlobCalls).toBe(0);
    // The prepared dataset and the experiment context.
    expect(readdirSync(shared).filter((f) => f.endsWith('.blob'))).toHaveLength(2);
    const store = await openStore(storeDir);
    try {
      const obs = await store.listObservations({ experiment: 'shared-cache', run: 1 });
      expect(obs).toHaveLength(4);
      expect(obs.every((o) => o.status === 'ok')).toBe(true);
    } finally {
      await store.close();
    }
  });
});
