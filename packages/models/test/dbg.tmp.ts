import { readFileSync } from 'node:fs';
import { XGBClassifier } from '../src/boosting';
const matrix = (rows: (number | null)[][]) => ({ data: Float64Array.from(rows.flat().map((v) => v ?? NaN)), nRows: rows.length, nCols: rows[0].length });
const labels = (y: number[]) => Uint8Array.from(y);
const d = JSON.parse(readFileSync('packages/models/test/fixtures/xgboost.json', 'utf8'));
const c = d.cases.find((c: { name: string }) => c.name === 'depthwise nan');
for (const n of [1, 2]) {
  const m = new XGBClassifier({ max_depth: 3, n_estimators: n, learning_rate: 0.3 });
  m.fit(matrix(c.X), labels(c.y), { seed: 0 });
  const t = m.fittedTrees[n - 1];
  for (let k = 0; k < t.feature.length; k++) console.log(k, t.feature[k], t.threshold[k], t.left[k], t.right[k], t.missingLeft[k], t.value[k].toFixed(6));
  console.log('--');
}
