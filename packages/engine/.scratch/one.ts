import {
  loadConfigFile,
  enumerateLogicalPipelines,
  MESSAGE_VERSION,
  defaultConfiguration,
  lpSearchSpace,
} from '@virnyflow/core';
import {
  createRegistry,
  loadExperimentDataset,
  prepareDataset,
  datasetTables,
  buildContext,
  evaluateTask,
  SplitCache,
} from '../src/index';
const registry = createRegistry();
const config = loadConfigFile(process.argv[2], { registry });
const ds = await loadExperimentDataset(config);
const tables = datasetTables(prepareDataset(ds));
const ctx = buildContext(config, { name: ds.name, hash: 'h', testSetFraction: ds.testSetFraction });
const splits = new SplitCache();
for (const lp of enumerateLogicalPipelines(config)) {
  const cfg = defaultConfiguration(lpSearchSpace(lp, registry));
  for (let rep = 0; rep < 2; rep++) {
    const t = performance.now();
    const o = await evaluateTask({
      task: {
        version: MESSAGE_VERSION,
        taskId: 't',
        experiment: 'demo',
        runNum: 1,
        lpUuid: lp.uuid,
        lpName: lp.name,
        components: lp.components as any,
        configuration: cfg,
        seed: 101,
        objectives: config.objectives,
        bestCompoundQuality: null,
        attempt: 1,
      },
      context: ctx,
      data: tables,
      registry,
      workerId: 'w',
      splits,
    });
    console.log(
      lp.name,
      o.status,
      o.haltingFraction,
      o.compoundQuality,
      ((performance.now() - t) / 1000).toFixed(2),
      o.failure?.message ?? '',
      o.metrics.length,
    );
  }
}
