import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeConfig, enumerateLogicalPipelines, loadConfigFile } from '../src/index';

const configsDir = fileURLToPath(new URL('../../../configs/', import.meta.url));
const files = readdirSync(configsDir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));

describe('configs/', () => {
  it('holds the demo and the paper experiments', () => {
    expect(files).toEqual(
      expect.arrayContaining(['demo.yaml', 'diabetes.yaml', 'folk_emp.yaml', 'heart.yaml']),
    );
  });

  it.each(files)('%s is valid', (file) => {
    const c = loadConfigFile(configsDir + file);
    expect(c.objectives.length).toBeGreaterThan(0);
    expect(enumerateLogicalPipelines(c).length).toBeGreaterThan(0);
  });

  it('demo.yaml resolves as documented', () => {
    const c = loadConfigFile(configsDir + 'demo.yaml');
    expect(c.dataset).toBe('demo');
    expect(c.sensitiveAttributes.map((a) => [a.key, a.intersection])).toEqual([
      ['sex', false],
      ['race', false],
      ['sex&race', true],
    ]);
    expect(c.objectives.map((o) => [o.metric, o.group, o.weight])).toEqual([
      ['F1', 'overall', 0.5],
      ['Equalized_Odds_FPR', 'sex&race', 0.5],
    ]);
    expect(c.computationMode).toBe('no_bootstrap');
    expect(c.maxTotalPipelinesNum).toBe(12);
    expect(enumerateLogicalPipelines(c).map((lp) => lp.name)).toEqual([
      'median-mode&NO_FAIRNESS_INTERVENTION&dt_clf',
      'median-mode&NO_FAIRNESS_INTERVENTION&lr_clf',
      'median-mode&NO_FAIRNESS_INTERVENTION&rf_clf',
    ]);
  });

  it('the paper experiments use the paper objectives', () => {
    const objectives = (f: string) =>
      loadConfigFile(configsDir + f).objectives.map((o) => `${o.metric}@${o.group}`);
    expect(objectives('diabetes.yaml')).toEqual(['F1@overall', 'Label_Stability@overall']);
    expect(objectives('folk_emp.yaml')).toEqual(['F1@overall', 'Equalized_Odds_FNR@SEX&RAC1P']);
    expect(objectives('heart.yaml')).toEqual(['F1@overall', 'Equalized_Odds_TNR@gender']);
    expect(loadConfigFile(configsDir + 'diabetes.yaml').computationMode).toBe('bootstrap');
  });
});

describe('describeConfig', () => {
  it('summarises runs, seeds, objectives, constraints and pipelines', () => {
    const text = describeConfig(loadConfigFile(configsDir + 'demo.yaml'));
    expect(text).toContain('1 (seed 101)');
    expect(text).toContain('sex&race (intersection)');
    expect(text).toContain('objective_2: Equalized_Odds_FPR on sex&race, weight 0.5, loss |v|');
    expect(text).toContain('3 logical pipelines');
    expect(text).toContain('  median-mode&NO_FAIRNESS_INTERVENTION&rf_clf');
    const withConstraint = describeConfig(
      loadConfigFile(fileURLToPath(new URL('./fixtures/virnyflow-three-objectives.yaml', import.meta.url))),
    );
    expect(withConstraint).toContain('constraints |Equalized_Odds_TPR| <= 0.2');
    expect(withConstraint).toContain('bootstrap, 50 estimators on 0.8 of train');
  });
});
