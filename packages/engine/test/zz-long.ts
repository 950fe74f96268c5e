import { runExperiment } from '../src/index';
const t0 = Date.now();
let last = -1;
const s = await runExperiment({
  configPath: process.argv[2],
  storeDir: process.argv[3],
  threads: 2,
  onProgress: (p) => {
    if (p.completed !== last) {
      last = p.completed;
      console.log(
        `[${((Date.now() - t0) / 1000).toFixed(0)}s] run ${p.run} ${p.completed}/${p.budget} failed=${p.failed} inflight=${p.inFlight} best=${p.bestCompoundQuality?.toFixed(4)} pareto=${p.paretoSize} rate=${p.ratePerMinute.toFixed(1)}/min`,
      );
    }
  },
  onEvent: (e) => {
    if (e.type !== 'stray-observation') console.log('event', JSON.stringify(e));
  },
});
console.log(
  JSON.stringify(s.runs.map((r) => [r.run, r.status, r.reason, r.progress?.completed, r.progress?.failed])),
  s.elapsedSeconds,
);
