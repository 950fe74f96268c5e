/**
 * Dataset loading benchmark: rows/s and peak RSS for cardio (`heart`) and folk_emp, against a naive baseline
 * (`fs.readFileSync` + `split` + `Number` into Float64Arrays).
 *
 *   VIRNYFLOW_DATA_DIR=../shared/datasets pnpm bench:data            (or: npx tsx bench/data-loader.bench.ts)
 *   ... -- --reps 7 --scale 500000    (also a seeded with-replacement resample of cardio to 500,000 rows)
 *
 * Every (dataset, method) runs in its own child process, so each peak RSS (`process.resourceUsage().maxRSS`)
 * belongs to that method alone; "idle" is a child that loads the modules and does nothing.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Rng } from '@virnyflow/core';
import { getDatasetSpec, loadDataset, readCsv } from '@virnyflow/data';
import type { DatasetSpec } from '@virnyflow/data';

/** csv-parse as the data package resolves it (the root has no dependency on it). */
const { parse } = createRequire(new URL('../packages/data/package.json', import.meta.url))('csv-parse') as {
  parse: (options: { delimiter: string }) => NodeJS.ReadWriteStream;
};

type Method = 'idle' | 'loadDataset' | 'readCsv' | 'naive' | 'csv-parse';
const METHODS: readonly Method[] = ['naive', 'csv-parse', 'readCsv', 'loadDataset'];

interface ChildResult {
  readonly rows: number;
  /** Wall-clock milliseconds per load. */
  readonly msMedian: number;
  readonly msMin: number;
  /** CPU (user + system) milliseconds per load: steadier than wall time on a shared machine. */
  readonly cpuMedian: number;
  readonly maxRssMb: number;
}

interface Target {
  readonly label: string;
  readonly dataset: string;
  readonly file: string;
  readonly delimiter: string;
  /** Spec to load when the file is not the dataset's own (the scaled copy). */
  readonly specPath?: string;
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  await child(args[1] as Method, JSON.parse(args[2] as string) as Target, Number(args[3]));
} else {
  await parent();
}

async function parent(): Promise<void> {
  const dataDir = process.env.VIRNYFLOW_DATA_DIR;
  if (!dataDir) {
    console.error(
      'Set VIRNYFLOW_DATA_DIR to the directory holding cardio.csv and folk_employment_NY_2018.csv.',
    );
    process.exit(2);
  }
  const reps = Number(flag('--reps') ?? 5);
  const scale = flag('--scale');
  const targets: Target[] = [
    { label: 'heart (cardio.csv)', dataset: 'heart', file: join(dataDir, 'cardio.csv'), delimiter: ';' },
    {
      label: 'folk_emp',
      dataset: 'folk_emp',
      file: join(dataDir, 'folk_employment_NY_2018.csv'),
      delimiter: ',',
    },
  ];
  let tmp: string | null = null;
  if (scale) {
    tmp = mkdtempSync(join(tmpdir(), 'vf-bench-'));
    const file = join(tmp, 'cardio-scaled.csv');
    resample(join(dataDir, 'cardio.csv'), file, Number(scale), 1);
    targets.push({
      label: `heart resampled x${Number(scale).toLocaleString('en-US')}`,
      dataset: 'heart',
      file,
      delimiter: ';',
      specPath: file,
    });
  }

  const cpu = cpus();
  console.log(`# data loader benchmark`);
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown cpu'} x${cpu.length}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB, ` +
      `node ${process.version}, ${process.platform}/${process.arch}`,
  );
  console.log(`command: npx tsx bench/data-loader.bench.ts ${args.join(' ')}`.trim());
  console.log(`reps per method: ${reps} (after one warm-up), each method in its own process`);
  console.log(
    `load average at start: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}\n`,
  );

  const idle = runChild('idle', targets[0] as Target, 1);
  console.log(`idle process peak RSS: ${idle.maxRssMb.toFixed(0)} MB\n`);
  const header = [
    'dataset',
    'method',
    'rows',
    'wall ms (med)',
    'wall ms (min)',
    'cpu ms (med)',
    'rows/s (cpu)',
    'cpu vs naive',
    'peak RSS MB',
  ];
  const rows: string[][] = [];
  for (const t of targets) {
    let naiveCpu = NaN;
    for (const m of METHODS) {
      const r = runChild(m, t, reps);
      if (m === 'naive') naiveCpu = r.cpuMedian;
      rows.push([
        t.label,
        m,
        r.rows.toLocaleString('en-US'),
        r.msMedian.toFixed(1),
        r.msMin.toFixed(1),
        r.cpuMedian.toFixed(1),
        Math.round((r.rows / r.cpuMedian) * 1000).toLocaleString('en-US'),
        `${(r.cpuMedian / naiveCpu).toFixed(2)}x`,
        r.maxRssMb.toFixed(0),
      ]);
    }
  }
  printTable(header, rows);
  console.log(
    '\nnaive = readFileSync + split + Number (no quoting, no typing, no validation, whole text in memory);\n' +
      'csv-parse = the streaming parser alone, records dropped (the floor under readCsv);\n' +
      'readCsv = streaming csv-parse with type inference; loadDataset = readCsv with the spec, fixes, target, ' +
      'checks and sha256.',
  );
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

function runChild(method: Method, target: Target, reps: number): ChildResult {
  const script = fileURLToPath(import.meta.url);
  const res = spawnSync(
    process.execPath,
    [...process.execArgv, script, '--child', method, JSON.stringify(target), String(reps)],
    { encoding: 'utf8', env: process.env, maxBuffer: 1 << 20 },
  );
  if (res.status !== 0) {
    throw new Error(`child ${method} ${target.label} failed (${res.status}): ${res.stderr}`);
  }
  const line = res.stdout.trim().split('\n').pop() as string;
  return JSON.parse(line) as ChildResult;
}

async function child(method: Method, target: Target, reps: number): Promise<void> {
  const once = async (): Promise<number> => {
    switch (method) {
      case 'idle':
        return 0;
      case 'naive':
        return naive(target.file, target.delimiter);
      case 'csv-parse':
        return parseOnly(target.file, target.delimiter);
      case 'readCsv':
        return (await readCsv(target.file)).nRows;
      case 'loadDataset': {
        if (target.specPath) {
          const spec: DatasetSpec = { ...getDatasetSpec(target.dataset), path: target.specPath };
          return (await loadDataset(spec)).features.nRows;
        }
        return (await loadDataset(target.dataset)).features.nRows;
      }
    }
  };
  let rows = 0;
  const times: number[] = [];
  const cpu: number[] = [];
  if (method !== 'idle') {
    rows = await once(); // warm-up
    for (let r = 0; r < reps; r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      rows = await once();
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  const median = (xs: number[]): number =>
    xs.length ? (xs.sort((a, b) => a - b)[xs.length >> 1] as number) : 0;
  const result: ChildResult = {
    rows,
    msMedian: median(times),
    msMin: times.length ? Math.min(...times) : 0,
    cpuMedian: median(cpu),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  console.log(JSON.stringify(result));
}

/** The naive way: whole file as one string, split into lines and fields, every field through Number. */
function naive(file: string, delimiter: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const header = (lines[0] as string).split(delimiter);
  let n = lines.length - 1;
  while (n > 0 && (lines[n] as string).trim() === '') n--;
  const cols = header.map(() => new Float64Array(n));
  for (let i = 1; i <= n; i++) {
    const f = (lines[i] as string).split(delimiter);
    for (let j = 0; j < cols.length; j++) (cols[j] as Float64Array)[i - 1] = Number(f[j]);
  }
  return n;
}

/** csv-parse alone, streaming records into a sink that drops them: the floor under readCsv's cost. */
async function parseOnly(file: string, delimiter: string): Promise<number> {
  let n = 0;
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 1024,
    write(_record, _enc, cb) {
      n++;
      cb();
    },
  });
  await pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), parse({ delimiter }), sink);
  return n - 1;
}

/** Seeded resample with replacement of a CSV's data lines to `rows` lines (header kept). */
function resample(src: string, dst: string, rows: number, seed: number): void {
  const lines = readFileSync(src, 'utf8').split('\n');
  const header = lines[0] as string;
  const data = lines.slice(1).filter((l) => l.trim() !== '');
  const rng = new Rng(seed);
  const out: string[] = [header];
  for (let i = 0; i < rows; i++) out.push(data[rng.nextInt(data.length)] as string);
  writeFileSync(dst, out.join('\n') + '\n');
}

function flag(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] as string).length)));
  const line = (cells: string[]) => cells.map((c, j) => c.padEnd(widths[j] as number)).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
}
