import { describe, expect, it } from 'vitest';
import {
  ComponentRegistry,
  categorical,
  enumerateLogicalPipelines,
  float,
  int,
  isPseudoComponent,
  logicalPipelineUuid,
  lpSearchSpace,
  makeLogicalPipeline,
  parseLogicalPipelineName,
  searchSpace,
  splitSuggestion,
} from '../src/index';
import type { VirnyFlowError } from '../src/index';

function thrown(f: () => unknown): VirnyFlowError {
  try {
    f();
  } catch (e) {
    return e as VirnyFlowError;
  }
  throw new Error('expected a throw');
}

describe('logical pipelines (SPEC §2.5)', () => {
  it('enumerates imputer × intervention × model in loop order', () => {
    const lps = enumerateLogicalPipelines({
      nullImputers: ['None', 'median-mode'],
      fairnessInterventions: ['DIR', 'NO_FAIRNESS_INTERVENTION'],
      models: ['lr_clf', 'rf_clf', 'dt_clf'],
    });
    expect(lps).toHaveLength(2 * 2 * 3);
    expect(lps.slice(0, 4).map((l) => l.name)).toEqual([
      'None&DIR&lr_clf',
      'None&DIR&rf_clf',
      'None&DIR&dt_clf',
      'None&NO_FAIRNESS_INTERVENTION&lr_clf',
    ]);
    expect(lps[11].name).toBe('median-mode&NO_FAIRNESS_INTERVENTION&dt_clf');
    expect(lps[11].components).toEqual({
      null_imputation: 'median-mode',
      fairness_intervention: 'NO_FAIRNESS_INTERVENTION',
      model: 'dt_clf',
    });
    expect(new Set(lps.map((l) => l.uuid)).size).toBe(12);
  });

  it('identifies a pipeline by base64 of its UTF-8 name, with padding', () => {
    // Reference values from Python: base64.b64encode(name.encode()).
    expect(logicalPipelineUuid('None&NO_FAIRNESS_INTERVENTION&lr_clf')).toBe(
      'Tm9uZSZOT19GQUlSTkVTU19JTlRFUlZFTlRJT04mbHJfY2xm',
    );
    expect(logicalPipelineUuid('median-mode&DIR&rf_clf')).toBe('bWVkaWFuLW1vZGUmRElSJnJmX2NsZg==');
    expect(logicalPipelineUuid('é&x&y')).toBe('w6kmeCZ5');
    const lp = makeLogicalPipeline({
      null_imputation: 'median-mode',
      fairness_intervention: 'DIR',
      model: 'rf_clf',
    });
    expect(lp.uuid).toBe('bWVkaWFuLW1vZGUmRElSJnJmX2NsZg==');
  });

  it('parses a name back and rejects malformed names', () => {
    expect(parseLogicalPipelineName('None&DIR&lr_clf')).toEqual(
      makeLogicalPipeline({ null_imputation: 'None', fairness_intervention: 'DIR', model: 'lr_clf' }),
    );
    expect(thrown(() => parseLogicalPipelineName('None&lr_clf')).code).toBe('VF_LP_BAD_NAME');
    expect(thrown(() => parseLogicalPipelineName('a&&b')).code).toBe('VF_LP_BAD_NAME');
  });

  const registry = () =>
    new ComponentRegistry()
      .register({
        stage: 'null_imputation',
        name: 'miss_forest',
        description: '',
        space: searchSpace([int('RandomForestClassifier__n_estimators', 50, 200, { q: 50 })]),
        create: null,
      })
      .register({
        stage: 'fairness_intervention',
        name: 'DIR',
        description: '',
        space: searchSpace([float('repair_level', 0.1, 1.0)]),
        create: null,
      })
      .register({
        stage: 'model',
        name: 'rf_clf',
        description: '',
        space: searchSpace([
          int('n_estimators', 50, 1000, { q: 50 }),
          categorical('max_depth', [10, 20, null]),
        ]),
        create: null,
      });

  it('builds the joint prefixed space; pseudo components add nothing', () => {
    const full = lpSearchSpace(parseLogicalPipelineName('miss_forest&DIR&rf_clf'), registry());
    expect(full.params.map((p) => p.name)).toEqual([
      'mvi__RandomForestClassifier__n_estimators',
      'fi__repair_level',
      'model__n_estimators',
      'model__max_depth',
    ]);
    const bare = lpSearchSpace(parseLogicalPipelineName('None&NO_FAIRNESS_INTERVENTION&rf_clf'), registry());
    expect(bare.params.map((p) => p.name)).toEqual(['model__n_estimators', 'model__max_depth']);
    expect(isPseudoComponent('null_imputation', 'None')).toBe(true);
    expect(isPseudoComponent('model', 'None')).toBe(false);
    const missing = thrown(() => lpSearchSpace(parseLogicalPipelineName('None&LFR&rf_clf'), registry()));
    expect(missing.code).toBe('VF_REGISTRY_UNKNOWN_COMPONENT');
  });

  it('splits a suggestion by stripping the first prefix only', () => {
    const parts = splitSuggestion({
      mvi__RandomForestClassifier__n_estimators: 100,
      fi__repair_level: 0.5,
      model__n_estimators: 300,
      model__max_depth: null,
      model__model__odd: 'x',
    });
    expect(parts).toEqual({
      null_imputation: { RandomForestClassifier__n_estimators: 100 },
      fairness_intervention: { repair_level: 0.5 },
      model: { n_estimators: 300, max_depth: null, model__odd: 'x' },
    });
    expect(splitSuggestion({})).toEqual({ null_imputation: {}, fairness_intervention: {}, model: {} });
    expect(thrown(() => splitSuggestion({ n_estimators: 3 })).code).toBe('VF_LP_BAD_SUGGESTION');
  });
});
