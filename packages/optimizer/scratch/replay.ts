import type { Configuration } from '@virnyflow/core';
import { categorical, float, int, joinSpaces, prefixSpace, searchSpace } from '@virnyflow/core';
import type { AdvisorOptions, TrialObservation } from '../src/index';
import { Advisor } from '../src/index';
const space = joinSpaces(prefixSpace(searchSpace([float('repair_level', 0.1, 1)]), 'fi__'), prefixSpace(searchSpace([int('n_estimators', 50, 1000, { q: 50 }), float('learning_rate', 0.01, 1, { log: true }), categorical('criterion', ['gini', 'entropy', 'log_loss'])]), 'model__'));
const f = (c: Configuration): number[] => { const a = (c['fi__repair_level'] as number) - 0.4; const b = Math.log10(c['model__learning_rate'] as number) + 1; const e = c['model__criterion'] === 'entropy' ? 0 : 0.2; return [a * a + b * b + e, (c['model__n_estimators'] as number) / 1000 + (1 - a) * 0.1]; };
const opts: AdvisorOptions = { space, numObjectives: 2, seed: 42, surrogate: 'gp' };
const a = new Advisor(opts);
const calls: any[] = []; const observed: TrialObservation[] = []; let carry: Configuration[] = [];
for (let round = 0; round < 8; round++) {
  const batch = a.suggest(3); calls.push({ kind: 'suggest', k: 3 });
  const toObserve = [...carry, ...batch.slice(0, 2)]; carry = batch.slice(2);
  for (const c of toObserve) { const o: TrialObservation = round === 3 && c === toObserve[0] ? { config: c, objectives: [NaN, 1] } : { config: c, objectives: f(c) }; a.observe(o); calls.push({ kind: 'observe', o }); observed.push(o); }
}
const b = new Advisor(opts);
for (const call of calls) { if (call.kind === 'suggest') b.suggest(call.k); else b.observe(call.o); }
const c = new Advisor(opts);
for (const o of observed) c.observe(o);
for (const p of a.pending) c.addPending(p);
const na = a.suggestDetailed(2), nb = b.suggestDetailed(2), nc = c.suggestDetailed(2);
console.log(JSON.stringify(na)); console.log(JSON.stringify(nb)); console.log(JSON.stringify(nc));
