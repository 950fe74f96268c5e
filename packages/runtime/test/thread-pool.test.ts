import { availableParallelism } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ThreadPool } from '@virnyflow/runtime';
import type { PoolTask } from './fixtures/pool-task.thread';

const ENTRY = new URL('./fixtures/pool-task.thread.mjs', import.meta.url);

describe('ThreadPool', () => {
  // Thread start-up (tsx loader + imports) dominates these tests, so tests that leave the pool usable share
  // one; tests that close a pool get their own.
  let shared: ThreadPool<PoolTask, unknown>;
  beforeAll(() => {
    shared = new ThreadPool<PoolTask, unknown>({ filename: ENTRY, threads: 1 });
  });
  afterAll(async () => {
    await shared.close();
  });
  const pools: ThreadPool<PoolTask, unknown>[] = [];
  const make = (threads: number): ThreadPool<PoolTask, unknown> => {
    const p = new ThreadPool<PoolTask, unknown>({ filename: ENTRY, threads });
    pools.push(p);
    return p;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close({ force: true })));
  });

  it('warmUp resolves once every thread has loaded its entry module, without counting as tasks', async () => {
    const loaded = new Int32Array(new SharedArrayBuffer(4));
    const pool = new ThreadPool<PoolTask, unknown>({ filename: ENTRY, threads: 2, workerData: { loaded } });
    pools.push(pool);
    await pool.warmUp();
    expect(Atomics.load(loaded, 0)).toBe(2);
    expect(pool.stats()).toMatchObject({ completed: 0, failed: 0, pending: 0 });
    expect(await pool.run({ op: 'sleep', ms: 1, tag: 7 })).toBe(7);
    await pool.close();
    await expect(pool.warmUp()).rejects.toMatchObject({ code: 'VF_RUNTIME_POOL_CLOSED' });
  });

  it('moves a typed array to the thread without copying: the source buffer is detached', async () => {
    const pool = shared;
    const data = Float64Array.from({ length: 100_000 }, (_, i) => i);
    const result = await pool.run({ op: 'sum', data }, { transferList: [data.buffer] });
    // sum 0..n-1 = n(n-1)/2
    expect(result).toEqual({ sum: (100_000 * 99_999) / 2, length: 100_000 });
    expect(data.byteLength).toBe(0);
    expect(data.buffer.byteLength).toBe(0);
  });

  it('without a transfer list the array is copied and stays usable', async () => {
    const pool = shared;
    const data = Float64Array.of(1, 2, 3.5);
    expect(await pool.run({ op: 'sum', data })).toEqual({ sum: 6.5, length: 3 });
    expect(data.byteLength).toBe(24);
  });

  it('moves a result back with moveBuffer, both directions without copies', async () => {
    const pool = shared;
    const data = Float64Array.of(1, -2, 0.25);
    const out = (await pool.run({ op: 'double', data }, { transferList: [data.buffer] })) as Float64Array;
    expect(data.byteLength).toBe(0);
    expect(out).toBeInstanceOf(Float64Array);
    expect(Array.from(out)).toEqual([2, -4, 0.5]);
  });

  it("rebuilds the task's own error with its code, retryable flag and details", async () => {
    const pool = shared;
    await expect(pool.run({ op: 'fail', code: 'VF_IMPUTER_COLUMN' })).rejects.toMatchObject({
      name: 'VirnyFlowError',
      code: 'VF_IMPUTER_COLUMN',
      retryable: false,
      details: { column: 'x' },
    });
  });

  it('abort: a running CPU-bound task is cut short with VF_RUNTIME_TASK_ABORTED and the pool goes on', async () => {
    const pool = shared;
    const ac = new AbortController();
    const running = pool.run({ op: 'spin', ms: 20_000 }, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 300));
    ac.abort('user cancelled');
    await expect(running).rejects.toMatchObject({ code: 'VF_RUNTIME_TASK_ABORTED' });
    expect(await pool.run({ op: 'sleep', ms: 1, tag: 7 })).toBe(7);
  });

  it('abort: an already-aborted signal rejects without running', async () => {
    const pool = shared;
    await expect(
      pool.run({ op: 'sleep', ms: 1, tag: 1 }, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({
      code: 'VF_RUNTIME_TASK_ABORTED',
    });
  });

  it('close({ force: true }) while busy rejects running and queued tasks with VF_RUNTIME_POOL_CLOSED', async () => {
    const pool = make(1);
    const running = pool.run({ op: 'spin', ms: 20_000 });
    const queued = [1, 2, 3].map((tag) => pool.run({ op: 'sleep', ms: 1, tag }));
    await new Promise((r) => setTimeout(r, 300));
    const results = Promise.allSettled([running, ...queued]);
    await pool.close({ force: true });
    for (const r of await results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'VF_RUNTIME_POOL_CLOSED' });
    }
    expect(pool.state).toBe('closed');
  });

  it('a thread that dies fails its task with VF_RUNTIME_THREAD_FAILED and is replaced', async () => {
    const pool = shared;
    await expect(pool.run({ op: 'crash' })).rejects.toMatchObject({ code: 'VF_RUNTIME_THREAD_FAILED' });
    expect(await pool.run({ op: 'sleep', ms: 1, tag: 9 })).toBe(9);
  });

  it('reports utilisation stats', async () => {
    const pool = shared;
    const before = pool.stats();
    await Promise.all([1, 2, 3, 4].map((tag) => pool.run({ op: 'sleep', ms: 30, tag })));
    await expect(pool.run({ op: 'fail', code: 'VF_X' })).rejects.toMatchObject({ code: 'VF_X' });
    const s = pool.stats();
    expect(s.threads).toBe(1);
    expect(s.completed - before.completed).toBe(4);
    expect(s.failed - before.failed).toBe(1);
    expect(s.pending).toBe(0);
    expect(s.queued).toBe(0);
    expect(s.utilization).toBeGreaterThan(0);
    expect(s.utilization).toBeLessThanOrEqual(1);
    expect(s.meanRunMs).toBeGreaterThan(0);
  });

  it('defaults to the available parallelism and validates the thread count', async () => {
    const pool = new ThreadPool({ filename: ENTRY });
    expect(pool.threads).toBe(availableParallelism());
    await pool.close({ force: true });
    expect(() => new ThreadPool({ filename: ENTRY, threads: 0 })).toThrow(
      expect.objectContaining({ code: 'VF_RUNTIME_INVALID_OPTION' }),
    );
  });

  it('close() while busy finishes every accepted task, then rejects new ones with VF_RUNTIME_POOL_CLOSED', async () => {
    // Last test on the shared pool: closes it (afterAll's close is then a no-op).
    const pool = shared;
    const tasks = [1, 2, 3, 4, 5].map((tag) => pool.run({ op: 'sleep', ms: 20, tag }));
    const closed = pool.close();
    expect(pool.state).toBe('closing');
    await expect(pool.run({ op: 'sleep', ms: 1, tag: 0 })).rejects.toMatchObject({
      code: 'VF_RUNTIME_POOL_CLOSED',
    });
    expect(await Promise.all(tasks)).toEqual([1, 2, 3, 4, 5]);
    await closed;
    expect(pool.state).toBe('closed');
  });
});
