import { float, int, categorical, searchSpace } from '@virnyflow/core';
import { Advisor, RandomSearch } from '../src/index';
const space = searchSpace([float('x', -5, 10), float('y', 0, 15)]);
function branin(c: Record<string, unknown>) {
  const x = c.x as number,
    y = c.y as number;
  const a = 1,
    b = 5.1 / (4 * Math.PI ** 2),
    cc = 5 / Math.PI,
    r = 6,
    s = 10,
    t = 1 / (8 * Math.PI);
  return a * (y - b * x * x + cc * x - r) ** 2 + s * (1 - t) * Math.cos(x) + s;
}
for (const surrogate of ['gp', 'prf'] as const) {
  const res: number[] = [];
  for (let seed = 1; seed <= 3; seed++) {
    const adv = new Advisor({ space, numObjectives: 1, seed, surrogate });
    let best = Infinity;
    const t = performance.now();
    for (let it = 0; it < 40; it++) {
      const [c] = adv.suggest(1);
      const v = branin(c);
      best = Math.min(best, v);
      adv.observe({ config: c, objectives: [v] });
    }
    res.push(best);
    console.log(
      surrogate,
      seed,
      best.toFixed(4),
      adv.resolvedTypes,
      ((performance.now() - t) / 40).toFixed(1),
      'ms/it',
    );
  }
}
const rr: number[] = [];
for (let seed = 1; seed <= 3; seed++) {
  const rs = new RandomSearch({ space, numObjectives: 1, seed });
  let best = Infinity;
  for (let it = 0; it < 40; it++) {
    const [c] = rs.suggest(1);
    const v = branin(c);
    best = Math.min(best, v);
    rs.observe({ config: c, objectives: [v] });
  }
  rr.push(best);
}
console.log(
  'random',
  rr.map((v) => v.toFixed(3)),
);
