/**
 * Entry point of the pipeline threads (loaded through `pipeline.thread.mjs`). Each thread keeps, by content
 * hash, the tables rebuilt from the shared dataset arrays, the run splits, and one registry per set of
 * component modules, so a task costs only its own pipeline.
 */
import type { ComponentRegistry, ObservationMessage, TaskMessage } from '@virnyflow/core';
import { defineThreadTask } from '@virnyflow/runtime';
import type { ExperimentContext } from './context';
import type { DatasetTables, PreparedDataset } from './dataset-codec';
import { datasetTables } from './dataset-codec';
import { SplitCache, evaluateTask } from './pipeline';
import { createRegistry, loadComponentModules } from './registry';

export interface PipelineThreadInput {
  readonly task: TaskMessage;
  readonly context: ExperimentContext;
  /** SharedArrayBuffer-backed (no copy); null for synthetic pipelines. */
  readonly dataset: PreparedDataset | null;
  readonly workerId: string;
}

const TABLES_KEPT = 2;
const tables = new Map<string, DatasetTables>();
const registries = new Map<string, Promise<ComponentRegistry>>();
const splits = new SplitCache();

function tablesFor(hash: string, dataset: PreparedDataset): DatasetTables {
  let t = tables.get(hash);
  if (!t) {
    t = datasetTables(dataset);
    if (tables.size >= TABLES_KEPT) tables.delete(tables.keys().next().value as string);
    tables.set(hash, t);
  }
  return t;
}

function registryFor(modules: readonly string[]): Promise<ComponentRegistry> {
  const key = JSON.stringify(modules);
  let r = registries.get(key);
  if (!r) {
    r = loadComponentModules(modules).then((extra) => createRegistry(extra));
    registries.set(key, r);
    // A module that failed to load is retried by the next task instead of failing every later one.
    r.catch(() => registries.delete(key));
  }
  return r;
}

export async function runPipelineThread(input: PipelineThreadInput): Promise<ObservationMessage> {
  const registry = await registryFor(input.context.componentModules);
  const data = input.dataset === null ? null : tablesFor(input.context.datasetHash, input.dataset);
  return evaluateTask({
    task: input.task,
    context: input.context,
    data,
    registry,
    workerId: input.workerId,
    splits,
  });
}

export default defineThreadTask(runPipelineThread);
