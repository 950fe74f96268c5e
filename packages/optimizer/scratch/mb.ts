const n = 200;
const a = new Float64Array(n * n);
for (let i = 0; i < a.length; i++) a[i] = Math.random();
function chol(a: Float64Array, n: number) {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let t = a[ri + j];
      for (let k = 0; k < j; k++) t -= a[ri + k] * a[rj + k];
      s += t;
    }
  }
  return s;
}
for (let r = 0; r < 5; r++) {
  const t = performance.now();
  chol(a, n);
  console.log(
    'ms',
    (performance.now() - t).toFixed(2),
    'Mflops',
    ((n * n * n) / 6 / ((performance.now() - t) * 1e3)).toFixed(0),
  );
}
