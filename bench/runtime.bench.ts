/**
 * Runtime micro-benchmarks: what the actor system, the transports and the thread pool cost per unit of work.
 *
 *   npx tsx bench/runtime.bench.ts [tasks=2000]
 *
 * 1. Task round trip (publish task -> evaluator consumes, publishes its observation, acks -> coordinator
 *    consumes and acks the observation) over InProcessTransport (baseline) and JetStreamTransport on a
 *    nats-server this benchmark spawns (file storage, loopback), with 1 and 4 evaluator slots.
 * 2. Actor ask round trip against a direct async call (baseline).
 * 3. ThreadPool: a 64 MB Float64Array sent to a thread by transfer (move) against structured-clone copy
 *    (baseline).
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Transport } from '@virnyflow/runtime';
import {
  ActorSystem,
  InProcessTransport,
  JetStreamTransport,
  NatsServer,
  ThreadPool,
} from '@virnyflow/runtime';

const TASKS = Number(process.argv[2] ?? 2000);

interface Row {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
}
const rows: Row[] = [];

async function roundTrip(t: Transport, n: number, slots: number, tag: string): Promise<number> {
  let observed = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));
  const obs = t.consumeObservations(async (d) => {
    await d.ack();
    if (++observed === n) done();
  });
  const tasks = t.consumeTasks(
    async (d) => {
      await t.publishObservation({ id: d.id, payload: { ok: true } });
      await d.ack();
    },
    { concurrency: slots },
  );
  const start = performance.now();
  // Publish with a bounded number in flight, as the scheduler does with its queue bound.
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < n; i++) {
    const p = t.publishTask({ id: `${tag}-${i}`, payload: { i } }).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 64) await Promise.race(inFlight);
  }
  await finished;
  const ms = performance.now() - start;
  await Promise.all([tasks.stop(), obs.stop()]);
  return (n / ms) * 1000;
}

async function transports(): Promise<void> {
  for (const slots of [1, 4]) {
    const mem = new InProcessTransport();
    const base = await roundTrip(mem, TASKS * 5, slots, `m${slots}`);
    await mem.close();
    rows.push({
      name: `in-process round trip, ${slots} slot(s)`,
      value: base,
      unit: 'tasks/s',
      baseline: null,
    });
    const server = await NatsServer.start();
    try {
      const js = await JetStreamTransport.connect({
        prefix: `bench${slots}`,
        connection: { servers: server.url },
      });
      const v = await roundTrip(js, TASKS, slots, `j${slots}`);
      await js.close();
      rows.push({
        name: `jetstream round trip, ${slots} slot(s)`,
        value: v,
        unit: 'tasks/s',
        baseline: base,
      });
    } finally {
      await server.cleanup();
    }
  }
}

async function actors(): Promise<void> {
  const n = 50_000;
  const direct = async (x: number): Promise<number> => x + 1;
  let t = performance.now();
  for (let i = 0; i < n; i++) await direct(i);
  const directUs = ((performance.now() - t) * 1000) / n;
  const sys = new ActorSystem();
  const ref = sys.spawn<number, number>('inc', () => ({ receive: (x) => x + 1 }));
  await ref.ask(0);
  t = performance.now();
  for (let i = 0; i < n; i++) await ref.ask(i);
  const askUs = ((performance.now() - t) * 1000) / n;
  await sys.shutdown();
  rows.push({ name: 'direct async call', value: directUs, unit: 'µs/call', baseline: null });
  rows.push({ name: 'actor ask round trip', value: askUs, unit: 'µs/call', baseline: directUs });
}

async function pool(): Promise<void> {
  const p = new ThreadPool<Float64Array, number>({
    filename: new URL('./runtime-pool.thread.mjs', import.meta.url),
    threads: 1,
  });
  const n = 8 * 1024 * 1024; // 64 MB
  const make = (): Float64Array<ArrayBuffer> => new Float64Array(n).fill(1);
  await p.run(new Float64Array(1)); // thread start-up out of the measurement
  const reps = 5;
  let copyMs = 0;
  let moveMs = 0;
  for (let r = 0; r < reps; r++) {
    const a = make();
    let t = performance.now();
    await p.run(a);
    copyMs += performance.now() - t;
    const b = make();
    t = performance.now();
    await p.run(b, { transferList: [b.buffer] });
    moveMs += performance.now() - t;
  }
  await p.close();
  rows.push({ name: 'pool run, 64 MB copied', value: copyMs / reps, unit: 'ms/run', baseline: null });
  rows.push({ name: 'pool run, 64 MB moved', value: moveMs / reps, unit: 'ms/run', baseline: copyMs / reps });
}

await transports();
await actors();
await pool();

console.log(`# runtime benchmarks — ${new Date().toISOString()}`);
console.log(`# command: npx tsx bench/runtime.bench.ts ${TASKS}`);
console.log(
  `# machine: ${cpus()[0]?.model ?? '?'} x${availableParallelism()}, node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log('| measurement | value | unit | vs baseline |');
console.log('|---|---:|---|---:|');
for (const r of rows) {
  const ratio = r.baseline === null ? 'baseline' : `${(r.value / r.baseline).toFixed(2)}x`;
  const v = r.value >= 100 ? r.value.toFixed(0) : r.value.toFixed(2);
  console.log(`| ${r.name} | ${v} | ${r.unit} | ${ratio} |`);
}
