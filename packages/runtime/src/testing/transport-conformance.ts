/**
 * The conformance suite every `Transport` implementation must pass, written once and run over each adapter:
 *
 * ```ts
 * import * as vitest from 'vitest';
 * describeTransportConformance('in-process', async ({ settings }) => new InProcessTransport(settings), vitest);
 * ```
 *
 * The vitest API is passed in rather than imported: this module is reachable from the package index, and
 * importing `vitest` outside a test run throws — so a static import here would break every program that
 * imports `@virnyflow/runtime`. Only types are imported from vitest.
 *
 * Timing: the suite shrinks the ack wait to a few hundred ms. It asserts only lower bounds on time (a
 * delayed redelivery does not come early) and waits for events with generous deadlines, so a slow machine
 * makes it slower, not flaky.
 */
import type * as Vitest from 'vitest';
import type { Delivery, Transport, TransportSettings } from '../transport';

export type VitestApi = Pick<typeof Vitest, 'describe' | 'it' | 'expect' | 'afterEach'>;

export interface TransportFactoryContext {
  /** Unique per test, `[a-z0-9_]`, usable as a name prefix (streams, subjects). */
  id: string;
  /** Delivery settings the suite needs; pass them to the transport. */
  settings: Required<TransportSettings>;
}

export type TransportFactory = (ctx: TransportFactoryContext) => Promise<Transport>;

const ACK_WAIT_MS = 300;
const SETTINGS: Required<TransportSettings> = {
  ackWaitMs: ACK_WAIT_MS,
  maxDeliveries: 3,
  duplicateWindowMs: 60_000,
  observationAckWaitMs: 2_000,
};
const DEADLINE_MS = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean, timeoutMs = DEADLINE_MS): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Deterministic bytes (an LCG), so a corrupted round-trip cannot go unnoticed. */
function patternBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 0x12345678;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export function describeTransportConformance(
  name: string,
  makeTransport: TransportFactory,
  vt: VitestApi,
): void {
  const { describe, it, expect, afterEach } = vt;

  describe(`Transport conformance: ${name}`, () => {
    const open: Transport[] = [];
    let counter = 0;
    const make = async (): Promise<Transport> => {
      const id = `c${process.pid}_${Date.now().toString(36)}_${counter++}`;
      const t = await makeTransport({ id, settings: { ...SETTINGS } });
      open.push(t);
      return t;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((t) => t.close()));
    });

    it('publish -> consume -> ack delivers once with the payload intact', async () => {
      const t = await make();
      const payload = { config: { C: 0.5, kernel: 'rbf' }, fractions: [0.25, 1], note: 'é✓' };
      const receipt = await t.publishTask({ id: 'task-1', payload });
      expect(receipt).toEqual({ id: 'task-1', duplicate: false });
      const seen: Delivery[] = [];
      const acks: boolean[] = [];
      const c = t.consumeTasks(async (d) => {
        seen.push(d);
        acks.push(await d.ack());
      });
      await waitFor('the delivery', () => acks.length === 1);
      await sleep(ACK_WAIT_MS * 2.5);
      await c.stop();
      expect(seen).toHaveLength(1);
      expect(seen[0].id).toBe('task-1');
      expect(seen[0].payload).toEqual(payload);
      expect(seen[0].deliveryCount).toBe(1);
      expect(acks).toEqual([true]);
    });

    it('an unconfirmed ack, once flushed, removes the message as well', async () => {
      const t = await make();
      await t.publishTask({ id: 'fire-and-forget', payload: 2 });
      const counts: number[] = [];
      const acks: boolean[] = [];
      const c = t.consumeTasks(async (d) => {
        counts.push(d.deliveryCount);
        acks.push(await d.ack({ confirm: false }));
      });
      await waitFor('the delivery', () => acks.length === 1);
      await t.flush();
      // Well past the ack wait: an ack the server had not taken would have brought the task back.
      await sleep(ACK_WAIT_MS * 2.5);
      await c.stop();
      expect(counts).toEqual([1]);
      expect(acks).toEqual([true]);
      await t.close();
      await expect(t.flush()).rejects.toMatchObject({ code: 'VF_RUNTIME_TRANSPORT_CLOSED' });
    });

    it('nak -> redelivered, not before the requested delay', async () => {
      const t = await make();
      await t.publishTask({ id: 'nak-me', payload: 1 });
      const counts: number[] = [];
      const times: number[] = [];
      const c = t.consumeTasks(async (d) => {
        counts.push(d.deliveryCount);
        times.push(performance.now());
        if (d.deliveryCount === 1) d.nak(250);
        else await d.ack();
      });
      await waitFor('the redelivery', () => counts.length === 2);
      await c.stop();
      expect(counts).toEqual([1, 2]);
      // Lower bound only (with timer slack): the redelivery must not come before the requested delay.
      expect(times[1] - times[0]).toBeGreaterThanOrEqual(200);
    });

    it('ack-wait expiry -> redelivered to another consumer slot', async () => {
      const t = await make();
      await t.publishTask({ id: 'hang', payload: null });
      let release: () => void = () => undefined;
      const hung = new Promise<void>((r) => (release = r));
      const counts: number[] = [];
      let late: Delivery | null = null;
      const c = t.consumeTasks(
        async (d) => {
          counts.push(d.deliveryCount);
          if (d.deliveryCount === 1) {
            late = d;
            await hung; // a stuck evaluator: never settles in time
          } else {
            await d.ack();
          }
        },
        { concurrency: 2 },
      );
      await waitFor('the redelivery after ack wait', () => counts.length === 2);
      release();
      await c.stop();
      expect(counts).toEqual([1, 2]);
      expect((late as Delivery | null)?.id).toBe('hang');
    });

    it('term -> neither redelivered nor dead-lettered', async () => {
      const t = await make();
      await t.publishTask({ id: 'term-me', payload: 'x' });
      let deliveries = 0;
      let deadLetters = 0;
      const c = t.consumeTasks((d) => {
        deliveries++;
        d.term('bad input');
      });
      const dl = t.consumeDeadLetters(async (d) => {
        deadLetters++;
        await d.ack();
      });
      await waitFor('the delivery', () => deliveries === 1);
      await sleep(ACK_WAIT_MS * 3);
      await Promise.all([c.stop(), dl.stop()]);
      expect(deliveries).toBe(1);
      expect(deadLetters).toBe(0);
    });

    it('maxDeliveries exhausted -> surfaced once as a dead letter, then gone', async () => {
      const t = await make();
      await t.publishTask({ id: 'poison', payload: { lp: 'lp-3' } });
      await t.publishTask({ id: 'fine', payload: {} });
      const counts: number[] = [];
      let fineAcked = false;
      const c = t.consumeTasks(async (d) => {
        if (d.id === 'fine') {
          fineAcked = await d.ack();
          return;
        }
        counts.push(d.deliveryCount);
        d.nak();
      });
      const dead: { id: string; payload: unknown; deliveries: number }[] = [];
      const dl = t.consumeDeadLetters(async (d) => {
        dead.push({ id: d.id, payload: d.payload, deliveries: d.deliveries });
        await d.ack();
      });
      await waitFor('the dead letter', () => dead.length === 1);
      await sleep(ACK_WAIT_MS * 3);
      await Promise.all([c.stop(), dl.stop()]);
      expect(counts).toEqual([1, 2, 3]);
      expect(dead).toEqual([{ id: 'poison', payload: { lp: 'lp-3' }, deliveries: 3 }]);
      expect(fineAcked).toBe(true);
    });

    it('a dead letter not acked by its handler is surfaced again', async () => {
      const t = await make();
      await t.publishTask({ id: 'dl-retry', payload: 0 });
      const c = t.consumeTasks((d) => d.nak());
      let surfaced = 0;
      const dl = t.consumeDeadLetters(async (d) => {
        surfaced++;
        if (surfaced === 1) throw new Error('store unavailable');
        await d.ack();
      });
      await waitFor('the second surfacing', () => surfaced === 2);
      await Promise.all([c.stop(), dl.stop()]);
      expect(surfaced).toBe(2);
    });

    it('duplicate publish with the same id -> one delivery', async () => {
      const t = await make();
      const a = await t.publishTask({ id: 'dup', payload: { v: 1 } });
      const b = await t.publishTask({ id: 'dup', payload: { v: 2 } });
      await t.publishTask({ id: 'other', payload: { v: 3 } });
      expect(a.duplicate).toBe(false);
      expect(b.duplicate).toBe(true);
      const got: { id: string; payload: unknown }[] = [];
      const c = t.consumeTasks(async (d) => {
        got.push({ id: d.id, payload: d.payload });
        await d.ack();
      });
      await waitFor('both tasks', () => got.length === 2);
      await sleep(ACK_WAIT_MS);
      await c.stop();
      expect(got).toEqual([
        { id: 'dup', payload: { v: 1 } },
        { id: 'other', payload: { v: 3 } },
      ]);
    });

    it('inProgress() extends the ack deadline of long work', async () => {
      const t = await make();
      await t.publishTask({ id: 'long', payload: null });
      const counts: number[] = [];
      let acked = false;
      const c = t.consumeTasks(
        async (d) => {
          counts.push(d.deliveryCount);
          // Work for ~3 ack waits, heartbeating at a sixth of the ack wait (slack for a busy event loop).
          for (let i = 0; i < 18; i++) {
            await sleep(ACK_WAIT_MS / 6);
            d.inProgress();
          }
          acked = await d.ack();
        },
        { concurrency: 2 },
      );
      await waitFor('the ack', () => acked);
      await sleep(ACK_WAIT_MS);
      await c.stop();
      expect(counts).toEqual([1]);
    });

    it('a handler that throws or returns without settling gets the message again', async () => {
      const t = await make();
      await t.publishTask({ id: 'flaky', payload: null });
      const counts: number[] = [];
      const c = t.consumeTasks(async (d) => {
        counts.push(d.deliveryCount);
        if (d.deliveryCount === 1) throw new Error('boom');
        if (d.deliveryCount === 2) return;
        await d.ack();
      });
      await waitFor('the third delivery', () => counts.length === 3);
      await c.stop();
      expect(counts).toEqual([1, 2, 3]);
    });

    it('consumers share the task queue: every task goes to exactly one of them', async () => {
      const t = await make();
      const n = 40;
      const byConsumer: string[][] = [[], []];
      const cs = [0, 1].map((k) =>
        t.consumeTasks(
          async (d) => {
            byConsumer[k].push(d.id);
            await d.ack();
          },
          { concurrency: 2 },
        ),
      );
      for (let i = 0; i < n; i++) await t.publishTask({ id: `share-${i}`, payload: i });
      await waitFor('all tasks', () => byConsumer[0].length + byConsumer[1].length === n);
      await sleep(ACK_WAIT_MS);
      await Promise.all(cs.map((c) => c.stop()));
      const all = [...byConsumer[0], ...byConsumer[1]].sort();
      expect(all).toEqual(Array.from({ length: n }, (_, i) => `share-${i}`).sort());
    });

    it('observations arrive in publication order for each publisher', async () => {
      const t = await make();
      const n = 30;
      // Two publishers interleaved; each one's sequence must stay in order.
      for (let i = 0; i < n; i++) {
        await t.publishObservation({ id: `a-${i}`, payload: { i } });
        await t.publishObservation({ id: `b-${i}`, payload: { i } });
      }
      const got: string[] = [];
      const c = t.consumeObservations(async (d) => {
        got.push(d.id);
        await d.ack();
      });
      await waitFor('all observations', () => got.length === 2 * n);
      await c.stop();
      expect(got.filter((id) => id.startsWith('a-'))).toEqual(Array.from({ length: n }, (_, i) => `a-${i}`));
      expect(got.filter((id) => id.startsWith('b-'))).toEqual(Array.from({ length: n }, (_, i) => `b-${i}`));
    });

    it('observations are de-duplicated by task id and replayed until acked', async () => {
      const t = await make();
      await t.publishObservation({ id: 'obs-1', payload: { f1: 0.7 } });
      const dup = await t.publishObservation({ id: 'obs-1', payload: { f1: 0.7 } });
      expect(dup.duplicate).toBe(true);
      const counts: number[] = [];
      const c = t.consumeObservations(async (d) => {
        counts.push(d.deliveryCount);
        if (d.deliveryCount === 1)
          d.nak(); // the store write failed: must come back
        else await d.ack();
      });
      await waitFor('the replay', () => counts.length === 2);
      await sleep(300);
      await c.stop();
      expect(counts).toEqual([1, 2]);
    });

    it('control messages reach every subscriber and are validated', async () => {
      const t = await make();
      const a: string[] = [];
      const b: string[] = [];
      const sa = t.subscribeControl((m) => a.push(m.type));
      const sb = t.subscribeControl((m) => b.push(m.type === 'hello' ? m.worker_id : m.type));
      await sleep(50); // subscriptions reach the server
      await t.publishControl({
        version: 1,
        type: 'hello',
        worker_id: 'w1',
        host: 'h',
        pid: 1,
        threads: 4,
        sent_at: 1,
      });
      await t.publishControl({ version: 1, type: 'drain', worker_id: null, sent_at: 2 });
      await waitFor('both messages at both subscribers', () => a.length === 2 && b.length === 2);
      await Promise.all([sa.stop(), sb.stop()]);
      expect(a).toEqual(['hello', 'drain']);
      expect(b).toEqual(['w1', 'drain']);
      // A subscriber to some types gets only those.
      const onlyStop: string[] = [];
      const so = t.subscribeControl((m) => onlyStop.push(m.type), { types: ['drain', 'stop'] });
      const all: string[] = [];
      const sall = t.subscribeControl((m) => all.push(m.type));
      await sleep(50);
      await t.publishControl({ version: 1, type: 'goodbye', worker_id: 'w1', sent_at: 3 });
      await t.publishControl({ version: 1, type: 'stop', worker_id: 'w1', sent_at: 4 });
      await waitFor('both at the catch-all subscriber', () => all.length === 2);
      await sleep(50);
      await Promise.all([so.stop(), sall.stop()]);
      expect(all).toEqual(['goodbye', 'stop']);
      expect(onlyStop).toEqual(['stop']);
      const bad = { version: 1, type: 'hello', worker_id: 'w1' } as unknown as Parameters<
        Transport['publishControl']
      >[0];
      await expect(t.publishControl(bad)).rejects.toMatchObject({ code: 'VF_RUNTIME_INVALID_MESSAGE' });
    });

    it('rejects payloads JSON cannot carry and empty ids', async () => {
      const t = await make();
      await expect(t.publishTask({ id: 'big', payload: { n: 10n } })).rejects.toMatchObject({
        code: 'VF_RUNTIME_INVALID_MESSAGE',
      });
      await expect(t.publishTask({ id: '', payload: 1 })).rejects.toMatchObject({
        code: 'VF_RUNTIME_INVALID_MESSAGE',
      });
    });

    it('blob put/get round-trips a multi-MB dataset by content hash', async () => {
      const t = await make();
      const data = patternBytes(3 * 1024 * 1024 + 17);
      const info = await t.putBlob(data);
      expect(info.size).toBe(data.byteLength);
      expect(info.hash).toMatch(/^[0-9a-f]{64}$/);
      const again = await t.putBlob(data.slice());
      expect(again.hash).toBe(info.hash);
      expect(await t.hasBlob(info.hash)).toBe(true);
      const back = await t.getBlob(info.hash);
      expect(back).not.toBeNull();
      expect(back?.byteLength).toBe(data.byteLength);
      expect(Buffer.from(back as Uint8Array).equals(Buffer.from(data))).toBe(true);
      const missing = 'f'.repeat(64);
      expect(await t.hasBlob(missing)).toBe(false);
      expect(await t.getBlob(missing)).toBeNull();
      await expect(t.getBlob('not-a-hash')).rejects.toMatchObject({ code: 'VF_RUNTIME_INVALID_OPTION' });
    });

    it('close() is idempotent and later publishes fail with VF_RUNTIME_TRANSPORT_CLOSED', async () => {
      const t = await make();
      await t.close();
      await t.close();
      await expect(t.publishTask({ id: 'late', payload: 1 })).rejects.toMatchObject({
        code: 'VF_RUNTIME_TRANSPORT_CLOSED',
      });
    });
  });
}
