import { Rng } from '@virnyflow/core';
import { GaussianProcess } from '../src/gp';
const rng = new Rng(1);
const d = 10;
for (const n of [200, 200, 200]) {
  const x = new Float64Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = rng.next();
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (x[i * d + j] - 0.3) ** 2 * (j + 1);
    y[i] = s + 0.01 * rng.normal();
  }
  const hyp = { lengthScales: new Float64Array(d).fill(1), signalVariance: 1, noiseVariance: 1e-3 };
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    GaussianProcess.fit(x, n, d, y, { hyperParameters: hyp });
    console.log('fixedfit', (performance.now() - t).toFixed(1));
  }
  const m = 2000;
  const xc = new Float64Array(m * d);
  for (let i = 0; i < xc.length; i++) xc[i] = rng.next();
  const mu = new Float64Array(m),
    v = new Float64Array(m);
  const gp = GaussianProcess.fit(x, n, d, y, { hyperParameters: hyp });
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    gp.predict(xc, m, mu, v);
    console.log('predict', (performance.now() - t).toFixed(1));
  }
  let t = performance.now();
  GaussianProcess.fit(x, n, d, y, { rng, restarts: 1, maxIterations: 30 });
  console.log('fit1x30', (performance.now() - t).toFixed(1));
}
