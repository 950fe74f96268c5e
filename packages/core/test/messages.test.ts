import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  MESSAGE_VERSION,
  loadConfig,
  metricValue,
  objectiveConfigSchema,
  parseObservationMessage,
  parseTaskMessage,
} from '../src/index';
import type { ObjectiveConfig, ObservationMessage, TaskMessage, VirnyFlowError } from '../src/index';
import { baseDoc, toYaml } from './config-helpers';

// The wire schema and the resolved config type describe the same objective (checked by tsc).
type Wire = z.infer<typeof objectiveConfigSchema>;
const wireIsConfig: ObjectiveConfig = {} as Wire;
const configIsWire: Wire = {} as ObjectiveConfig;
type SameKeys = [keyof Wire] extends [keyof ObjectiveConfig]
  ? [keyof ObjectiveConfig] extends [keyof Wire]
    ? true
    : false
  : false;
const sameKeys: SameKeys = true;

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as VirnyFlowError).code;
  }
  return 'no error';
}

const config = loadConfig(toYaml(baseDoc()));

function task(): TaskMessage {
  return {
    version: MESSAGE_VERSION,
    taskId: 'base:1:abc:0001',
    experiment: config.name,
    runNum: 1,
    lpUuid: 'Tm9uZSZESVImbHJfY2xm',
    lpName: 'None&DIR&lr_clf',
    components: { null_imputation: 'None', fairness_intervention: 'DIR', model: 'lr_clf' },
    configuration: { fi__repair_level: 0.55, model__penalty: null, model__C: 1, model__solver: 'lbfgs' },
    seed: 101,
    objectives: config.objectives,
    bestCompoundQuality: null,
    attempt: 1,
  };
}

function observation(): ObservationMessage {
  return {
    version: MESSAGE_VERSION,
    taskId: 'base:1:abc:0001',
    experiment: 'base',
    runNum: 1,
    lpUuid: 'Tm9uZSZESVImbHJfY2xm',
    lpName: 'None&DIR&lr_clf',
    configuration: { fi__repair_level: 0.55 },
    seed: 101,
    attempt: 1,
    status: 'ok',
    objectives: [0.3, 0.1],
    weighted: [0.075, 0.075],
    reversed: [0.7, 0.9],
    constraints: [],
    compoundQuality: 0.25 * 0.7 + 0.75 * 0.9,
    haltingFraction: 1,
    elapsedSeconds: 1.5,
    workerId: 'node-1/0',
    failure: null,
    metrics: [
      { metric: 'F1', group: 'overall', value: 0.7, split: 'test' },
      { metric: 'Disparate_Impact', group: 'Gender', value: metricValue(Infinity), split: 'test' },
    ],
  };
}

describe('task messages', () => {
  it('round-trip through JSON and carry the resolved objectives', () => {
    expect(wireIsConfig && configIsWire && sameKeys).toBeTruthy();
    const t = task();
    expect(parseTaskMessage(JSON.parse(JSON.stringify(t)))).toEqual(t);
    for (const o of config.objectives) expect(objectiveConfigSchema.parse(o)).toEqual(o);
  });

  it('rejects other versions and malformed tasks', () => {
    expect(code(() => parseTaskMessage({ ...task(), version: 2 }))).toBe('VF_MESSAGE_VERSION');
    expect(code(() => parseTaskMessage({ ...task(), attempt: 0 }))).toBe('VF_MESSAGE_INVALID');
    expect(code(() => parseTaskMessage({ ...task(), objectives: [] }))).toBe('VF_MESSAGE_INVALID');
    expect(code(() => parseTaskMessage({ ...task(), configuration: { a: [1] } }))).toBe('VF_MESSAGE_INVALID');
    const { seed: _seed, ...noSeed } = task();
    expect(code(() => parseTaskMessage(noSeed))).toBe('VF_MESSAGE_INVALID');
    expect(code(() => parseTaskMessage(null))).toBe('VF_MESSAGE_INVALID');
  });
});

describe('observation messages', () => {
  it('round-trip through JSON; non-finite metric values travel as null', () => {
    const o = observation();
    expect(o.metrics[1].value).toBeNull();
    expect(metricValue(NaN)).toBeNull();
    expect(metricValue(-0.25)).toBe(-0.25);
    expect(parseObservationMessage(JSON.parse(JSON.stringify(o)))).toEqual(o);
  });

  it('accepts a failed observation with its failure and empty vectors', () => {
    const failed: ObservationMessage = {
      ...observation(),
      status: 'failed',
      objectives: [],
      weighted: [],
      reversed: [],
      compoundQuality: null,
      haltingFraction: null,
      failure: { code: 'VF_MODEL_DIVERGED', message: 'loss is NaN', retryable: false, details: {} },
      metrics: [],
    };
    expect(parseObservationMessage(failed)).toEqual(failed);
  });

  it('enforces the ok/failed contract', () => {
    const failure = { code: 'VF_X', message: 'x', retryable: false, details: {} };
    expect(code(() => parseObservationMessage({ ...observation(), failure }))).toBe('VF_MESSAGE_INVALID');
    expect(code(() => parseObservationMessage({ ...observation(), status: 'failed' }))).toBe(
      'VF_MESSAGE_INVALID',
    );
    expect(code(() => parseObservationMessage({ ...observation(), compoundQuality: null }))).toBe(
      'VF_MESSAGE_INVALID',
    );
    expect(code(() => parseObservationMessage({ ...observation(), weighted: [0.1] }))).toBe(
      'VF_MESSAGE_INVALID',
    );
    expect(code(() => parseObservationMessage({ ...observation(), objectives: [NaN, 0.1] }))).toBe(
      'VF_MESSAGE_INVALID',
    );
    expect(code(() => parseObservationMessage({ ...observation(), haltingFraction: 0 }))).toBe(
      'VF_MESSAGE_INVALID',
    );
    expect(code(() => parseObservationMessage({ ...observation(), status: 'done' }))).toBe(
      'VF_MESSAGE_INVALID',
    );
  });
});
