import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RunProgress } from '@virnyflow/engine';
import { ProgressDisplay, formatProgress } from '../src/progress';

const progress: RunProgress = {
  experiment: 'demo',
  run: 1,
  seed: 101,
  state: 'running',
  completed: 3,
  failed: 0,
  tasksCreated: 6,
  inFlight: 3,
  budget: 12,
  bestCompoundQuality: 0.8,
  bestTaskId: 'demo:1:0',
  paretoSize: 2,
  activeSeconds: 10,
  ratePerMinute: 18,
  etaSeconds: 30,
  workers: { connected: 2, threads: 6 },
};

function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  return { stream: w as unknown as NodeJS.WriteStream, text: () => out };
}

describe('progress display', () => {
  it('shows connected workers and their threads when it has them', () => {
    expect(formatProgress(progress, 0)).toContain('in flight 3, workers 2 (6 threads)');
    expect(formatProgress({ ...progress, workers: { connected: 0, threads: 0 } }, 0)).toMatch(/workers 0$/);
    expect(formatProgress({ ...progress, workers: undefined }, 0)).not.toContain('workers');
  });

  it('reports workers joining and leaving in distributed runs only', () => {
    const distributed = sink();
    const d = new ProgressDisplay({ stream: distributed.stream });
    d.event({ type: 'worker-joined', workerId: 'w1', host: 'node-a', threads: 4 });
    d.event({ type: 'worker-left', workerId: 'w1', reason: 'silent' });
    d.update(progress);
    expect(distributed.text()).toBe(
      'worker w1 joined from node-a with 4 thread(s)\n' +
        'worker w1 went silent (no heartbeat)\n' +
        formatProgress(progress, 0) +
        '\n',
    );
    const embedded = sink();
    const e = new ProgressDisplay({ stream: embedded.stream, workers: false });
    e.event({ type: 'worker-joined', workerId: 'w1', host: 'node-a', threads: 4 });
    e.update(progress);
    expect(embedded.text()).toBe(formatProgress({ ...progress, workers: undefined }, 0) + '\n');
  });
});
