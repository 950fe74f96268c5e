import { readFileSync } from 'node:fs';
import { normCdf } from '../src/normal';
function hart(z: number): number {
  const x = Math.abs(z);
  let c: number;
  if (x > 37) c = 0;
  else {
    const e = Math.exp(-0.5 * x * x);
    if (x < 7.07106781186547) {
      let b = 3.52624965998911e-2 * x + 0.700383064443688;
      b = b * x + 6.37396220353165;
      b = b * x + 33.912866078383;
      b = b * x + 112.079291497871;
      b = b * x + 221.213596169931;
      b = b * x + 220.206867912376;
      c = e * b;
      b = 8.83883476483184e-2 * x + 1.75566716318264;
      b = b * x + 16.064177579207;
      b = b * x + 86.7807322029461;
      b = b * x + 296.564248779674;
      b = b * x + 637.333633378831;
      b = b * x + 793.826512519948;
      b = b * x + 440.413735824752;
      c = c / b;
    } else {
      let b = x + 0.65;
      b = x + 4 / b;
      b = x + 3 / b;
      b = x + 2 / b;
      b = x + 1 / b;
      c = e / b / 2.506628274631;
    }
  }
  return z > 0 ? 1 - c : c;
}
const { z, p } = JSON.parse(readFileSync('/tmp/phi.json', 'utf8')) as { z: number[]; p: number[] };
let maxRel = 0,
  maxRelOurs = 0,
  at = 0;
for (let i = 0; i < z.length; i++) {
  if (z[i] < -7.07 || p[i] === 0) continue;
  const r = Math.abs(hart(z[i]) - p[i]) / p[i];
  if (r > maxRel) {
    maxRel = r;
    at = z[i];
  }
  maxRelOurs = Math.max(maxRelOurs, Math.abs(normCdf(z[i]) - p[i]) / p[i]);
}
console.log('hart max rel', maxRel, 'at', at, 'ours', maxRelOurs);
let t = performance.now();
let s = 0;
for (let r = 0; r < 20; r++) for (let i = 0; i < z.length; i++) s += hart(z[i] / 4);
console.log('hart', (performance.now() - t).toFixed(1), s);
t = performance.now();
s = 0;
for (let r = 0; r < 20; r++) for (let i = 0; i < z.length; i++) s += normCdf(z[i] / 4);
console.log('ours', (performance.now() - t).toFixed(1), s);
for (const lim of [1, 2, 3, 4, 5, 6, 7]) {
  let mr = 0;
  for (let i = 0; i < z.length; i++) {
    if (Math.abs(z[i]) > lim || p[i] === 0) continue;
    mr = Math.max(mr, Math.abs(hart(z[i]) - p[i]) / p[i]);
  }
  console.log(lim, mr);
}
