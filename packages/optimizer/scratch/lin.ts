import { choleskyInPlace, choleskyInverse, choleskyWithJitter } from '../src/linalg';
const n = 200;
const a = new Float64Array(n * n);
const x = new Float64Array(n * 5);
for (let i = 0; i < x.length; i++) x[i] = Math.random();
for (let i = 0; i < n; i++)
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let t = 0; t < 5; t++) s += (x[i * 5 + t] - x[j * 5 + t]) ** 2;
    a[i * n + j] = Math.exp(-s) + (i === j ? 1e-2 : 0);
  }
const l = new Float64Array(n * n),
  inv = new Float64Array(n * n),
  sc = new Float64Array(n * n);
for (let r = 0; r < 8; r++) {
  let t = performance.now();
  choleskyWithJitter(a, n, l);
  const t1 = performance.now() - t;
  t = performance.now();
  choleskyInverse(l, n, inv, sc);
  console.log('chol', t1.toFixed(2), 'inv', (performance.now() - t).toFixed(2));
}
void choleskyInPlace;
