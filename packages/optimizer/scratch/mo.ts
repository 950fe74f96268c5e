import { float, searchSpace } from '@virnyflow/core';
import { Advisor, RandomSearch, hypervolume } from '../src/index';
const D = 6;
const space = searchSpace(Array.from({ length: D }, (_, i) => float(`x${i}`, 0, 1)));
function zdt1(c: Record<string, unknown>) {
  const x = Array.from({ length: D }, (_, i) => c[`x${i}`] as number);
  const f1 = x[0];
  const g = 1 + (9 * x.slice(1).reduce((a, b) => a + b, 0)) / (D - 1);
  return [f1, g * (1 - Math.sqrt(f1 / g))];
}
const ref = [1.1, 11];
function run(
  make: (seed: number) => { suggest(k: number): Record<string, unknown>[]; observe(o: any): void },
  N = 60,
) {
  const hvs = [];
  for (let seed = 1; seed <= 3; seed++) {
    const opt = make(seed);
    const ys: number[] = [];
    const t = performance.now();
    for (let it = 0; it < N; it++) {
      const [c] = opt.suggest(1);
      const y = zdt1(c);
      ys.push(...y);
      opt.observe({ config: c, objectives: y });
    }
    hvs.push(hypervolume(Float64Array.from(ys), N, 2, ref));
    console.log(
      '  ',
      seed,
      hvs[hvs.length - 1].toFixed(3),
      ((performance.now() - t) / N).toFixed(1),
      'ms/it',
    );
  }
  return hvs;
}
console.log(
  'ehvi gp',
  run((s) => new Advisor({ space, numObjectives: 2, seed: s, surrogate: 'gp', refPoint: ref })),
);
console.log(
  'ehvi prf',
  run((s) => new Advisor({ space, numObjectives: 2, seed: s, surrogate: 'prf', refPoint: ref })),
);
console.log(
  'parego gp',
  run((s) => new Advisor({ space, numObjectives: 2, seed: s, surrogate: 'gp', acquisition: 'parego' })),
);
console.log(
  'random',
  run((s) => new RandomSearch({ space, numObjectives: 2, seed: s })),
);
