/** `virnyflow status`, `virnyflow report`, `virnyflow export`, `virnyflow predict`. */
import { readFile, writeFile } from 'node:fs/promises';
import { buildReport, exportBestPipeline, getStatus, parseArtifact, predictCsv } from '@virnyflow/engine';
import type { ExperimentReport, ExperimentStatusReport, ReportObservation } from '@virnyflow/engine';
import { VirnyFlowError } from '@virnyflow/core';
import { experimentName, openStoreFor } from '../store-option';

export type ReportFormat = 'text' | 'json' | 'csv';

async function withStore<T>(
  nameOrConfig: string,
  store: string | undefined,
  f: (s: Awaited<ReturnType<typeof openStoreFor>>, experiment: string) => Promise<T>,
): Promise<T> {
  const experiment = experimentName(nameOrConfig);
  const s = await openStoreFor(store, experiment);
  try {
    return await f(s, experiment);
  } finally {
    await s.close();
  }
}

export async function statusCommand(
  nameOrConfig: string,
  o: { store?: string; format?: 'text' | 'json' },
): Promise<string> {
  const status = await withStore(nameOrConfig, o.store, (s, e) => getStatus(s, e));
  if (o.format === 'json') return JSON.stringify(status, null, 2) + '\n';
  return renderStatus(status);
}

export function renderStatus(s: ExperimentStatusReport): string {
  const lines = [`${s.experiment} (store ${s.store})`];
  for (const r of s.runs) {
    lines.push(
      `  run ${r.run} (seed ${r.seed}): ${r.state}, ${r.completed}/${r.budget} pipelines (${r.failed} failed), ` +
        `${r.elapsed_s.toFixed(1)} s active, tasks queued ${r.tasks.queued} running ${r.tasks.running}, ` +
        `best compound quality ${r.best_compound_quality === null ? '–' : r.best_compound_quality.toFixed(4)}`,
    );
  }
  return lines.join('\n') + '\n';
}

async function runsToReport(
  s: Awaited<ReturnType<typeof openStoreFor>>,
  experiment: string,
  run: number | undefined,
): Promise<number[]> {
  if (run !== undefined) return [run];
  const runs = (await s.listExperiments(experiment)).map((r) => r.run);
  if (runs.length === 0) {
    throw new VirnyFlowError(
      'VF_CLI_NO_EXPERIMENT',
      `no experiment '${experiment}' in ${s.info.location}; run it first (virnyflow run <config>) or pass --store`,
    );
  }
  return runs;
}

export async function reportCommand(
  nameOrConfig: string,
  o: { store?: string; run?: number; format?: ReportFormat },
): Promise<string> {
  const reports = await withStore(nameOrConfig, o.store, async (s, e) => {
    const out: ExperimentReport[] = [];
    for (const run of await runsToReport(s, e, o.run)) out.push(await buildReport(s, e, run));
    return out;
  });
  switch (o.format ?? 'text') {
    case 'json':
      return JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + '\n';
    case 'csv':
      return reports.map(renderReportCsv).join('\n');
    default:
      return reports.map(renderReportText).join('\n');
  }
}

const fmt = (v: number | null | undefined, d = 4): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((c, j) => c.padEnd(widths[j] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function renderReportText(r: ExperimentReport): string {
  const out: string[] = [];
  out.push(
    `${r.experiment}, run ${r.run} (seed ${r.seed}): ${r.state}; ${r.completed}/${r.budget} pipelines, ` +
      `${r.failed} failed, ${fmt(r.elapsed_s, 1)} s; best compound quality ${fmt(r.best_compound_quality)}`,
  );
  out.push(`objectives: ${r.objectives.map((o) => JSON.stringify(o)).join(', ')}`);
  out.push('', 'Logical pipelines');
  out.push(
    table(
      ['pipeline: null imputer -> fairness intervention -> model', 'completed', 'score', 'cost s', 'best Q'],
      [...r.logical_pipelines]
        .sort((a, b) => b.score - a.score)
        .map((lp) => [
          `${lp.null_imputation} -> ${lp.fairness_intervention} -> ${lp.model}`,
          String(lp.completed),
          fmt(lp.score),
          fmt(lp.cost, 2),
          fmt(lp.best_compound_quality),
        ]),
    ),
  );
  out.push('', 'Pareto front (weighted losses, minimised)');
  out.push(
    table(
      ['task', 'logical pipeline', 'weighted objectives', 'compound Q'],
      r.pareto_front.map((o) => [
        o.task_id,
        o.logical_pipeline,
        o.weighted.map((v) => fmt(v)).join(', '),
        fmt(o.compound_quality),
      ]),
    ),
  );
  for (const b of r.best_per_logical_pipeline) {
    out.push(
      '',
      `Best of ${b.logical_pipeline}: task ${b.task_id}, compound quality ${fmt(b.compound_quality)}`,
    );
    out.push(`  hyper-parameters ${JSON.stringify(b.hyperparameters)}`);
    const test = b.metrics.test;
    // Per-group metrics have group columns (overall, <key>_priv, <key>_dis); disparities one column per key.
    const keys = new Set<string>();
    for (const m of test)
      if (!m.group.endsWith('_priv') && !m.group.endsWith('_dis') && m.group !== 'overall') keys.add(m.group);
    const perGroup = test.filter((m) => !keys.has(m.group));
    const disparity = test.filter((m) => keys.has(m.group));
    for (const [title, rows] of [
      ['metric (test)', perGroup],
      ['disparity (test)', disparity],
    ] as const) {
      if (rows.length === 0) continue;
      const groups = [...new Set(rows.map((m) => m.group))];
      const metrics = [...new Set(rows.map((m) => m.metric))];
      const value = new Map(rows.map((m) => [`${m.metric}\u0000${m.group}`, m.value]));
      out.push(
        table(
          [title, ...groups],
          metrics.map((m) => [
            m,
            ...groups.map((g) => (value.has(`${m}\u0000${g}`) ? fmt(value.get(`${m}\u0000${g}`)) : '')),
          ]),
        )
          .split('\n')
          .map((l) => '  ' + l)
          .join('\n'),
      );
    }
  }
  return out.join('\n') + '\n';
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per observation; the logical-pipeline table and metrics are in the JSON form. */
export function renderReportCsv(r: ExperimentReport): string {
  const n = r.objectives.length;
  const header = [
    'experiment',
    'run',
    'sequence',
    'task_id',
    'logical_pipeline',
    'status',
    'compound_quality',
    ...Array.from({ length: n }, (_, i) => `objective_${i + 1}_loss`),
    ...Array.from({ length: n }, (_, i) => `objective_${i + 1}_weighted`),
    'halting_fraction',
    'elapsed_s',
    'pareto',
    'hyperparameters',
    'failure_code',
  ];
  const pareto = new Set(r.pareto_front.map((o) => o.task_id));
  const row = (o: ReportObservation): string[] => [
    r.experiment,
    String(r.run),
    String(o.sequence),
    o.task_id,
    o.logical_pipeline,
    o.status,
    fmtCsv(o.compound_quality),
    ...Array.from({ length: n }, (_, i) => fmtCsv(o.objectives[i])),
    ...Array.from({ length: n }, (_, i) => fmtCsv(o.weighted[i])),
    fmtCsv(o.halting_fraction),
    fmtCsv(o.elapsed_s),
    pareto.has(o.task_id) ? '1' : '0',
    JSON.stringify(o.hyperparameters),
    o.failure?.code ?? '',
  ];
  return [header, ...r.observations.map(row)].map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
}

const fmtCsv = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '' : String(v);

export async function exportCommand(
  nameOrConfig: string,
  o: {
    store?: string;
    run?: number;
    by?: 'compound' | 'pareto-index';
    index?: number;
    out?: string;
    dataDir?: string;
  },
): Promise<string> {
  const artifact = await withStore(nameOrConfig, o.store, async (s, e) => {
    const [run] = await runsToReport(s, e, o.run);
    return exportBestPipeline(s, e, run as number, {
      ...(o.by ? { by: o.by } : {}),
      ...(o.index !== undefined ? { index: o.index } : {}),
      ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
    });
  });
  const text = JSON.stringify(artifact) + '\n';
  if (o.out) {
    await writeFile(o.out, text);
    return `wrote ${o.out}\n`;
  }
  return text;
}

export async function predictCommand(
  artifactPath: string,
  csvPath: string,
  o: { format?: 'csv' | 'json'; out?: string },
): Promise<string> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(artifactPath, 'utf8'));
  } catch (cause) {
    throw new VirnyFlowError(
      'VF_CLI_BAD_ARTIFACT',
      `'${artifactPath}': cannot read a pipeline artifact (${(cause as Error).message}); create one with 'virnyflow export <experiment> --out FILE'`,
      { cause },
    );
  }
  const prediction = await predictCsv(parseArtifact(json), csvPath);
  const n = prediction.labels.length;
  let text: string;
  if (o.format === 'json') {
    text =
      JSON.stringify({
        probabilities: Array.from(prediction.probabilities),
        labels: Array.from(prediction.labels),
      }) + '\n';
  } else {
    const lines = ['probability,label'];
    for (let i = 0; i < n; i++) lines.push(`${prediction.probabilities[i]},${prediction.labels[i]}`);
    text = lines.join('\n') + '\n';
  }
  if (o.out) {
    await writeFile(o.out, text);
    return `wrote ${n} predictions to ${o.out}\n`;
  }
  return text;
}
