/** `virnyflow datasets list | describe <name> | fetch <name>`. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fetchDataset, getDatasetSpec, listDatasetSpecs, loadDataset, resolveDataDir } from '@virnyflow/data';
import type { DatasetSpec } from '@virnyflow/data';
import { buildGroups } from '@virnyflow/metrics';

function fileStatus(spec: DatasetSpec, dataDir: string): string {
  if (spec.generator) return 'built-in generator';
  const path = join(dataDir, spec.file as string);
  return existsSync(path) ? `available (${path})` : `not in ${dataDir}`;
}

export function datasetsListCommand(options: { dataDir?: string; format?: 'text' | 'json' }): string {
  const dataDir = resolveDataDir(options.dataDir);
  const specs = listDatasetSpecs();
  if (options.format === 'json') {
    return (
      JSON.stringify(
        specs.map((s) => ({
          name: s.name,
          file: s.file ?? null,
          description: s.description,
          target: s.target.column,
          rows: s.expected?.rows ?? null,
          sensitive_attributes_dct: s.sensitiveAttributes,
          status: fileStatus(s, dataDir),
        })),
        null,
        2,
      ) + '\n'
    );
  }
  const width = Math.max(...specs.map((s) => s.name.length));
  const lines = [`data directory: ${dataDir}`, ''];
  for (const s of specs) {
    lines.push(`${s.name.padEnd(width)}  ${s.description}`);
    lines.push(`${''.padEnd(width)}  ${fileStatus(s, dataDir)}`);
  }
  return lines.join('\n') + '\n';
}

export async function datasetsDescribeCommand(
  name: string,
  options: { dataDir?: string; format?: 'text' | 'json' },
): Promise<string> {
  const spec = getDatasetSpec(name);
  const dataset = await loadDataset(name, options.dataDir !== undefined ? { dataDir: options.dataDir } : {});
  const groups = buildGroups(dataset.raw, dataset.sensitiveAttributes);
  let positives = 0;
  for (let i = 0; i < dataset.target.length; i++) positives += dataset.target[i];
  const info = {
    name: spec.name,
    description: spec.description,
    rows: dataset.features.nRows,
    positives,
    target: spec.target.column,
    numerical_columns: dataset.numericalColumns,
    categorical_columns: dataset.categoricalColumns,
    missing_cells: dataset.info.missingCells,
    test_set_fraction: dataset.testSetFraction,
    sensitive_attributes_dct: dataset.sensitiveAttributes,
    groups: Object.fromEntries(groups.names.map((n, i) => [n, groups.sizes[i]])),
    content_hash: dataset.contentHash,
  };
  if (options.format === 'json') return JSON.stringify(info, null, 2) + '\n';
  const lines = [
    `${info.name}: ${info.description}`,
    `rows         ${info.rows} (${info.positives} positive, target ${info.target})`,
    `numerical    ${info.numerical_columns.join(', ')}`,
    `categorical  ${info.categorical_columns.join(', ')}`,
    `missing      ${
      Object.entries(info.missing_cells)
        .map(([c, n]) => `${c}: ${n}`)
        .join(', ') || 'none'
    }`,
    `test split   ${info.test_set_fraction}`,
    `groups       ${groups.names.map((n, i) => `${n} ${groups.sizes[i]}`).join(', ')}`,
    `hash         ${info.content_hash}`,
  ];
  return lines.join('\n') + '\n';
}

export async function datasetsFetchCommand(
  name: string,
  options: { dataDir?: string; timeoutMs?: number },
): Promise<string> {
  const result = await fetchDataset(name, options.dataDir, {
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  if (result.path === null) return `${name}: generated on the fly, nothing to download\n`;
  return `${name}: ${result.bytes} bytes from ${result.url} → ${result.path}\n`;
}
