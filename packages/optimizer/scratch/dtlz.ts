import { float, searchSpace } from '@virnyflow/core';
import type { AdvisorOptions } from '../src/index';
import { Advisor, hypervolume } from '../src/index';
const D = 7;
const space = searchSpace(Array.from({ length: D }, (_, i) => float(`x${i}`, 0, 1)));
const f = (c: Record<string, unknown>) => {
  const x = Array.from({ length: D }, (_, i) => c[`x${i}`] as number);
  const g = x.slice(2).reduce((s, v) => s + (v - 0.5) ** 2, 0);
  const h = Math.PI / 2;
  return [
    (1 + g) * Math.cos(x[0] * h) * Math.cos(x[1] * h),
    (1 + g) * Math.cos(x[0] * h) * Math.sin(x[1] * h),
    (1 + g) * Math.sin(x[0] * h),
  ];
};
const ref = [2.5, 2.5, 2.5];
const variant = process.argv[2];
const extra: Record<string, Partial<AdvisorOptions>> = {
  base: {},
  local: { acqOptimizer: 'local_random' },
  more: { acqOptimizerOptions: { nRandom: 2000 } },
  cl: { pendingStrategy: 'constant_liar' },
  parego: { acquisition: 'parego' },
  noref: { refPoint: null },
  rp0: { randProb: 0 },
};
const hvs: number[] = [];
for (let seed = 1; seed <= 3; seed++) {
  const adv = new Advisor({ space, numObjectives: 3, refPoint: ref, seed, ...extra[variant] });
  const ys: number[] = [];
  for (let i = 0; i < 100; i++) {
    const [c] = adv.suggest(1);
    const y = f(c);
    ys.push(...y);
    adv.observe({ config: c, objectives: y });
  }
  hvs.push(hypervolume(Float64Array.from(ys), 100, 3, ref));
}
console.log(variant, hvs.map((v) => v.toFixed(3)).join(' '), (hvs.reduce((a, b) => a + b) / 3).toFixed(3));
