/**
 * Worker-thread entry of `WorkerPoolExecutor` (started through `bootstrap.thread.mjs`, which registers the
 * TypeScript loader). Holds at most a few jobs: for each, one `DenseMatrix` over the shared training bytes,
 * reused by every estimator this thread fits, so model caches keyed on the matrix survive between fits.
 */
import { parentPort } from 'node:worker_threads';
import { toFailure } from '@virnyflow/core';
import type { BootstrapJob } from './executor';
import { fitJobEstimator } from './executor';
import type { ThreadReply, ThreadRequest } from './executor';

const jobs = new Map<number, BootstrapJob>();
const port = parentPort;
if (port === null) throw new Error('bootstrap.thread must run in a worker thread');

port.on('message', (msg: ThreadRequest) => {
  switch (msg.type) {
    case 'job':
      jobs.set(msg.jobId, {
        X: { data: msg.x, nRows: msg.nRows, nCols: msg.nCols },
        y: msg.y,
        ...(msg.w ? { sampleWeight: msg.w } : {}),
        model: msg.model,
        sampleSize: msg.sampleSize,
        seeds: msg.seeds,
      });
      break;
    case 'end':
      jobs.delete(msg.jobId);
      break;
    case 'fit':
      void fit(msg.jobId, msg.m);
      break;
  }
});

async function fit(jobId: number, m: number): Promise<void> {
  const job = jobs.get(jobId);
  // The job ended (another estimator failed) before this request was read: nothing to do.
  if (job === undefined) return;
  let reply: ThreadReply;
  try {
    reply = { type: 'fitted', jobId, m, model: await fitJobEstimator(job, m) };
  } catch (err) {
    reply = { type: 'failed', jobId, m, failure: toFailure(err) };
  }
  port?.postMessage(reply);
}
