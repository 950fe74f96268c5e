/**
 * Optimizer benchmark (run: `npx tsx bench/optimizer.bench.ts [--json] [--quick] [--only=latency|quality]`).
 *
 * (a) Suggestion latency: an advisor on a 10-D mixed space is rebuilt from n random observations, then
 *     runs 20 cycles of suggest(1) → observe; each suggest is timed (the first includes fitting the models
 *     on the rebuilt history, as after a resume). Median, p95 (nearest rank) and max, for the `auto`
 *     resolution (a forest: the space has 10 hyper-parameters), an explicit GP and an explicit forest,
 *     with EHVI on 2 and 3 objectives; wall clock and process CPU time (the box may be shared). Baselines are the peers' published figures (printed, not re-run):
 *     OpenBox's GP advisor takes minutes per suggestion after a few hundred observations; BoTorch's
 *     multi-objective tutorial spends 13–29 s per batch.
 * (b) Optimisation quality: hypervolume of the evaluated points after 100 evaluations (mean ± std over
 *     10 seeds) on ZDT1, ZDT2 (6 variables), DTLZ2 (3 objectives, 7 variables) and a mixed
 *     integer/categorical problem, for the EHVI advisor (auto surrogate), ParEGO and random search —
 *     the baseline every BO method must beat.
 * With --json every result is also printed as one JSON object per line.
 */
import { cpus, loadavg } from 'node:os';
import type { Configuration, SearchSpace } from '@virnyflow/core';
import { Rng, categorical, float, int, sampleConfiguration, searchSpace } from '@virnyflow/core';
import type { AdvisorOptions, Optimizer } from '@virnyflow/optimizer';
import { Advisor, RandomSearch, hypervolume } from '@virnyflow/optimizer';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const quick = args.has('--quick');
const only = [...args].find((a) => a.startsWith('--only='))?.slice('--only='.length);

function emit(obj: Record<string, unknown>): void {
  if (json) console.log(JSON.stringify(obj));
}

function percentile(sorted: number[], p: number): number {
  // Nearest-rank percentile.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

// ---------------------------------------------------------------------------------------------------
// (a) latency

/** 10 hyper-parameters: 4 floats (one log), 3 ints (one with q), 3 categoricals. */
const mixed10: SearchSpace = searchSpace([
  float('model__learning_rate', 0.001, 1, { log: true }),
  float('model__subsample', 0.1, 1),
  float('fi__repair_level', 0.1, 1),
  float('model__l2', 0, 10),
  int('model__n_estimators', 50, 1000, { q: 50 }),
  int('model__max_depth', 1, 20),
  int('mvi__n_clusters', 2, 10),
  categorical('model__criterion', ['gini', 'entropy']),
  categorical('model__max_features', ['sqrt', 'log2', null, 0.5]),
  categorical('model__num_leaves', [20, 176, 333, 490, 647, 804, 961, 1117, 1274, 1431, 1588]),
]);

/** A smooth DTLZ2-like objective vector of a configuration of `mixed10` (m objectives). */
function mixedObjectives(c: Configuration, m: number): number[] {
  const u = [
    (Math.log10(c['model__learning_rate'] as number) + 3) / 3,
    c['model__subsample'] as number,
    c['fi__repair_level'] as number,
    (c['model__l2'] as number) / 10,
    ((c['model__n_estimators'] as number) - 50) / 950,
    ((c['model__max_depth'] as number) - 1) / 19,
    ((c['mvi__n_clusters'] as number) - 2) / 8,
  ];
  const g =
    u.slice(m - 1).reduce((s, v) => s + (v - 0.4) ** 2, 0) +
    (c['model__criterion'] === 'entropy' ? 0 : 0.1) +
    (c['model__max_features'] === 'sqrt' ? 0 : 0.05);
  const f: number[] = [];
  for (let i = 0; i < m; i++) {
    let v = 1 + g;
    for (let j = 0; j < m - 1 - i; j++) v *= Math.cos((u[j] * Math.PI) / 2);
    if (i > 0) v *= Math.sin((u[m - 1 - i] * Math.PI) / 2);
    f.push(v);
  }
  return f;
}

interface LatencyRow {
  setting: string;
  resolved: string;
  nObs: number;
  m: number;
  median: number;
  p95: number;
  max: number;
  cpuMedian: number;
  cpuP95: number;
}

function latency(
  setting: string,
  opts: Partial<AdvisorOptions>,
  nObs: number,
  m: number,
  cycles: number,
): LatencyRow {
  const adv = new Advisor({
    space: mixed10,
    numObjectives: m,
    seed: 1000 + nObs,
    refPoint: new Array(m).fill(3),
    ...opts,
  });
  const rng = new Rng(nObs * 7 + m);
  // Rebuild from n random observations (the replay path: configurations that were never pending).
  for (let i = 0; i < nObs; i++) {
    const c = sampleConfiguration(mixed10, rng);
    adv.observe({ config: c, objectives: mixedObjectives(c, m) });
  }
  const times: number[] = [];
  const cpu: number[] = [];
  for (let t = 0; t < cycles; t++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const [c] = adv.suggest(1);
    const used = process.cpuUsage(cpuStart);
    times.push(performance.now() - start);
    cpu.push((used.user + used.system) / 1000);
    adv.observe({ config: c, objectives: mixedObjectives(c, m) });
  }
  const r = adv.resolvedTypes;
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    setting,
    resolved: `${r.surrogate}/${r.acquisition}/${r.acqOptimizer}`,
    nObs,
    m,
    median: percentile(times, 50),
    p95: percentile(times, 95),
    max: times[times.length - 1],
    cpuMedian: percentile(cpu, 50),
    cpuP95: percentile(cpu, 95),
  };
}

function runLatency(): void {
  const sizes = quick ? [50, 200, 500] : [50, 100, 200, 400, 500, 800];
  const settings: [string, Partial<AdvisorOptions>][] = [
    ['auto', {}],
    ['gp+ehvi', { surrogate: 'gp' }],
    ['prf+ehvi', { surrogate: 'prf' }],
  ];
  const cycles = 20;
  console.log(
    `\n(a) suggestion latency, 10-D mixed space, ${cycles} suggest→observe cycles after a rebuild (ms)`,
  );
  console.log('                                             ---- wall clock ----   -- CPU time --');
  console.log(
    'setting    resolved                 m   n_obs   median      p95      max   median      p95   vs OpenBox (≥60 s)  vs BoTorch (13 s)',
  );
  for (const m of [2, 3]) {
    for (const [name, opts] of settings) {
      for (const n of sizes) {
        const row = latency(name, opts, n, m, cycles);
        const vsOpenBox = 60_000 / row.median;
        const vsBoTorch = 13_000 / row.median;
        console.log(
          `${name.padEnd(10)} ${row.resolved.padEnd(24)} ${String(m).padStart(1)} ${String(n).padStart(7)} ` +
            `${row.median.toFixed(1).padStart(8)} ${row.p95.toFixed(1).padStart(8)} ${row.max.toFixed(1).padStart(8)} ` +
            `${row.cpuMedian.toFixed(1).padStart(8)} ${row.cpuP95.toFixed(1).padStart(8)} ` +
            `${(vsOpenBox.toFixed(0) + '×').padStart(19)} ${(vsBoTorch.toFixed(0) + '×').padStart(18)}`,
        );
        emit({
          kind: 'latency',
          setting: name,
          resolved: row.resolved,
          n_obs: n,
          n_objectives: m,
          median_ms: round(row.median),
          p95_ms: round(row.p95),
          max_ms: round(row.max),
          cpu_median_ms: round(row.cpuMedian),
          cpu_p95_ms: round(row.cpuP95),
        });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// (b) quality

interface Problem {
  name: string;
  space: SearchSpace;
  m: number;
  ref: number[];
  evaluate(c: Configuration): number[];
}

function unitVars(n: number): SearchSpace {
  return searchSpace(Array.from({ length: n }, (_, i) => float(`x${i}`, 0, 1)));
}

const vars = (c: Configuration, n: number): number[] =>
  Array.from({ length: n }, (_, i) => c[`x${i}`] as number);

const zdtG = (x: number[]): number => 1 + (9 * x.slice(1).reduce((a, b) => a + b, 0)) / (x.length - 1);

const problems: Problem[] = [
  {
    name: 'ZDT1',
    space: unitVars(6),
    m: 2,
    ref: [1.1, 11],
    evaluate: (c) => {
      const x = vars(c, 6);
      const g = zdtG(x);
      return [x[0], g * (1 - Math.sqrt(x[0] / g))];
    },
  },
  {
    name: 'ZDT2',
    space: unitVars(6),
    m: 2,
    ref: [1.1, 11],
    evaluate: (c) => {
      const x = vars(c, 6);
      const g = zdtG(x);
      return [x[0], g * (1 - (x[0] / g) ** 2)];
    },
  },
  {
    name: 'DTLZ2',
    space: unitVars(7),
    m: 3,
    ref: [2.5, 2.5, 2.5],
    evaluate: (c) => {
      const x = vars(c, 7);
      const g = x.slice(2).reduce((s, v) => s + (v - 0.5) ** 2, 0);
      const h = Math.PI / 2;
      return [
        (1 + g) * Math.cos(x[0] * h) * Math.cos(x[1] * h),
        (1 + g) * Math.cos(x[0] * h) * Math.sin(x[1] * h),
        (1 + g) * Math.sin(x[0] * h),
      ];
    },
  },
  {
    // ZDT1's shape with a mixed distance function: integers (one with q), a log float, two categoricals.
    name: 'MixedZDT',
    space: searchSpace([
      float('x0', 0, 1),
      int('k', 0, 20),
      int('n', 50, 1000, { q: 50 }),
      float('lr', 0.001, 1, { log: true }),
      categorical('kind', ['a', 'b', 'c', 'd']),
      categorical('flag', [true, false]),
    ]),
    m: 2,
    ref: [1.1, 11],
    evaluate: (c) => {
      const f1 = c['x0'] as number;
      const terms = [
        Math.abs((c['k'] as number) - 6) / 14,
        Math.abs((c['n'] as number) - 300) / 700,
        Math.abs(Math.log10(c['lr'] as number) + 2) / 2,
        ({ a: 0.6, b: 0, c: 1, d: 0.3 } as Record<string, number>)[c['kind'] as string],
        c['flag'] === true ? 0 : 0.8,
      ];
      const g = 1 + (9 * terms.reduce((a, b) => a + b, 0)) / terms.length;
      return [f1, g * (1 - Math.sqrt(f1 / g))];
    },
  },
];

function runOnce(p: Problem, make: (seed: number) => Optimizer, seed: number, evaluations: number): number {
  const opt = make(seed);
  const ys: number[] = [];
  for (let i = 0; i < evaluations; i++) {
    const [c] = opt.suggest(1);
    const y = p.evaluate(c);
    ys.push(...y);
    opt.observe({ config: c, objectives: y });
  }
  return hypervolume(Float64Array.from(ys), evaluations, p.m, p.ref);
}

function runQuality(): void {
  const seeds = quick ? 3 : 10;
  const evaluations = 100;
  console.log(
    `\n(b) hypervolume after ${evaluations} evaluations, mean ± std over ${seeds} seeds (higher is better)`,
  );
  console.log('problem    method       resolved                    hv_mean    hv_std   vs random   s/run');
  for (const p of problems) {
    const methods: [string, (seed: number) => Optimizer][] = [
      ['ehvi', (seed) => new Advisor({ space: p.space, numObjectives: p.m, refPoint: p.ref, seed })],
      ['parego', (seed) => new Advisor({ space: p.space, numObjectives: p.m, acquisition: 'parego', seed })],
      ['random', (seed) => new RandomSearch({ space: p.space, numObjectives: p.m, seed })],
    ];
    const results: { name: string; resolved: string; mean: number; std: number; secs: number }[] = [];
    for (const [name, make] of methods) {
      const hvs: number[] = [];
      const start = performance.now();
      for (let s = 1; s <= seeds; s++) hvs.push(runOnce(p, make, s, evaluations));
      const secs = (performance.now() - start) / 1000 / seeds;
      const mean = hvs.reduce((a, b) => a + b, 0) / seeds;
      const std = Math.sqrt(hvs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, seeds - 1));
      const r = make(0).resolvedTypes;
      results.push({ name, resolved: `${r.surrogate}/${r.acquisition}/${r.acqOptimizer}`, mean, std, secs });
      emit({
        kind: 'quality',
        problem: p.name,
        method: name,
        hv_mean: round(mean, 5),
        hv_std: round(std, 5),
      });
    }
    const rnd = results.find((r) => r.name === 'random')?.mean ?? NaN;
    for (const r of results) {
      console.log(
        `${p.name.padEnd(10)} ${r.name.padEnd(12)} ${r.resolved.padEnd(26)} ${r.mean.toFixed(4).padStart(9)} ` +
          `${r.std.toFixed(4).padStart(9)} ${(r.mean / rnd).toFixed(3).padStart(10)} ${r.secs.toFixed(2).padStart(7)}`,
      );
    }
  }
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

console.log(
  `optimizer benchmark — ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, node ${process.version}`,
);
console.log(`command: npx tsx bench/optimizer.bench.ts ${process.argv.slice(2).join(' ')}`.trimEnd());
// The box may be shared: wall-clock latency includes waiting for a core, CPU time does not.
console.log(
  `load average at start: ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);
if (only === undefined || only === 'latency') runLatency();
if (only === undefined || only === 'quality') runQuality();
console.log(
  `\nload average at end: ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);
