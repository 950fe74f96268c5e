import { GaussianProcess } from '../src/gp';
for (const d of [1, 10])
  for (const n of [100, 200]) {
    const x = new Float64Array(n * d);
    for (let i = 0; i < x.length; i++) x[i] = Math.random();
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = Math.random();
    const hyp = { lengthScales: new Float64Array(d).fill(1), signalVariance: 1, noiseVariance: 1e-3 };
    const gp = GaussianProcess.fit(x, n, d, y, { hyperParameters: hyp });
    const m = 2000;
    const xc = new Float64Array(m * d);
    for (let i = 0; i < xc.length; i++) xc[i] = Math.random();
    const mu = new Float64Array(m),
      v = new Float64Array(m);
    const ts = [];
    for (let r = 0; r < 6; r++) {
      const t = performance.now();
      gp.predict(xc, m, mu, v);
      ts.push((performance.now() - t).toFixed(1));
    }
    console.log(d, n, ts.join(' '));
  }
