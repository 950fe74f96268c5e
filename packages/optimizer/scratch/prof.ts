import { Rng, categorical, float, int, sampleConfiguration, searchSpace } from '@virnyflow/core';
import { Advisor } from '../src/index';
const space = searchSpace([
  float('a', 0.001, 1, { log: true }),
  float('b', 0.1, 1),
  float('c', 0.1, 1),
  float('d', 0, 10),
  int('e', 50, 1000, { q: 50 }),
  int('f', 1, 20),
  int('g', 2, 10),
  categorical('h', ['gini', 'entropy']),
  categorical('i', ['sqrt', 'log2', null, 0.5]),
  categorical('j', [20, 176, 333, 490, 647, 804, 961, 1117, 1274, 1431, 1588]),
]);
const m = Number(process.argv[2] ?? 3);
const n = Number(process.argv[3] ?? 200);
const surrogate = (process.argv[4] ?? 'prf') as 'prf' | 'gp';
function obj(c: Record<string, unknown>): number[] {
  const u = [c.b as number, c.c as number, (c.d as number) / 10, ((c.e as number) - 50) / 950];
  const g = u.slice(m - 1).reduce((s, v) => s + (v - 0.4) ** 2, 0);
  const f = [];
  for (let i = 0; i < m; i++) {
    let v = 1 + g;
    for (let j = 0; j < m - 1 - i; j++) v *= Math.cos((u[j] * Math.PI) / 2);
    if (i > 0) v *= Math.sin((u[m - 1 - i] * Math.PI) / 2);
    f.push(v);
  }
  return f;
}
const adv = new Advisor({ space, numObjectives: m, seed: 1, surrogate, refPoint: new Array(m).fill(3) });
const rng = new Rng(3);
for (let i = 0; i < n; i++) {
  const c = sampleConfiguration(space, rng);
  adv.observe({ config: c, objectives: obj(c) });
}
const ts: number[] = [];
for (let t = 0; t < Number(process.argv[5] ?? 10); t++) {
  const s = process.cpuUsage();
  const [c] = adv.suggest(1);
  const d = process.cpuUsage(s);
  ts.push((d.user + d.system) / 1000);
  adv.observe({ config: c, objectives: obj(c) });
}
ts.sort((a, b) => a - b);
console.log(
  'median',
  ts[Math.floor(ts.length / 2)].toFixed(1),
  'p90',
  ts[Math.floor(ts.length * 0.9)].toFixed(1),
);
