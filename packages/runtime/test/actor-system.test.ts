import { afterEach, describe, expect, it } from 'vitest';
import type { ActorEvent, BehaviorFactory, EscalationInfo } from '@virnyflow/runtime';
import { ActorSystem } from '@virnyflow/runtime';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** Collects every event of `iter` into an array, in the background. */
function record(iter: AsyncIterableIterator<ActorEvent>): ActorEvent[] {
  const out: ActorEvent[] = [];
  void (async () => {
    for await (const e of iter) out.push(e);
  })();
  return out;
}

const transitions = (events: ActorEvent[], actor: string): string[] =>
  events
    .filter(
      (e): e is Extract<ActorEvent, { type: 'transition' }> => e.type === 'transition' && e.actor === actor,
    )
    .map((e) => `${e.from ?? 'null'}->${e.to}`);

type CounterMsg =
  { type: 'add'; n: number } | { type: 'get' } | { type: 'boom' } | { type: 'slow'; ms: number };

/** A counter whose state lives in the factory closure, so a restart visibly resets it. */
const counter =
  (log: string[] = []): BehaviorFactory<CounterMsg, number> =>
  (ctx) => {
    let total = 0;
    return {
      preStart() {
        log.push(`preStart#${ctx.restarts}`);
      },
      async receive(msg) {
        switch (msg.type) {
          case 'add':
            total += msg.n;
            return total;
          case 'get':
            return total;
          case 'boom':
            throw new Error('boom');
          case 'slow':
            await sleep(msg.ms);
            return total;
        }
      },
      postStop() {
        log.push(`postStop#${ctx.restarts}`);
      },
    };
  };

describe('ActorSystem', () => {
  const systems: ActorSystem[] = [];
  const makeSystem = (onEscalation?: (i: EscalationInfo) => void): ActorSystem => {
    const s = new ActorSystem({ defaultAskTimeoutMs: 5_000, onEscalation });
    systems.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(systems.splice(0).map((s) => s.shutdown({ mode: 'immediate' })));
  });

  it('walks the lifecycle starting -> running -> draining -> stopped, with every transition as an event', async () => {
    const sys = makeSystem();
    const events = record(sys.events());
    const log: string[] = [];
    const ref = sys.spawn('counter', counter(log));
    expect(ref.state).toBe('starting');
    expect(await ref.ask({ type: 'add', n: 2 })).toBe(2);
    expect(ref.state).toBe('running');
    await ref.stop();
    expect(ref.state).toBe('stopped');
    await waitFor('the stopped event', () => transitions(events, 'counter').length === 4);
    expect(transitions(events, 'counter')).toEqual([
      'null->starting',
      'starting->running',
      'running->draining',
      'draining->stopped',
    ]);
    expect(log).toEqual(['preStart#0', 'postStop#0']);
    // Stopped: tell becomes a dead letter, ask rejects, stop is idempotent.
    ref.tell({ type: 'add', n: 1 });
    await waitFor('the dead letter', () => events.some((e) => e.type === 'dead-letter'));
    await expect(ref.ask({ type: 'get' })).rejects.toMatchObject({ code: 'VF_RUNTIME_ACTOR_STOPPED' });
    await ref.stop();
  });

  it('processes one message at a time in arrival order, even when receive is async', async () => {
    const sys = makeSystem();
    const order: number[] = [];
    let active = 0;
    let maxActive = 0;
    const ref = sys.spawn<number, void>('serial', () => ({
      async receive(i) {
        active++;
        maxActive = Math.max(maxActive, active);
        // Earlier messages wait longer: any overlap would let later ones finish first.
        await sleep(((20 - i) % 5) + 1);
        order.push(i);
        active--;
      },
    }));
    for (let i = 0; i < 20; i++) ref.tell(i);
    await ref.stop({ mode: 'drain' });
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(maxActive).toBe(1);
  });

  it('ask times out with VF_RUNTIME_ASK_TIMEOUT and the message is still processed afterwards', async () => {
    const sys = makeSystem();
    const ref = sys.spawn('slow', counter());
    const slow = ref.ask({ type: 'slow', ms: 200 }, { timeoutMs: 20 });
    await expect(slow).rejects.toMatchObject({ code: 'VF_RUNTIME_ASK_TIMEOUT', retryable: true });
    ref.tell({ type: 'add', n: 5 });
    expect(await ref.ask({ type: 'get' })).toBe(5);
  });

  it('restart: a failure rejects that ask, builds a fresh instance after back-off, keeps the rest of the mailbox', async () => {
    const sys = makeSystem();
    const events = record(sys.events());
    const log: string[] = [];
    const ref = sys.spawn('c', counter(log), {
      supervision: {
        type: 'restart',
        maxRestarts: 5,
        withinMs: 60_000,
        initialDelayMs: 10,
        factor: 3,
        maxDelayMs: 50,
      },
    });
    ref.tell({ type: 'add', n: 10 });
    const failed = ref.ask({ type: 'boom' });
    const after = ref.ask({ type: 'add', n: 1 }); // queued behind the failure
    await expect(failed).rejects.toThrow('boom');
    expect(await after).toBe(1); // fresh state: 10 was lost with the old instance
    await expect(ref.ask({ type: 'boom' })).rejects.toThrow('boom');
    await expect(ref.ask({ type: 'boom' })).rejects.toThrow('boom');
    expect(await ref.ask({ type: 'get' })).toBe(0);
    const restarts = events.filter((e) => e.type === 'restart');
    // Exponential back-off: 10, 30, then capped at 50.
    expect(restarts.map((e) => (e as { delayMs: number }).delayMs)).toEqual([10, 30, 50]);
    expect(restarts.map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2, 3]);
    expect(
      events.filter((e) => e.type === 'failure').map((e) => (e as { directive: string }).directive),
    ).toEqual(['restart', 'restart', 'restart']);
    expect(transitions(events, 'c')).toEqual([
      'null->starting',
      'starting->running',
      'running->starting',
      'starting->running',
      'running->starting',
      'starting->running',
      'running->starting',
      'starting->running',
    ]);
    expect(log).toEqual([
      'preStart#0',
      'postStop#0',
      'preStart#1',
      'postStop#1',
      'preStart#2',
      'postStop#2',
      'preStart#3',
    ]);
  });

  it('too many restarts within the window escalate to the system: failed, queued asks rejected', async () => {
    const escalations: EscalationInfo[] = [];
    const sys = makeSystem((i) => escalations.push(i));
    const events = record(sys.events());
    const ref = sys.spawn('fragile', counter(), {
      supervision: { type: 'restart', maxRestarts: 1, withinMs: 60_000, initialDelayMs: 1 },
    });
    await expect(ref.ask({ type: 'boom' })).rejects.toThrow('boom');
    const second = ref.ask({ type: 'boom' });
    const queued = ref.ask({ type: 'get' });
    await expect(second).rejects.toThrow('boom');
    await expect(queued).rejects.toMatchObject({ code: 'VF_RUNTIME_ACTOR_STOPPED' });
    expect(ref.state).toBe('failed');
    expect(escalations).toHaveLength(1);
    expect(escalations[0].actor).toBe('fragile');
    expect(escalations[0].failure.message).toBe('boom');
    await waitFor('the escalated event', () => events.some((e) => e.type === 'escalated'));
    expect(events.find((e) => e.type === 'escalated')).toMatchObject({ actor: 'fragile', to: null });
    expect(transitions(events, 'fragile').at(-1)).toBe('running->failed');
    // The name is free again.
    const again = sys.spawn('fragile', counter());
    expect(await again.ask({ type: 'add', n: 1 })).toBe(1);
  });

  it('a failing preStart is supervised like a failing message', async () => {
    const sys = makeSystem();
    let attempts = 0;
    const ref = sys.spawn<string, string>(
      'flaky-start',
      () => ({
        preStart() {
          attempts++;
          if (attempts < 3) throw new Error('not yet');
        },
        receive: (m) => `ok:${m}`,
      }),
      { supervision: { type: 'restart', maxRestarts: 5, initialDelayMs: 1 } },
    );
    expect(await ref.ask('x')).toBe('ok:x');
    expect(attempts).toBe(3);
  });

  it('escalate: a child failure becomes the parent failure; the parent restarts and rebuilds its children', async () => {
    const sys = makeSystem();
    const events = record(sys.events());
    let parentStarts = 0;
    type ParentMsg = { type: 'child-boom' } | { type: 'child-add'; n: number };
    const parent = sys.spawn<ParentMsg, number | void>(
      'parent',
      (ctx) => {
        let child: ReturnType<typeof ctx.spawn<CounterMsg, number>> | null = null;
        return {
          preStart() {
            parentStarts++;
            child = ctx.spawn('child', counter(), { supervision: { type: 'escalate' } });
          },
          async receive(msg) {
            if (msg.type === 'child-boom') {
              child?.tell({ type: 'boom' });
              return;
            }
            return child?.ask({ type: 'add', n: msg.n });
          },
        };
      },
      { supervision: { type: 'restart', initialDelayMs: 1 } },
    );
    expect(await parent.ask({ type: 'child-add', n: 4 })).toBe(4);
    const firstChild = sys.lookup('parent/child');
    parent.tell({ type: 'child-boom' });
    await waitFor('the parent restart', () => parentStarts === 2 && parent.state === 'running');
    expect(firstChild?.state).toBe('failed');
    expect(events.find((e) => e.type === 'escalated')).toMatchObject({ actor: 'parent/child', to: 'parent' });
    expect(events.find((e) => e.type === 'failure' && e.actor === 'parent')).toMatchObject({
      directive: 'restart',
    });
    // The rebuilt child starts from scratch.
    expect(await parent.ask({ type: 'child-add', n: 1 })).toBe(1);
    expect(sys.lookup('parent/child')?.state).toBe('running');
  });

  it('escalation climbs through parents with the escalate strategy up to the system', async () => {
    const escalations: EscalationInfo[] = [];
    const sys = makeSystem((i) => escalations.push(i));
    const root = sys.spawn<'go', void>(
      'root',
      (ctx) => {
        const mid = ctx.spawn<'go', void>(
          'mid',
          (mctx) => {
            const leaf = mctx.spawn<'go', void>(
              'leaf',
              () => ({
                receive() {
                  throw new Error('leaf broke');
                },
              }),
              { supervision: { type: 'escalate' } },
            );
            return { receive: () => leaf.tell('go') };
          },
          { supervision: { type: 'escalate' } },
        );
        return { receive: () => mid.tell('go') };
      },
      { supervision: { type: 'escalate' } },
    );
    root.tell('go');
    await waitFor('the escalation to the system', () => escalations.length === 1);
    expect(escalations[0].actor).toBe('root');
    expect(escalations[0].failure.message).toBe('leaf broke');
    expect(root.state).toBe('failed');
    expect(sys.lookup('root')).toBeUndefined();
  });

  it('draining processes what is queued, refuses new messages, then stops', async () => {
    const sys = makeSystem();
    const events = record(sys.events());
    const done: number[] = [];
    const ref = sys.spawn<number, number>('drainer', () => ({
      async receive(i) {
        await sleep(5);
        done.push(i);
        return i;
      },
    }));
    const asks = [1, 2, 3, 4, 5].map((i) => ref.ask(i));
    await waitFor('the first message', () => done.length >= 1);
    const stopped = ref.stop({ mode: 'drain' });
    await waitFor('draining', () => ref.state === 'draining');
    ref.tell(99);
    await expect(ref.ask(100)).rejects.toMatchObject({ code: 'VF_RUNTIME_ACTOR_STOPPED' });
    expect(await Promise.all(asks)).toEqual([1, 2, 3, 4, 5]);
    await stopped;
    expect(done).toEqual([1, 2, 3, 4, 5]);
    expect(ref.state).toBe('stopped');
    expect(events.find((e) => e.type === 'dead-letter')).toMatchObject({ actor: 'drainer', message: 99 });
  });

  it('immediate stop finishes the current message and rejects the queued asks', async () => {
    const sys = makeSystem();
    const ref = sys.spawn('c', counter());
    const current = ref.ask({ type: 'slow', ms: 50 });
    const queued = ref.ask({ type: 'add', n: 1 });
    await sleep(10);
    await ref.stop({ mode: 'immediate' });
    expect(await current).toBe(0);
    await expect(queued).rejects.toMatchObject({ code: 'VF_RUNTIME_ACTOR_STOPPED' });
  });

  it('a failure while draining stops the actor as failed instead of restarting it', async () => {
    const sys = makeSystem();
    const events = record(sys.events());
    const ref = sys.spawn('c', counter(), { supervision: { type: 'restart', initialDelayMs: 1 } });
    ref.tell({ type: 'slow', ms: 20 });
    const boom = ref.ask({ type: 'boom' });
    const after = ref.ask({ type: 'get' });
    await ref.stop({ mode: 'drain' });
    await expect(boom).rejects.toThrow('boom');
    await expect(after).rejects.toMatchObject({ code: 'VF_RUNTIME_ACTOR_STOPPED' });
    expect(ref.state).toBe('failed');
    expect(events.find((e) => e.type === 'failure')).toMatchObject({ directive: 'stop' });
  });

  it('a drain during the restart back-off starts the new instance at once and drains the mailbox', async () => {
    const sys = makeSystem();
    const log: string[] = [];
    const ref = sys.spawn('c', counter(log), {
      supervision: { type: 'restart', initialDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    await expect(ref.ask({ type: 'boom' })).rejects.toThrow('boom');
    expect(ref.state).toBe('starting'); // waiting a minute before restarting
    const queued = ref.ask({ type: 'add', n: 3 });
    await ref.stop({ mode: 'drain' });
    expect(await queued).toBe(3);
    expect(ref.state).toBe('stopped');
    expect(log).toEqual(['preStart#0', 'postStop#0', 'preStart#1', 'postStop#1']);
  });

  it('stopping a parent stops its children first', async () => {
    const sys = makeSystem();
    const log: string[] = [];
    const parent = sys.spawn<'x', void>('p', (ctx) => ({
      preStart() {
        ctx.spawn('a', counter(log));
        ctx.spawn('b', counter(log));
      },
      receive() {},
      postStop() {
        log.push('parent-postStop');
      },
    }));
    await waitFor(
      'children running',
      () => sys.lookup('p/a')?.state === 'running' && sys.lookup('p/b')?.state === 'running',
    );
    const a = sys.lookup('p/a');
    await parent.stop();
    expect(a?.state).toBe('stopped');
    expect(log.filter((l) => l.startsWith('postStop'))).toHaveLength(2);
    expect(log.at(-1)).toBe('parent-postStop');
  });

  it('names are unique among live siblings and validated', async () => {
    const sys = makeSystem();
    const a = sys.spawn('same', counter());
    expect(() => sys.spawn('same', counter())).toThrow(
      expect.objectContaining({ code: 'VF_RUNTIME_ACTOR_NAME_TAKEN' }),
    );
    expect(() => sys.spawn('a/b', counter())).toThrow(
      expect.objectContaining({ code: 'VF_RUNTIME_INVALID_OPTION' }),
    );
    await a.stop();
    expect(sys.spawn('same', counter()).path).toBe('same');
  });

  it('two actor systems in one process do not interfere', async () => {
    const s1 = makeSystem();
    const s2 = makeSystem();
    const e1 = record(s1.events());
    const e2 = record(s2.events());
    const a1 = s1.spawn('worker', counter());
    const a2 = s2.spawn('worker', counter());
    await a1.ask({ type: 'add', n: 1 });
    await a2.ask({ type: 'add', n: 100 });
    await s1.shutdown();
    expect(a1.state).toBe('stopped');
    expect(a2.state).toBe('running');
    expect(await a2.ask({ type: 'add', n: 1 })).toBe(101);
    expect(e1.filter((e) => e.type === 'transition')).toHaveLength(4);
    expect(e2.filter((e) => e.type === 'transition')).toHaveLength(2);
    expect(() => s1.spawn('late', counter())).toThrow(
      expect.objectContaining({ code: 'VF_RUNTIME_SYSTEM_SHUTDOWN' }),
    );
  });

  it('shutdown ends the event iterators', async () => {
    const sys = makeSystem();
    sys.spawn('x', counter());
    const iter = sys.events();
    await sys.shutdown();
    const seen: string[] = [];
    for await (const e of iter) seen.push(e.type);
    expect(seen.length).toBeGreaterThan(0); // the stop transitions, then the end
  });
});
