import { openStore } from '@virnyflow/store';
const store = await openStore(process.argv[2]);
const obs = await store.listObservations({
  experiment: process.argv[3] ?? 'demo',
  run: Number(process.argv[4] ?? 1),
});
for (const o of obs)
  console.log(
    o.sequence,
    o.taskId,
    o.lpName,
    o.status,
    o.elapsedSeconds.toFixed(2),
    o.haltingFraction,
    o.compoundQuality?.toFixed(4),
    JSON.stringify(o.config),
    o.failure?.code ?? '',
    o.failure?.message?.slice(0, 200) ?? '',
  );
const tasks = await store.listTasks({
  experiment: process.argv[3] ?? 'demo',
  run: Number(process.argv[4] ?? 1),
});
for (const t of tasks) console.log(t.taskId, t.status, t.attempts, t.createdAt, t.updatedAt - t.createdAt);
await store.close();
