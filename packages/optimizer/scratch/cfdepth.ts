import { erfc } from '../src/normal';
function cf(x: number, depth: number) {
  let f = x;
  for (let n = depth; n >= 1; n--) f = x + (0.5 * n) / f;
  return (0.5641895835477563 * Math.exp(-x * x)) / f;
}
for (const x of [2.5, 3, 3.5, 4, 5, 6, 8, 10, 15]) {
  const ref = cf(x, 200);
  let d = 1;
  while (Math.abs(cf(x, d) - ref) / ref > 2e-16) d++;
  console.log(x, d, erfc(x) === ref);
}
