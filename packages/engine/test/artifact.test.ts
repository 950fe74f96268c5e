import { describe, expect, it } from 'vitest';
import { enumerateLogicalPipelines } from '@virnyflow/core';
import { MISSING_CODE, Table, generateDemoDataset, splitDataset } from '@virnyflow/data';
import type { Column } from '@virnyflow/data';
import { fitPipelineArtifact, parseArtifact, predictWithArtifact } from '../src/artifact';
import { buildContext } from '../src/context';
import { datasetTables, prepareDataset } from '../src/dataset-codec';
import { EngineErrorCode } from '../src/errors';
import { evaluateTask } from '../src/pipeline';
import { createRegistry } from '../src/registry';
import { demoConfig, taskFor } from './helpers';

describe('pipeline artifact', () => {
  const registry = createRegistry();
  const config = demoConfig({ models: ['dt_clf'], interventions: ['DIR', 'EGR', 'EOP'] }, registry);
  const dataset = generateDemoDataset({ rows: 900 });
  const tables = datasetTables(prepareDataset(dataset));
  const context = buildContext(config, {
    name: 'demo',
    hash: 'demo-900',
    testSetFraction: dataset.testSetFraction,
  });
  const split = splitDataset(dataset, 101);

  // No halting and one model: the refitted pipeline is the evaluated one, so predictions reproduce the
  // recorded test F1 exactly — for a plain model, a pre-processor, an in-processor and a post-processor.
  for (const lp of enumerateLogicalPipelines(config)) {
    it(`reproduces the evaluated test F1: ${lp.name}`, async () => {
      const task = taskFor(config, lp, registry);
      const configuration =
        lp.components.fairness_intervention === 'EGR'
          ? { ...task.configuration, fi__max_iter: 50 }
          : task.configuration;
      const obs = await evaluateTask({
        task: { ...task, configuration },
        context,
        data: tables,
        registry,
        workerId: 'w',
      });
      expect(obs.status).toBe('ok');
      const artifact = fitPipelineArtifact({
        config,
        dataset,
        registry,
        run: 1,
        taskId: obs.taskId,
        lpName: lp.name,
        components: lp.components,
        configuration,
        seed: 101,
        recorded: {
          objectives: obs.objectives,
          weighted: obs.weighted,
          compound_quality: obs.compoundQuality,
        },
      });
      const restored = parseArtifact(JSON.parse(JSON.stringify(artifact)));
      expect(restored.input_columns.map((c) => c.name)).not.toContain('sex');
      const pred = predictWithArtifact(restored, split.rawTest);
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (let i = 0; i < pred.labels.length; i++) {
        if (pred.labels[i] === 1 && split.yTest[i] === 1) tp++;
        else if (pred.labels[i] === 1) fp++;
        else if (split.yTest[i] === 1) fn++;
      }
      const f1 = obs.metrics.find(
        (m) => m.split === 'test' && m.metric === 'F1' && m.group === 'overall',
      )?.value;
      expect((2 * tp) / (2 * tp + fp + fn)).toBeCloseTo(f1 as number, 12);
    });
  }

  it('fills prediction-time holes, needs the sensitive columns only with an intervention, and checks itself', () => {
    const lps = enumerateLogicalPipelines(config);
    const fit = (name: string) => {
      const lp = lps.find((l) => l.components.fairness_intervention === name);
      if (!lp) throw new Error(name);
      const task = taskFor(config, lp, registry);
      return fitPipelineArtifact({
        config,
        dataset,
        registry,
        run: 1,
        taskId: 't',
        lpName: lp.name,
        components: lp.components,
        configuration: task.configuration,
        seed: 101,
        recorded: { objectives: [], weighted: [], compound_quality: null },
      });
    };
    const plain = fit('NO_FAIRNESS_INTERVENTION');
    expect(plain.imputer.method).toBe('fitted');
    expect(Object.keys(plain.imputer.fill).sort()).toEqual(plain.input_columns.map((c) => c.name).sort());
    // Only the input columns, every cell missing: each takes its fill value and still gets a prediction.
    const holes = split.xTest.select(plain.input_columns.map((c) => c.name)).take([0, 1, 2]);
    const blank = holes.columns.map((c): Column =>
      c.kind === 'numeric'
        ? { ...c, values: new Float64Array(3).fill(NaN) }
        : { ...c, codes: new Int32Array(3).fill(MISSING_CODE) },
    );
    const p = predictWithArtifact(plain, new Table(blank));
    expect(p.probabilities).toHaveLength(3);
    expect(p.probabilities.every((x) => x >= 0 && x <= 1)).toBe(true);
    const dir = fit('DIR');
    expect(() => predictWithArtifact(dir, holes)).toThrow(
      expect.objectContaining({ code: EngineErrorCode.BadArtifact }),
    );
    expect(() => parseArtifact({ ...plain, version: 99 })).toThrow(
      expect.objectContaining({ code: EngineErrorCode.BadArtifact }),
    );
  });
});
