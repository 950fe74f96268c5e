import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '@virnyflow/cli';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'vf-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stderr = '';
let stdout = '';
beforeEach(() => {
  stderr = '';
  stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

async function cli(...args: string[]): Promise<number> {
  return runCli(args, { out: (s) => (stdout += s) });
}

/** A config over a custom CSV dataset; `over` patches the YAML pieces. */
function customConfig(
  csv: string,
  over: { models?: string; imputers?: string; dct?: string; columns?: string; target?: string } = {},
): string {
  const data = join(dir, `data-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(data, csv);
  const path = join(dir, `cfg-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    path,
    `common_args: { exp_config_name: t, run_nums: [1] }
pipeline_args:
  dataset: mine
  sensitive_attrs_for_intervention: [sex]
  null_imputers: ${over.imputers ?? '[median-mode]'}
  fairness_interventions: []
  models: ${over.models ?? '[dt_clf]'}
optimisation_args:
  objectives:
    - { name: objective_1, metric: F1, group: overall, weight: 0.5 }
    - { name: objective_2, metric: Equalized_Odds_FPR, group: sex, weight: 0.5 }
  max_total_pipelines_num: 4
  num_workers: 2
  num_pp_candidates: 2
virny_args:
  sensitive_attributes_dct: ${over.dct ?? "{ sex: 'f' }"}
custom_datasets:
  mine:
    path: ${data}
    target: ${over.target ?? 'outcome'}
    ${over.columns ?? 'numerical_columns: [a]\n    categorical_columns: [sex]'}
`,
  );
  return path;
}

/** 40 rows: a numeric feature, sex alternating m/f, label = row parity of a second pattern. */
function rows(
  n = 40,
  f: (i: number) => string = (i) => `${i % 7},${i % 2 ? 'f' : 'm'},${i % 3 === 0 ? 1 : 0}`,
) {
  return ['a,sex,outcome', ...Array.from({ length: n }, (_, i) => f(i))].join('\n') + '\n';
}

describe('virnyflow validate', () => {
  it('accepts the demo config and prints logical pipelines and group sizes', async () => {
    expect(await cli('validate', join(repoRoot, 'configs/demo.yaml'))).toBe(0);
    expect(stdout).toContain('median-mode&NO_FAIRNESS_INTERVENTION&dt_clf');
    expect(stdout).toMatch(/sex&race_dis\s+\d+/);
    expect(stdout).toContain('config is valid');
  });

  it('gives JSON with the dataset summary', async () => {
    expect(await cli('validate', join(repoRoot, 'configs/demo.yaml'), '--format', 'json')).toBe(0);
    const j = JSON.parse(stdout);
    expect(j.valid).toBe(true);
    expect(j.logical_pipelines).toHaveLength(3);
    const { names, sizes } = j.dataset.groups;
    // priv and dis partition the rows of every key.
    for (let k = 1; k < names.length; k += 2) expect(sizes[k] + sizes[k + 1]).toBe(sizes[0]);
  });

  it('accepts a valid custom CSV dataset', async () => {
    expect(await cli('validate', customConfig(rows()))).toBe(0);
    expect(stdout).toContain('mine: 40 rows');
  });

  const bad: [string, () => string, string][] = [
    [
      'a malformed YAML file',
      () => {
        const p = join(dir, 'broken.yaml');
        writeFileSync(p, 'common_args: [unclosed\n  x: : y\n');
        return p;
      },
      'VF_CONFIG_YAML',
    ],
    [
      'a declared column missing from the file',
      () => customConfig(rows(), { columns: 'numerical_columns: [a, b]\n    categorical_columns: [sex]' }),
      'VF_DATA_MISSING_COLUMN',
    ],
    [
      'a group with no members',
      () => customConfig(rows(), { dct: "{ sex: 'x' }" }),
      'VF_METRICS_EMPTY_GROUP',
    ],
    [
      'a one-class target',
      () => customConfig(rows(40, (i) => `${i},${i % 2 ? 'f' : 'm'},1`)),
      'VF_DATA_ONE_CLASS_TARGET',
    ],
    [
      'a NaN-only column',
      () => customConfig(rows(40, (i) => `,${i % 2 ? 'f' : 'm'},${i % 3 ? 0 : 1}`)),
      'VF_DATA_ALL_MISSING_COLUMN',
    ],
    [
      'text in a numeric column',
      () => customConfig(rows(40, (i) => `${i === 5 ? 'abc' : i},${i % 2 ? 'f' : 'm'},${i % 3 ? 0 : 1}`)),
      'VF_DATA_NOT_NUMERIC',
    ],
    [
      'a ragged row',
      () =>
        customConfig(rows(40, (i) => (i === 7 ? `${i},f` : `${i},${i % 2 ? 'f' : 'm'},${i % 3 ? 0 : 1}`))),
      'VF_DATA_RAGGED_ROW',
    ],
    ['an empty file', () => customConfig(''), 'VF_DATA_EMPTY_FILE'],
    [
      'a sensitive attribute that is not a column',
      () => customConfig(rows(), { dct: "{ sex: 'f', gender: 'f' }" }),
      'VF_DATA_MISSING_COLUMN',
    ],
    [
      'missing values with no imputer for a model that cannot take them',
      () =>
        customConfig(
          rows(40, (i) => `${i % 5 === 0 ? '' : i},${i % 2 ? 'f' : 'm'},${i % 3 ? 0 : 1}`),
          { imputers: '[]', models: '[lr_clf]' },
        ),
      'VF_CONFIG_NULLS_UNHANDLED',
    ],
    [
      'error injection on a column the data does not have',
      () => {
        const path = customConfig(rows());
        const text = readFileSync(path, 'utf8').replace(
          '  models: [dt_clf]',
          '  models: [dt_clf]\n  error_injection:\n    - { strategy: MCAR, columns: [b], null_percentage: 0.2 }',
        );
        writeFileSync(path, text);
        return path;
      },
      'VF_IMPUTATION_UNKNOWN_COLUMN',
    ],
    ['a target column that is not there', () => customConfig(rows(), { target: 'label' }), 'VF_DATA_MISSING'],
  ];
  for (const [what, make, code] of bad) {
    it(`rejects ${what} with ${code} and exit code 2`, async () => {
      expect(await cli('validate', make())).toBe(2);
      expect(stderr).toContain(code);
      expect(stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
    });
  }

  it('exits 2 on a bad flag and names it', async () => {
    expect(await cli('validate', join(repoRoot, 'configs/demo.yaml'), '--format', 'xml')).toBe(2);
  });
});

describe('the virnyflow process', () => {
  it('exits 2 with the error code on stderr, and no stack trace', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'packages/cli/src/main.ts'), 'validate', '/no/such/config.yaml'],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('VF_CONFIG_FILE');
    expect(r.stderr).not.toContain('    at ');
  });
});
