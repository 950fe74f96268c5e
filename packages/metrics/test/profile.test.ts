/** `virnyflow profile`'s work: CSV inputs, group definitions as JSON/YAML, CSV/JSON outputs, clear errors. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MetricsErrorCode, MetricsTable, parseCsv, parseGroupsText, profile, runProfile } from '../src/index';
import type { MetricsTableJSON } from '../src/index';

const dir = mkdtempSync(join(tmpdir(), 'vf-metrics-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

// The toy case of SPEC §8.2 as a Virny user would export it: P(positive) = 1 − P(class 0).
const y = [0, 0, 1, 1, 0, 1, 0, 1, 1, 1];
const p0 = [
  [0.6, 0.7, 0.3, 0.4, 0.5, 0.3, 0.7, 0.6, 0.4, 0.4],
  [0.7, 0.6, 0.4, 0.4, 0.5, 0.3, 0.2, 0.6, 0.4, 0.4],
];
const sex = ['m', 'm', 'm', 'm', 'm', 'f', 'f', 'f', 'f', 'f'];
const race = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2];
const labelsCsv = 'y\n' + y.join('\n') + '\n';
// pandas to_csv() writes the index as an unnamed first column.
const predCsv = ',est_0,est_1\n' + y.map((_, i) => `${i},${1 - p0[0][i]},${1 - p0[1][i]}`).join('\n') + '\n';
const sensCsv = 'sex,race\r\n' + y.map((_, i) => `${sex[i]},${race[i]}`).join('\r\n') + '\r\n';

describe('profile', () => {
  it('reproduces the toy values from CSV inputs with P(positive) columns', () => {
    const t = profile({
      labels: { name: 'labels.csv', text: labelsCsv },
      predictions: { name: 'pred.csv', text: predCsv },
      sensitive: { name: 'sens.csv', text: sensCsv },
      groups: { sex: 'f', race: '2', 'sex&race': null },
    });
    expect(t.get('Mean_Prediction', 'overall')).toBeCloseTo(0.47, 9);
    expect(t.get('Jitter', 'overall')).toBeCloseTo(0.1, 9);
    expect(t.get('Overall_Uncertainty', 'overall')).toBeCloseTo(0.9560071897163649, 9);
    expect(t.groups).toEqual([
      'overall',
      'sex_priv',
      'sex_dis',
      'race_priv',
      'race_dis',
      'sex&race_priv',
      'sex&race_dis',
    ]);
    // CSV cells carry no type: race '2' and 2 both match the text 2. sex&race_dis = rows 5, 7, 9.
    expect(t.get('Sample_Size', 'sex&race_dis')).toBe(3);
    expect(t.keys).toEqual(['sex', 'race', 'sex&race']);
  });

  it('runProfile reads files and writes JSON with metrics and disparities', async () => {
    const out = await runProfile({
      labelsCsv: file('labels.csv', labelsCsv),
      predictionsCsv: file('pred.csv', predCsv),
      sensitiveCsv: file('sens.csv', sensCsv),
      groups: 'sex: f\nrace: [2]   # numbers and strings alike\n"sex & race": None\n',
      format: 'json',
    });
    const json = JSON.parse(out) as MetricsTableJSON;
    expect(json.metrics).toContainEqual({ metric: 'Label_Stability', group: 'overall', value: 0.9 });
    expect(json.metrics).toContainEqual({ metric: 'Sample_Size', group: 'sex&race_dis', value: 3 });
    const sr = json.disparities.find((r) => r.metric === 'Jitter_Difference' && r.group === 'sex');
    // Jitter on sex_dis (rows 5..9) = 1/5; on sex_priv = 0.
    expect(sr?.value).toBeCloseTo(0.2, 12);
    const table = MetricsTable.fromJSON(json);
    expect(table.disparity('Disparate_Impact', 'sex&race')).toBeDefined();
  });

  it('CSV output is the long table with a table column; groups may come from a YAML file', async () => {
    const groupsFile = file(
      'exp_config.yaml',
      [
        'common_args:',
        '  exp_config_name: demo',
        'virny_args:',
        '  bootstrap_fraction: 0.8',
        '  sensitive_attributes_dct:',
        "    sex: 'f'",
        '    race:',
        '      - 2',
        "    'sex&race': ~",
        '',
      ].join('\n'),
    );
    const out = await runProfile({
      labelsCsv: file('labels.csv', labelsCsv),
      predictionsCsv: file('pred.csv', predCsv),
      sensitiveCsv: file('sens.csv', sensCsv),
      groups: groupsFile,
      format: 'csv',
    });
    const csv = parseCsv(out, 'out');
    expect(csv.header).toEqual(['table', 'metric', 'group', 'value']);
    expect(csv.rows).toContainEqual(['metrics', 'Jitter', 'overall', '0.1']);
    expect(csv.rows.some((r) => r[0] === 'disparities' && r[2] === 'sex&race')).toBe(true);
  });

  it('a single predictions column is one model: no-bootstrap metrics', () => {
    const t = profile({
      labels: { name: 'l', text: labelsCsv },
      predictions: { name: 'p', text: 'p\n' + p0[0].map((v) => 1 - v).join('\n') },
      sensitive: { name: 's', text: sensCsv },
      groups: { sex: 'f' },
    });
    expect(t.metrics.slice(0, 2)).toEqual(['Mean_Prediction', 'Statistical_Bias']);
    expect(t.get('Jitter', 'overall')).toBeUndefined();
  });

  const bad: [string, Partial<Record<'labels' | 'predictions' | 'sensitive', string>>, object, string][] = [
    ['misaligned rows', { labels: 'y\n1\n0\n' }, { sex: 'f' }, MetricsErrorCode.ShapeMismatch],
    [
      'non-numeric probability',
      { predictions: predCsv.replace('0,0.4', '0,abc') },
      { sex: 'f' },
      MetricsErrorCode.BadInput,
    ],
    [
      'probability above 1',
      { predictions: predCsv.replace('0,0.4', '0,1.4') },
      { sex: 'f' },
      MetricsErrorCode.BadInput,
    ],
    ['label not 0/1', { labels: labelsCsv.replace('y\n0', 'y\n2') }, { sex: 'f' }, MetricsErrorCode.BadInput],
    ['unknown group column', {}, { gender: 'f' }, MetricsErrorCode.UnknownAttribute],
    ['empty group', {}, { sex: 'x' }, MetricsErrorCode.EmptyGroup],
    ['ragged row', { sensitive: sensCsv + 'f,1,extra\r\n' }, { sex: 'f' }, MetricsErrorCode.BadInput],
  ];
  for (const [what, files, groups, code] of bad) {
    it(`clear error: ${what}`, () => {
      expect(() =>
        profile({
          labels: { name: 'labels.csv', text: files.labels ?? labelsCsv },
          predictions: { name: 'pred.csv', text: files.predictions ?? predCsv },
          sensitive: { name: 'sens.csv', text: files.sensitive ?? sensCsv },
          groups: groups as Record<string, string>,
        }),
      ).toThrow(expect.objectContaining({ code }));
    });
  }

  it('names the file, line and column of a bad probability', () => {
    try {
      profile({
        labels: { name: 'labels.csv', text: labelsCsv },
        predictions: { name: 'pred.csv', text: predCsv.replace('0,0.4', '0,abc') },
        sensitive: { name: 'sens.csv', text: sensCsv },
        groups: { sex: 'f' },
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ details: { file: 'pred.csv', line: 2, column: 'est_0', value: 'abc' } });
    }
  });

  it('a missing input file is a clear error', async () => {
    await expect(
      runProfile({ labelsCsv: join(dir, 'nope.csv'), predictionsCsv: 'x', sensitiveCsv: 'y', groups: '{}' }),
    ).rejects.toMatchObject({ code: MetricsErrorCode.BadInput });
  });
});

describe('parseGroupsText', () => {
  it('reads JSON and YAML forms', () => {
    expect(parseGroupsText('{"SEX": "2", "RAC1P": ["2", "3"], "SEX&RAC1P": null}')).toEqual({
      SEX: '2',
      RAC1P: ['2', '3'],
      'SEX&RAC1P': null,
    });
    // Python-looking flow mapping (as in VirnyFlow docs): None is the string "None" in YAML 1.2.
    expect(parseGroupsText("{'sex': 1, 'race': 'African-American', 'sex&race': None}")).toEqual({
      sex: 1,
      race: 'African-American',
      'sex&race': 'None',
    });
    expect(
      parseGroupsText(
        [
          '# folk',
          "SEX: '2'",
          'RAC1P: [',
          "  '2', '3', '4',",
          "  '5']",
          'AGEP:',
          '- 25',
          '- 2.5e1',
          "'SEX & RAC1P': null",
        ].join('\n'),
      ),
    ).toEqual({ SEX: '2', RAC1P: ['2', '3', '4', '5'], AGEP: [25, 25], 'SEX & RAC1P': null });
    expect(parseGroupsText('virny_args:\n  sensitive_attributes_dct: {Gender: Female}\n')).toEqual({
      Gender: 'Female',
    });
  });

  it('rejects what it cannot read', () => {
    for (const text of ['', 'a: [1, 2', 'a:\n  b: {c: 1}\n', '[1, 2]', 'a: {b: 1}']) {
      expect(() => parseGroupsText(text)).toThrow(
        expect.objectContaining({ code: MetricsErrorCode.BadGroupsSpec }),
      );
    }
  });
});
