/**
 * `virnyflow datasets fetch <name>`: downloads a built-in dataset's file from its public location into a
 * cache directory (default: the data directory). Offline machines get a clean `VF_DATA_FETCH_FAILED` that
 * says how to use local copies instead.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getDatasetSpec } from './datasets';
import { DataErrorCode, dataError } from './errors';
import { resolveDataDir } from './load';

export interface FetchOptions {
  /** Try these URLs instead of the spec's (mirrors, tests). */
  readonly urls?: readonly string[];
  /** Per-URL timeout in milliseconds (default 60 s). */
  readonly timeoutMs?: number;
}

export interface FetchResult {
  readonly name: string;
  /** Where the file now is; null for datasets that need no file (`demo`). */
  readonly path: string | null;
  readonly url: string | null;
  readonly bytes: number;
}

/**
 * Downloads the file of dataset `name` into `cacheDir` (default: `resolveDataDir()`), trying the spec's URLs
 * in order. The file is written under a temporary name and renamed when complete, so an interrupted
 * download never leaves a truncated dataset behind.
 */
export async function fetchDataset(
  name: string,
  cacheDir?: string,
  options: FetchOptions = {},
): Promise<FetchResult> {
  const spec = getDatasetSpec(name);
  if (spec.generator || !spec.file) return { name, path: null, url: null, bytes: 0 };
  const dir = resolveDataDir(cacheDir);
  const urls = options.urls ?? spec.urls ?? [];
  const timeoutMs = options.timeoutMs ?? 60_000;
  const target = join(dir, spec.file);
  const failures: string[] = [];
  for (const url of urls) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
      if (!res.ok) {
        failures.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      const body = Buffer.from(await res.arrayBuffer());
      const head = body.subarray(0, 64 * 1024).toString('utf8');
      if (!head.includes(spec.target.column)) {
        failures.push(`${url}: the downloaded file has no '${spec.target.column}' column in its header`);
        continue;
      }
      await mkdir(dir, { recursive: true });
      const part = `${target}.part-${process.pid}`;
      try {
        await writeFile(part, body);
        await rename(part, target);
      } catch (err) {
        await rm(part, { force: true });
        throw err;
      }
      return { name, path: target, url, bytes: body.length };
    } catch (err) {
      failures.push(`${url}: ${describe(err)}`);
    }
  }
  throw dataError(
    DataErrorCode.FetchFailed,
    `could not download dataset '${name}' (${spec.file}): ${failures.join('; ') || 'no URL known'}. If this ` +
      `machine is offline, copy ${spec.file} from another machine into a directory and point the data ` +
      `directory at it with --data-dir <dir> or VIRNYFLOW_DATA_DIR=<dir>`,
    { dataset: name, file: spec.file, urls, failures, cacheDir: dir },
    { retryable: true },
  );
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? err.message;
  }
  return String(err);
}
