import { Rng } from '@virnyflow/core';
import { GaussianProcess } from '../src/gp';
const rng = new Rng(1);
for (const n of [20, 50, 100, 200, 300]) {
  const d = 10;
  const x = new Float64Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = rng.next();
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (x[i * d + j] - 0.3) ** 2 * (j + 1);
    y[i] = s + 0.01 * rng.normal();
  }
  let t = performance.now();
  const gp = GaussianProcess.fit(x, n, d, y, { rng, restarts: 3 });
  const tf = performance.now() - t;
  const m = 2000;
  const xc = new Float64Array(m * d);
  for (let i = 0; i < xc.length; i++) xc[i] = rng.next();
  const mu = new Float64Array(m),
    v = new Float64Array(m);
  t = performance.now();
  gp.predict(xc, m, mu, v);
  const tp = performance.now() - t;
  t = performance.now();
  GaussianProcess.fit(x, n, d, y, { hyperParameters: gp.hyper });
  const tc = performance.now() - t;
  console.log(
    n,
    'fit',
    tf.toFixed(1),
    'predict2000',
    tp.toFixed(1),
    'fixedfit',
    tc.toFixed(1),
    'nll',
    gp.negLogLikelihood.toFixed(2),
    Array.from(gp.hyper.lengthScales)
      .map((v) => v.toFixed(2))
      .join(','),
    gp.hyper.noiseVariance.toExponential(2),
  );
}
