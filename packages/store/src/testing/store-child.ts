/**
 * A real separate process for the conformance suite (started through store-child.mjs):
 *
 *   writer  <spec> <experiment> <run> <metricsPerObservation>
 *     Resumes like the engine (re-records tasks left `running`), then loops: insert task, dispatch it,
 *     record its observation; prints `ok <taskId>` after each recordObservation resolved. Runs until killed
 *     (bounded at 100 000 tasks).
 *   claimer <spec> <experiment> <run> <fwd|rev>
 *     Prints `ready`, waits for a line on stdin, then tries queued→running on every queued task of the run
 *     (forwards or backwards) and prints the ids it won as one JSON line.
 */
import { createInterface } from 'node:readline';
import { openStore } from '../open-store';
import { LP_A, logicalPipeline, metricRows, observation, task } from './fixtures';

const [mode, spec, experiment, runText, arg] = process.argv.slice(2);
const key = { experiment, run: Number(runText) };

async function writer(metricsPerObservation: number): Promise<void> {
  const store = await openStore(spec);
  await store.createExperiment({ ...key, config: { name: experiment }, seed: 100 + key.run });
  await store.insertLogicalPipelines([logicalPipeline(key, LP_A)]);
  const record = async (i: number): Promise<void> => {
    const t = task(key, i);
    const { inserted } = await store.recordObservation(
      observation(t, (i % 97) / 100),
      metricRows(metricsPerObservation, i),
    );
    process.stdout.write(`${inserted ? 'ok' : 'dup'} ${t.taskId}\n`);
  };
  // Resume: tasks dispatched before a crash run again; recording is idempotent by task id.
  for (const t of await store.listTasks(key, { status: ['queued', 'running'] })) {
    await record(Number(t.taskId.slice(t.taskId.lastIndexOf('-') + 1)));
  }
  const start = (await store.listTasks(key)).length;
  for (let i = start; i < 100_000; i++) {
    await store.insertTasks([task(key, i)]);
    await store.transitionTask(task(key, i).taskId, ['queued'], 'running', { attemptsInc: 1 });
    await record(i);
  }
  await store.close();
}

async function claimer(direction: string): Promise<void> {
  const store = await openStore(spec);
  const ids = (await store.listTasks(key, { status: 'queued' })).map((t) => t.taskId);
  if (direction === 'rev') ids.reverse();
  process.stdout.write('ready\n');
  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => rl.once('line', () => resolve()));
  rl.close();
  const won: string[] = [];
  for (const id of ids) {
    if (await store.transitionTask(id, ['queued'], 'running', { attemptsInc: 1 })) won.push(id);
  }
  await store.close();
  process.stdout.write(`${JSON.stringify(won)}\n`);
}

try {
  if (mode === 'writer') await writer(Number(arg));
  else if (mode === 'claimer') await claimer(arg);
  else throw new Error(`unknown mode ${mode}`);
} catch (err) {
  process.stderr.write(
    `store-child ${mode}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
}
