import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '@virnyflow/cli';

const dir = mkdtempSync(join(tmpdir(), 'vf-cli-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// SPEC §8.2's toy case: 2 estimators × 10 samples, given here as P(positive) = 1 − P(class 0).
const y = [0, 0, 1, 1, 0, 1, 0, 1, 1, 1];
const p0 = [
  [0.6, 0.7, 0.3, 0.4, 0.5, 0.3, 0.7, 0.6, 0.4, 0.4],
  [0.7, 0.6, 0.4, 0.4, 0.5, 0.3, 0.2, 0.6, 0.4, 0.4],
];
const sex = ['f', 'm', 'f', 'm', 'f', 'm', 'f', 'm', 'f', 'm'];

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('virnyflow profile', () => {
  const labels = write('labels.csv', ['y', ...y].join('\n') + '\n');
  const predictions = write(
    'pred.csv',
    ['m0,m1', ...y.map((_, i) => `${1 - p0[0][i]},${1 - p0[1][i]}`)].join('\n') + '\n',
  );
  const sensitive = write('sens.csv', ['sex', ...sex].join('\n') + '\n');

  it('computes the protocol with the exact flags and JSON shape of the issue', async () => {
    const out = join(dir, 'out.json');
    const code = await runCli(
      [
        'profile',
        '--labels',
        labels,
        '--predictions',
        predictions,
        '--sensitive',
        sensitive,
        '--groups',
        '{"sex": "f"}',
        '--out',
        out,
      ],
      { out: () => undefined },
    );
    expect(code).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    const get = (metric: string, group: string): number =>
      j.metrics.find((m: { metric: string; group: string }) => m.metric === metric && m.group === group)
        .value;
    expect(get('Label_Stability', 'overall')).toBeCloseTo(0.9, 9);
    expect(get('Jitter', 'overall')).toBeCloseTo(0.1, 9);
    expect(get('Std', 'overall')).toBeCloseTo(0.0565685424949238, 9);
    expect(get('Sample_Size', 'sex_dis')).toBe(5);
    const d = j.disparities.find((m: { metric: string }) => m.metric === 'Equalized_Odds_TPR');
    expect(d.group).toBe('sex');
  });

  it('names the flag of a file it cannot read (exit code 2)', async () => {
    const code = await runCli(
      [
        'profile',
        '--labels',
        join(dir, 'nope.csv'),
        '--predictions',
        predictions,
        '--sensitive',
        sensitive,
        '--groups',
        '{"sex": "f"}',
      ],
      { out: () => undefined },
    );
    expect(code).toBe(2);
  });
});
