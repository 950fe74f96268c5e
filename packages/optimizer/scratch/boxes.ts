import { Rng } from '@virnyflow/core';
import { nonDominatedBoxes, paretoFrontIndices } from '../src/index';
const rng = new Rng(1);
for (const n of [50, 200, 500]) {
  const pts = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const u = [rng.next(), rng.next()];
    const g = 1 + rng.next();
    pts[i * 3] = g * Math.cos((u[0] * Math.PI) / 2) * Math.cos((u[1] * Math.PI) / 2);
    pts[i * 3 + 1] = g * Math.cos((u[0] * Math.PI) / 2) * Math.sin((u[1] * Math.PI) / 2);
    pts[i * 3 + 2] = g * Math.sin((u[0] * Math.PI) / 2);
  }
  const f = paretoFrontIndices(pts, n, 3);
  const front = new Float64Array(f.length * 3);
  f.forEach((i, r) => front.set(pts.subarray(i * 3, i * 3 + 3), r * 3));
  const b = nonDominatedBoxes(front, f.length, 3, [3, 3, 3]);
  console.log(n, f.length, b.nBoxes);
}
