/**
 * A human-readable summary of a resolved config (for `virnyflow validate` and run logs).
 */
import type { ExperimentConfig } from './config';
import { seedForRun } from './config';
import { enumerateLogicalPipelines } from './logical-pipelines';

const LOSS_TEXT = {
  reverse: 'loss 1 − v',
  identity: 'loss v',
  abs: 'loss |v|',
  reverse_abs: 'loss |1 − v|',
} as const;

/** One line per fact, without a trailing newline. */
export function describeConfig(c: ExperimentConfig): string {
  const lps = enumerateLogicalPipelines(c);
  const groups = c.sensitiveAttributes
    .map((a) =>
      a.intersection
        ? `${a.key} (intersection)`
        : `${a.key} (disadvantaged: ${a.disadvantaged.map((v) => JSON.stringify(v)).join(', ')})`,
    )
    .join('; ');
  const budget = [
    c.maxTotalPipelinesNum !== null ? `${c.maxTotalPipelinesNum} pipelines per run` : null,
    `${c.maxTrials} per logical pipeline`,
    c.maxTimeBudget !== null ? `${c.maxTimeBudget} s per run` : null,
  ]
    .filter((x) => x !== null)
    .join(', ');
  const lines = [
    `experiment   ${c.name}${c.sourceName ? ` (${c.sourceName})` : ''}`,
    `runs         ${c.runNums.map((r) => `${r} (seed ${seedForRun(r)})`).join(', ')}`,
    `dataset      ${c.dataset}${c.customDataset ? ` (custom: ${c.customDataset.path})` : ''}`,
    `groups       ${groups || '(none)'}`,
    `imputers     ${c.nullImputers.join(', ')}`,
    `fairness     ${c.fairnessInterventions.join(', ')}`,
    `models       ${c.models.join(', ')}`,
    `objectives`,
    ...c.objectives.map((o) => {
      const cons = o.constraints.map(
        (k) => `${k.on === 'abs' ? `|${o.metric}|` : o.metric} ${k.op} ${k.threshold}`,
      );
      return (
        `  ${o.name}: ${o.metric} on ${o.group}, weight ${o.weight}, ${LOSS_TEXT[o.loss]}` +
        (cons.length > 0 ? `; constraints ${cons.join(', ')}` : '')
      );
    }),
    `metrics      ${c.computationMode === 'bootstrap' ? `bootstrap, ${c.nEstimators} estimators on ${c.bootstrapFraction} of train` : 'no bootstrap (one model, error and fairness metrics)'}`,
    `optimizer    surrogate ${c.optimizer.surrogateType}, acquisition ${c.optimizer.acqType}, ref_point ${c.refPoint ? JSON.stringify(c.refPoint) : 'inferred'}`,
    `budget       ${budget}`,
    `workers      ${c.numWorkers} (candidates per pick ${c.numPpCandidates}, queue ${c.queueSize})`,
    `halting      fractions ${c.trainingSetFractionsForHalting.join(', ')}`,
    `selection    exploration ${c.explorationFactor}, risk ${c.riskFactor}`,
    `pipelines    ${lps.length} logical pipelines`,
    ...lps.map((lp) => `  ${lp.name}`),
  ];
  return lines.join('\n');
}
