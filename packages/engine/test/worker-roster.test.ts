import { afterEach, describe, expect, it } from 'vitest';
import { InProcessTransport } from '@virnyflow/runtime';
import type { EngineEvent } from '@virnyflow/engine';
import { WorkerRoster } from '@virnyflow/engine';

const transports: InProcessTransport[] = [];
afterEach(async () => {
  for (const t of transports.splice(0)) await t.close();
});

function roster(now: { t: number }, events: EngineEvent[]) {
  const transport = new InProcessTransport();
  transports.push(transport);
  const r = new WorkerRoster({
    transport,
    silentAfterMs: 10_000,
    rateWindowMs: 60_000,
    now: () => now.t,
    onEvent: (e) => events.push(e),
  });
  return { r, transport };
}

describe('WorkerRoster', () => {
  it('learns workers from hello and heartbeats sent over the transport, and their leaving', async () => {
    const now = { t: 1_000_000 };
    const events: EngineEvent[] = [];
    const { r, transport } = roster(now, events);
    r.start();
    await transport.publishControl({
      version: 1,
      type: 'hello',
      worker_id: 'w1',
      host: 'node-a',
      pid: 11,
      threads: 4,
      sent_at: now.t,
    });
    // w2 started before this coordinator: it is learnt from a heartbeat that repeats its identity.
    await transport.publishControl({
      version: 1,
      type: 'heartbeat',
      worker_id: 'w2',
      in_flight: 2,
      completed: 7,
      failed: 0,
      sent_at: now.t,
      host: 'node-b',
      pid: 22,
      threads: 2,
    });
    await new Promise((res) => setTimeout(res, 10));
    expect(r.connected()).toEqual({ connected: 2, threads: 6 });
    expect(r.list().map((w) => [w.workerId, w.host, w.threads, w.inFlight, w.state])).toEqual([
      ['w1', 'node-a', 4, 0, 'connected'],
      ['w2', 'node-b', 2, 2, 'connected'],
    ]);

    await transport.publishControl({ version: 1, type: 'goodbye', worker_id: 'w1', sent_at: now.t });
    await new Promise((res) => setTimeout(res, 10));
    expect(r.connected()).toEqual({ connected: 1, threads: 2 });

    // w2 says nothing for longer than silentAfterMs (killed): reported silent once.
    now.t += 10_001;
    r.sweep();
    r.sweep();
    expect(r.connected()).toEqual({ connected: 0, threads: 0 });
    expect(events).toEqual([
      { type: 'worker-joined', workerId: 'w1', host: 'node-a', threads: 4 },
      { type: 'worker-joined', workerId: 'w2', host: 'node-b', threads: 2 },
      { type: 'worker-left', workerId: 'w1', reason: 'goodbye' },
      { type: 'worker-left', workerId: 'w2', reason: 'silent' },
    ]);
    await r.stop();
  });

  it('measures throughput from recorded observations over the window', () => {
    const now = { t: 0 };
    const { r } = roster(now, []);
    r.onControl({ version: 1, type: 'hello', worker_id: 'w1', host: 'h', pid: 1, threads: 1, sent_at: 0 });
    // 30 observations in the first 30 s, then nothing for 60 s.
    for (let i = 0; i < 30; i++) {
      now.t = i * 1_000;
      r.recordObservation('w1');
    }
    now.t = 30_000;
    const w = r.list()[0];
    expect(w.recorded).toBe(30);
    // 30 in the 30 s since it joined = 60 per minute.
    expect(w.ratePerMinute).toBeCloseTo(60, 9);
    now.t = 59_500;
    // All 30 still in the 60 s window, which is now 59.5 s long.
    expect(r.list()[0].ratePerMinute).toBeCloseTo((30 * 60) / 59.5, 9);
    now.t = 75_000;
    // Observations at 15..29 s remain in the window [15 s, 75 s].
    expect(r.list()[0].ratePerMinute).toBeCloseTo(15, 9);
    expect(r.list()[0].recorded).toBe(30);
  });

  it('judges silence by the heartbeat interval a worker announces', () => {
    const now = { t: 0 };
    const events: EngineEvent[] = [];
    const { r } = roster(now, events);
    const hello = (id: string, heartbeat_ms?: number) =>
      r.onControl({
        version: 1,
        type: 'hello',
        worker_id: id,
        host: 'h',
        pid: 1,
        threads: 1,
        sent_at: 0,
        ...(heartbeat_ms !== undefined ? { heartbeat_ms } : {}),
      });
    hello('fast', 500);
    hello('plain');
    now.t = 1_499;
    r.sweep();
    expect(r.connected().connected).toBe(2);
    now.t = 1_501;
    r.sweep();
    expect(r.list().map((w) => [w.workerId, w.state])).toEqual([
      ['plain', 'connected'],
      ['fast', 'silent'],
    ]);
    now.t = 10_000;
    r.sweep();
    expect(r.connected().connected).toBe(1);
    now.t = 10_001;
    r.sweep();
    expect(r.connected().connected).toBe(0);
  });

  it('counts an observation of an unknown worker without calling it connected', () => {
    const now = { t: 0 };
    const events: EngineEvent[] = [];
    const { r } = roster(now, events);
    r.recordObservation('ghost');
    expect(r.connected().connected).toBe(0);
    expect(r.list()).toMatchObject([{ workerId: 'ghost', recorded: 1, state: 'left', host: null }]);
    expect(events).toEqual([]);
  });
});
