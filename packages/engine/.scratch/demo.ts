import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment } from '../src/index';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'vf-engine-'));
const t0 = Date.now();
const summary = await runExperiment({
  configPath: process.argv[3] ?? '../../../configs/demo.yaml',
  storeDir: dir,
  threads: Number(process.argv[4] ?? 2),
  onProgress: (p) =>
    console.log(
      `[${((Date.now() - t0) / 1000).toFixed(1)}s] run ${p.run} ${p.completed}/${p.budget} failed=${p.failed} inflight=${p.inFlight} best=${p.bestCompoundQuality?.toFixed(4)} pareto=${p.paretoSize}`,
    ),
  onEvent: (e) => console.log('event', JSON.stringify(e)),
});
console.log(JSON.stringify(summary, null, 1));
