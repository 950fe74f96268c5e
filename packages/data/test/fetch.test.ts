import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataErrorCode, fetchDataset, loadDataset } from '../src/index';
import { FIXTURES, rejection, tempDir } from './helpers';

const tmp = tempDir('vf-fetch-');

/** A real HTTP server on a port the OS picks, serving `routes`; closed when `run` settles. */
async function withServer<T>(routes: Record<string, string>, run: (base: string) => Promise<T>): Promise<T> {
  const server = createServer((req, res) => {
    const body = routes[req.url ?? ''];
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/csv' }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  try {
    return await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise((ok) => server.close(ok));
  }
}

describe('fetchDataset', () => {
  it('fails cleanly on an unreachable URL, saying how to use local copies', async () => {
    const e = await rejection(fetchDataset('heart', tmp.dir, { urls: ['http://127.0.0.1:9/cardio.csv'] }));
    expect(e.code).toBe(DataErrorCode.FetchFailed);
    expect((e as unknown as { retryable: boolean }).retryable).toBe(true);
    expect(e.message).toContain('cardio.csv');
    expect(e.message).toContain('--data-dir');
    expect(e.message).toContain('VIRNYFLOW_DATA_DIR');
    expect((e.details.failures as string[])[0]).toContain('127.0.0.1:9');
  });

  it('downloads into the cache dir and the dataset then loads from it', async () => {
    const csv = readFileSync(join(FIXTURES, 'bank-full.csv'), 'utf8');
    const res = await withServer({ '/bank-full.csv': csv }, (base) =>
      fetchDataset('bank', tmp.dir, { urls: [`${base}/missing.csv`, `${base}/bank-full.csv`] }),
    );
    expect(res.path).toBe(join(tmp.dir, 'bank-full.csv'));
    expect(res.url).toMatch(/\/bank-full\.csv$/);
    expect(res.bytes).toBe(Buffer.byteLength(csv));
    const d = await loadDataset('bank', { dataDir: tmp.dir });
    expect(d.features.nRows).toBe(40);
  });

  it('rejects a download that is not the dataset (wrong header) and an HTTP error', async () => {
    const e = await rejection(
      withServer({ '/x.csv': 'a,b\n1,2\n' }, (base) =>
        fetchDataset('german', tmp.dir, { urls: [`${base}/x.csv`, `${base}/404.csv`] }),
      ),
    );
    expect(e.code).toBe(DataErrorCode.FetchFailed);
    expect(e.details.failures).toHaveLength(2);
    expect((e.details.failures as string[])[1]).toContain('HTTP 404');
  });

  it('the demo needs no download; unknown names are user errors', async () => {
    expect(await fetchDataset('demo', tmp.dir)).toMatchObject({ path: null, bytes: 0 });
    expect((await rejection(fetchDataset('nope', tmp.dir))).code).toBe(DataErrorCode.UnknownDataset);
  });
});
