/**
 * Progress display for `virnyflow run`: one redrawn line on a TTY (bar, rate, ETA, best compound quality,
 * Pareto-front size, failures), plain periodic lines otherwise (logs, CI).
 */
import type { EngineEvent, RunProgress } from '@virnyflow/engine';

export interface ProgressOptions {
  readonly stream: NodeJS.WriteStream;
  /** Minimum interval between plain lines, ms. */
  readonly plainIntervalMs?: number;
  /** Show connected workers and their joining/leaving (distributed runs). Default true. */
  readonly workers?: boolean;
}

export class ProgressDisplay {
  private lastPlain = 0;
  private lastLine = '';
  private readonly tty: boolean;
  private readonly interval: number;

  constructor(private readonly options: ProgressOptions) {
    this.tty = Boolean(options.stream.isTTY);
    this.interval = options.plainIntervalMs ?? 5_000;
  }

  update(progress: RunProgress): void {
    const p = this.options.workers === false ? { ...progress, workers: undefined } : progress;
    const line = formatProgress(p, this.tty ? (this.options.stream.columns ?? 100) : 0);
    if (this.tty) {
      this.options.stream.write(`\r\x1b[2K${line}`);
      this.lastLine = line;
      return;
    }
    const now = Date.now();
    const changedState = p.state !== 'running';
    if (line !== this.lastLine && (changedState || now - this.lastPlain >= this.interval)) {
      this.options.stream.write(line + '\n');
      this.lastPlain = now;
      this.lastLine = line;
    }
  }

  event(e: EngineEvent): void {
    if (this.options.workers === false && (e.type === 'worker-joined' || e.type === 'worker-left')) return;
    const text = formatEvent(e);
    if (text === null) return;
    if (this.tty) this.options.stream.write(`\r\x1b[2K${text}\n${this.lastLine}`);
    else this.options.stream.write(text + '\n');
  }

  finish(): void {
    if (this.tty && this.lastLine !== '') this.options.stream.write('\n');
  }
}

export function formatProgress(p: RunProgress, width: number): string {
  const total = Math.max(p.budget, 1);
  const frac = Math.min(1, p.completed / total);
  const barWidth = width >= 100 ? 24 : width >= 70 ? 12 : 0;
  const bar = barWidth > 0 ? `[${'#'.repeat(Math.round(frac * barWidth)).padEnd(barWidth, '.')}] ` : '';
  const eta = p.etaSeconds === null ? '–' : formatDuration(p.etaSeconds);
  const best = p.bestCompoundQuality === null ? '–' : p.bestCompoundQuality.toFixed(4);
  return (
    `${p.experiment} run ${p.run} ${bar}${p.completed}/${p.budget} pipelines ` +
    `(${(100 * frac).toFixed(0)}%), ${p.ratePerMinute.toFixed(1)}/min, ETA ${eta}, ` +
    `best ${best}, Pareto ${p.paretoSize}, failed ${p.failed}, in flight ${p.inFlight}` +
    (p.workers !== undefined
      ? `, workers ${p.workers.connected}` +
        (p.workers.threads !== null && p.workers.connected > 0 ? ` (${p.workers.threads} threads)` : '')
      : '') +
    (p.state === 'stopping' ? ' — stopping' : p.state === 'finished' ? ' — done' : '')
  );
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '–';
  const m = Math.floor(s / 60);
  const sec = Math.round(s - 60 * m);
  return m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

function formatEvent(e: EngineEvent): string | null {
  const o = e as { type: string } & Record<string, unknown>;
  switch (o.type) {
    case 'run-start':
      return `run ${String(o.run)} of ${String(o.experiment)}: ${o.resumed ? 'resuming' : 'starting'}`;
    case 'worker-joined':
      return (
        `worker ${String(o.workerId)} joined` +
        (o.host !== null ? ` from ${String(o.host)}` : '') +
        (o.threads !== null ? ` with ${String(o.threads)} thread(s)` : '')
      );
    case 'worker-left':
      return `worker ${String(o.workerId)} ${o.reason === 'goodbye' ? 'left' : 'went silent (no heartbeat)'}`;
    default:
      return null;
  }
}
