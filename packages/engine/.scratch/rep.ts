import { openStore } from '@virnyflow/store';
import { loadDataset } from '@virnyflow/data';
import { buildReport, getStatus, exportBestPipeline, predictWithArtifact, parseArtifact } from '../src/index';
const store = await openStore(process.argv[2]);
console.log(JSON.stringify(await getStatus(store, 'demo'), null, 1));
const r = await buildReport(store, 'demo', 1);
console.log(JSON.stringify(r.logical_pipelines, null, 1));
console.log(
  'best',
  r.best_per_logical_pipeline.map((b) => [
    b.task_id,
    b.compound_quality,
    b.metrics.test.length,
    b.metrics.train.length,
  ]),
);
console.log(
  'pareto',
  r.pareto_front.map((p) => [p.task_id, p.weighted]),
);
for (const by of ['compound', 'pareto-index'] as const) {
  const t = performance.now();
  const art = await exportBestPipeline(store, 'demo', 1, { by, index: 1 });
  const json = JSON.stringify(art);
  console.log(by, art.task_id, json.length, ((performance.now() - t) / 1000).toFixed(2));
  const ds = await loadDataset('demo');
  const pred = predictWithArtifact(parseArtifact(JSON.parse(json)), ds.raw);
  let acc = 0;
  for (let i = 0; i < pred.labels.length; i++) acc += pred.labels[i] === ds.target[i] ? 1 : 0;
  console.log('acc', acc / pred.labels.length, pred.probabilities.slice(0, 3));
}
await store.close();
