import { describe, expect, it } from 'vitest';
import {
  ComponentRegistry,
  DISPARITY_METRICS,
  ERROR_METRICS,
  METRIC_CATALOG,
  VARIANCE_METRICS,
  closestMatches,
  editDistance,
  emptySpace,
  int,
  metricInfo,
  searchSpace,
  toLoss,
} from '../src/index';
import type { VirnyFlowError } from '../src/index';

describe('metric catalog', () => {
  it('lists every per-group and composed Virny metric', () => {
    for (const m of [...VARIANCE_METRICS, ...ERROR_METRICS]) expect(metricInfo(m)?.scope).toBe('overall');
    for (const d of DISPARITY_METRICS) {
      expect(d.scope).toBe('disparity');
      expect(metricInfo(d.composedFrom?.base ?? '')?.scope).toBe('overall');
    }
    expect(METRIC_CATALOG.size).toBe(
      VARIANCE_METRICS.length + ERROR_METRICS.length + DISPARITY_METRICS.length,
    );
  });

  it('marks exactly the bootstrap metrics of SPEC §1.4', () => {
    const spec = [
      'Std',
      'IQR',
      'Jitter',
      'Label_Stability',
      'Aleatoric_Uncertainty',
      'Epistemic_Uncertainty',
      'Overall_Uncertainty',
      'Label_Stability_Ratio',
      'Label_Stability_Difference',
      'IQR_Difference',
      'Std_Difference',
      'Std_Ratio',
      'Jitter_Difference',
      'Overall_Uncertainty_Difference',
      'Overall_Uncertainty_Ratio',
      'Epistemic_Uncertainty_Difference',
      'Epistemic_Uncertainty_Ratio',
      'Aleatoric_Uncertainty_Difference',
      'Aleatoric_Uncertainty_Ratio',
    ];
    const marked = [...METRIC_CATALOG.values()].filter((m) => m.needsBootstrap).map((m) => m.name);
    expect(new Set(marked)).toEqual(new Set(spec));
  });

  it('applies the loss transforms of SPEC §13.2 and constrains differences by magnitude', () => {
    expect(toLoss('reverse', 0.8)).toBeCloseTo(0.2, 15);
    expect(toLoss('identity', 0.3)).toBe(0.3);
    expect(toLoss('abs', -0.15)).toBe(0.15);
    expect(toLoss('reverse_abs', 1.25)).toBe(0.25);
    expect(toLoss('reverse_abs', 0.75)).toBe(0.25);
    expect(Number.isNaN(toLoss('abs', NaN))).toBe(true);
    expect(metricInfo('Equalized_Odds_TPR')).toMatchObject({ loss: 'abs', constraintOn: 'abs' });
    expect(metricInfo('Disparate_Impact')).toMatchObject({ loss: 'reverse_abs', constraintOn: 'raw' });
    expect(metricInfo('F1')).toMatchObject({ loss: 'reverse', constraintOn: 'raw' });
    expect(metricInfo('Sample_Size')?.loss).toBeNull();
    expect(metricInfo('f1')).toBeUndefined();
  });
});

describe('component registry', () => {
  const def = (name: string) => ({
    stage: 'model' as const,
    name,
    description: name,
    space: searchSpace([int('max_depth', 1, 10, { default: 3 })]),
    create: (seed: number) => seed,
  });

  it('registers, lists and returns components per stage', () => {
    const r = new ComponentRegistry().registerAll([def('dt_clf'), def('rf_clf')]);
    r.register({
      stage: 'null_imputation',
      name: 'median-mode',
      description: '',
      space: emptySpace,
      create: null,
    });
    expect(r.names('model')).toEqual(['dt_clf', 'rf_clf']);
    expect(r.has('model', 'dt_clf')).toBe(true);
    expect(r.has('null_imputation', 'dt_clf')).toBe(false);
    expect(r.get<(seed: number) => number>('model', 'rf_clf').create(7)).toBe(7);
    expect(r.list().map((d) => d.name)).toEqual(['dt_clf', 'rf_clf', 'median-mode']);
    expect(r.list('null_imputation')).toHaveLength(1);
  });

  it('rejects duplicates and unknown names with codes', () => {
    const r = new ComponentRegistry().register(def('dt_clf'));
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as VirnyFlowError).code;
      }
      return 'none';
    };
    expect(codeOf(() => r.register(def('dt_clf')))).toBe('VF_REGISTRY_DUPLICATE_COMPONENT');
    expect(codeOf(() => r.get('model', 'lr_clf'))).toBe('VF_REGISTRY_UNKNOWN_COMPONENT');
  });
});

describe('closest matches', () => {
  it('computes edit distances with transpositions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abcd', 'abdc')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('F1', 'f1')).toBe(0);
  });

  it('suggests case fixes, substrings and small typos, best first', () => {
    const metrics = [...METRIC_CATALOG.keys()];
    expect(closestMatches('f1', metrics)[0]).toBe('F1');
    expect(closestMatches('equalized_odds_tpr', metrics)[0]).toBe('Equalized_Odds_TPR');
    expect(closestMatches('Label_Stabilty', metrics)[0]).toBe('Label_Stability');
    expect(closestMatches('FNRD', metrics)).not.toContain('Label_Stability');
    expect(closestMatches('completely_unrelated', metrics)).toEqual([]);
  });
});
