import { describe, expect, it } from 'vitest';
import { ConfigErrorCode, loadConfig } from '../src/index';
import type { ConfigErrorCode as Code } from '../src/index';
import { baseDoc, expectConfigError, set, toYaml } from './config-helpers';

/** The base config with `pipeline_args.error_injection` set to `specs`. */
function withInjection(specs: unknown): string {
  const d = baseDoc();
  set(d, ['pipeline_args', 'error_injection'], specs);
  return toYaml(d);
}

const mcar = { strategy: 'MCAR', columns: ['Age', 'BMI'], null_percentage: 0.2 };

describe('pipeline_args.error_injection', () => {
  it('is optional and resolves to an empty list', () => {
    expect(loadConfig(toYaml(baseDoc())).errorInjection).toEqual([]);
  });

  it('resolves specs in camelCase with both splits by default', () => {
    const c = loadConfig(
      withInjection([
        mcar,
        {
          strategy: 'MAR',
          columns: ['BMI'],
          null_percentage: 0.35,
          condition: { column: 'Gender', op: '==', value: 'Female' },
          splits: ['train'],
        },
        {
          strategy: 'MNAR',
          columns: ['Age'],
          null_percentage: 0.1,
          condition: { column: 'Age', op: 'in', value: [40, 50] },
        },
      ]),
    );
    expect(c.errorInjection).toEqual([
      { strategy: 'MCAR', columns: ['Age', 'BMI'], nullPercentage: 0.2, splits: ['train', 'test'] },
      {
        strategy: 'MAR',
        columns: ['BMI'],
        nullPercentage: 0.35,
        condition: { column: 'Gender', op: '==', value: 'Female' },
        splits: ['train'],
      },
      {
        strategy: 'MNAR',
        columns: ['Age'],
        nullPercentage: 0.1,
        condition: { column: 'Age', op: 'in', value: [40, 50] },
        splits: ['train', 'test'],
      },
    ]);
  });

  const cond = { column: 'Gender', op: '==', value: 'Female' };
  const cases: { name: string; spec: Record<string, unknown>; code: Code; path: string }[] = [
    {
      name: 'unknown strategy',
      spec: { ...mcar, strategy: 'MCARS' },
      code: ConfigErrorCode.Choice,
      path: '.strategy',
    },
    {
      name: 'percentage 1',
      spec: { ...mcar, null_percentage: 1 },
      code: ConfigErrorCode.Range,
      path: '.null_percentage',
    },
    {
      name: 'percentage 0',
      spec: { ...mcar, null_percentage: 0 },
      code: ConfigErrorCode.Range,
      path: '.null_percentage',
    },
    { name: 'no columns', spec: { ...mcar, columns: [] }, code: ConfigErrorCode.EmptyList, path: '.columns' },
    {
      name: 'missing columns',
      spec: { strategy: 'MCAR', null_percentage: 0.2 },
      code: ConfigErrorCode.MissingField,
      path: '.columns',
    },
    {
      name: 'unknown key',
      spec: { ...mcar, percentage: 0.2 },
      code: ConfigErrorCode.UnknownKey,
      path: '.percentage',
    },
    {
      name: 'MCAR with a condition',
      spec: { ...mcar, condition: cond },
      code: ConfigErrorCode.UnknownKey,
      path: '.condition',
    },
    {
      name: 'MAR without a condition',
      spec: { ...mcar, strategy: 'MAR' },
      code: ConfigErrorCode.MissingField,
      path: '.condition',
    },
    {
      name: 'MAR on an injected column',
      spec: { ...mcar, strategy: 'MAR', condition: { ...cond, column: 'Age' } },
      code: ConfigErrorCode.Choice,
      path: '.condition.column',
    },
    {
      name: 'MNAR on another column',
      spec: { ...mcar, strategy: 'MNAR', condition: cond },
      code: ConfigErrorCode.Choice,
      path: '.condition.column',
    },
    {
      name: 'unknown op',
      spec: { ...mcar, strategy: 'MAR', condition: { ...cond, op: '=' } },
      code: ConfigErrorCode.Choice,
      path: '.condition.op',
    },
    {
      name: "op 'in' with one value",
      spec: { ...mcar, strategy: 'MAR', condition: { ...cond, op: 'in' } },
      code: ConfigErrorCode.Type,
      path: '.condition.value',
    },
    {
      name: "op '==' with a list",
      spec: { ...mcar, strategy: 'MAR', condition: { ...cond, value: ['Female', 'Male'] } },
      code: ConfigErrorCode.Type,
      path: '.condition.value',
    },
    {
      name: 'column listed twice',
      spec: { ...mcar, columns: ['Age', 'Age'] },
      code: ConfigErrorCode.Choice,
      path: '.columns[1]',
    },
    {
      name: 'unknown split',
      spec: { ...mcar, splits: ['validation'] },
      code: ConfigErrorCode.Choice,
      path: '.splits[0]',
    },
    { name: 'no split', spec: { ...mcar, splits: [] }, code: ConfigErrorCode.EmptyList, path: '.splits' },
    {
      name: 'split listed twice',
      spec: { ...mcar, splits: ['test', 'test'] },
      code: ConfigErrorCode.Choice,
      path: '.splits[1]',
    },
  ];

  it.each(cases)('rejects $name with its code and path', ({ spec, code, path }) => {
    const err = expectConfigError(withInjection([mcar, spec]));
    expect(err.issues.map((i) => [i.code, i.path])).toEqual([
      [code, `pipeline_args.error_injection[1]${path}`],
    ]);
    // Messages name the place and say what to do.
    expect(err.issues[0].message).toContain(`pipeline_args.error_injection[1]${path}`);
    expect(err.issues[0].fix.length).toBeGreaterThan(0);
  });

  it('rejects a non-list', () => {
    const err = expectConfigError(withInjection(mcar));
    expect(err.issues.map((i) => [i.code, i.path])).toEqual([
      [ConfigErrorCode.Type, 'pipeline_args.error_injection'],
    ]);
  });
});
