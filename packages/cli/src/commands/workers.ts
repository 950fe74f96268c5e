/**
 * `virnyflow workers [list|drain|stop]`: the workers joined to a NATS server, seen from the outside.
 * `list` listens to the control channel for one heartbeat period and prints who is there (with what they
 * run and have done); `drain` asks workers to finish their running pipelines and leave, `stop` to abandon
 * them (they are redelivered to other workers) and leave — all of them, or one with `--worker`.
 */
import { hostname } from 'node:os';
import { WorkerRoster } from '@virnyflow/engine';
import type { WorkerSummary } from '@virnyflow/engine';
import { JetStreamTransport } from '@virnyflow/runtime';
import { DEFAULT_NATS_PREFIX, natsConnection } from './run';
import type { NatsFlags } from './run';

export interface WorkersFlags extends NatsFlags {
  readonly worker?: string;
  /** How long to listen, ms. */
  readonly wait?: number;
  readonly format?: 'text' | 'json';
}

export type WorkersAction = 'list' | 'drain' | 'stop';

/** Default listening time: a little more than the workers' default heartbeat interval (5 s). */
const DEFAULT_WAIT_MS = 6_000;

export async function workersCommand(action: WorkersAction, o: WorkersFlags): Promise<string> {
  const transport = await JetStreamTransport.connect({
    connection: natsConnection(o, `virnyflow-workers-${hostname()}-${process.pid}`),
    prefix: o.prefix ?? DEFAULT_NATS_PREFIX,
    updateSettings: false,
  });
  const left: string[] = [];
  const roster = new WorkerRoster({ transport });
  // Goodbyes count even from workers whose heartbeat had not arrived yet.
  const goodbyes = transport.subscribeControl((m) => {
    if (m.type === 'goodbye' && !left.includes(m.worker_id)) left.push(m.worker_id);
  });
  try {
    roster.start();
    if (action !== 'list') {
      await transport.publishControl({
        version: 1,
        type: action,
        worker_id: o.worker ?? null,
        sent_at: Date.now(),
      });
    }
    await new Promise((r) => setTimeout(r, o.wait ?? DEFAULT_WAIT_MS));
    await roster.stop();
    const workers = roster.list();
    if (o.format === 'json') {
      return (
        JSON.stringify(
          action === 'list' ? { workers } : { action, worker: o.worker ?? null, left, workers },
        ) + '\n'
      );
    }
    const lines: string[] = [];
    if (action !== 'list') {
      const target = o.worker !== undefined ? `worker ${o.worker}` : 'every worker';
      lines.push(
        `${action} sent to ${target}; ${left.length} left within ${((o.wait ?? DEFAULT_WAIT_MS) / 1000).toFixed(0)} s` +
          (left.length > 0 ? `: ${left.join(', ')}` : '') +
          (action === 'drain' ? ' (a draining worker leaves once its running pipelines finish)' : ''),
      );
    }
    const shown = workers.filter((w) => w.host !== null || w.state === 'connected');
    // After a drain or stop an empty table says nothing the first line did not.
    if (action === 'list' || shown.length > 0) lines.push(...renderWorkerTable(shown));
    return lines.join('\n') + '\n';
  } finally {
    await Promise.all([roster.stop(), goodbyes.stop()]);
    await transport.close();
  }
}

function renderWorkerTable(workers: readonly WorkerSummary[]): string[] {
  if (workers.length === 0) return ['no worker heard from (workers send a heartbeat every 5 s by default)'];
  const rows = workers.map((w) => [
    w.workerId,
    w.host ?? '?',
    w.pid !== null ? String(w.pid) : '?',
    w.threads !== null ? String(w.threads) : '?',
    String(w.inFlight),
    w.state,
  ]);
  const head = ['worker', 'host', 'pid', 'threads', 'running', 'state'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}
