/**
 * The coordinator's view of its workers: who is connected (from the control channel's hello, heartbeat and
 * goodbye messages) and how much each one contributes (from the observations the coordinator records,
 * which carry the id of the worker that produced them).
 *
 * Control messages are at-most-once, so presence is inferred: a worker is connected from its first hello or
 * heartbeat until its goodbye, or until nothing was heard from it for `silentAfterMs` (a killed worker says
 * no goodbye). Heartbeats repeat the hello's identity, so a coordinator that starts (or restarts) after its
 * workers learns them within one heartbeat interval.
 */
import type { ControlMessage, Consumption, Transport } from '@virnyflow/runtime';
import type { EngineEvent } from './types';

export interface WorkerSummary {
  readonly workerId: string;
  /** Host name and process id, when the worker sent them. */
  readonly host: string | null;
  readonly pid: number | null;
  readonly threads: number | null;
  readonly state: 'connected' | 'left' | 'silent';
  /** Tasks the worker is running now (its last heartbeat). */
  readonly inFlight: number;
  /** Observations from this worker recorded by this coordinator in this session (ok + failed). */
  readonly recorded: number;
  /** Recorded observations per minute over the last `rateWindowMs` (or since it joined, if later). */
  readonly ratePerMinute: number;
  /** Milliseconds since its last control message (hello, heartbeat or goodbye). */
  readonly lastSeenAgoMs: number;
}

export interface WorkerRosterOptions {
  readonly transport: Transport;
  /**
   * A worker unheard of for this long is reported `silent` (not connected). Default 15 000 (3 default
   * heartbeats); a worker that announces its heartbeat interval is silent after 3 of its intervals.
   */
  readonly silentAfterMs?: number;
  /** Window of the throughput estimate. Default 60 000. */
  readonly rateWindowMs?: number;
  readonly onEvent?: (e: EngineEvent) => void;
  /** Clock, for tests. */
  readonly now?: () => number;
}

interface Entry {
  workerId: string;
  host: string | null;
  pid: number | null;
  threads: number | null;
  /** Its announced heartbeat interval, ms. */
  heartbeatMs: number | null;
  state: 'connected' | 'left' | 'silent';
  joinedAt: number;
  lastSeen: number;
  inFlight: number;
  recorded: number;
  /** Times of recent recorded observations, oldest first (trimmed to the rate window). */
  recent: number[];
}

export class WorkerRoster {
  private readonly workers = new Map<string, Entry>();
  private subscription: Consumption | null = null;
  private readonly silentAfterMs: number;
  private readonly rateWindowMs: number;
  private readonly now: () => number;

  constructor(private readonly options: WorkerRosterOptions) {
    this.silentAfterMs = options.silentAfterMs ?? 15_000;
    this.rateWindowMs = options.rateWindowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.subscription ??= this.options.transport.subscribeControl((m) => this.onControl(m), {
      types: ['hello', 'heartbeat', 'goodbye'],
    });
  }

  async stop(): Promise<void> {
    const s = this.subscription;
    this.subscription = null;
    await s?.stop();
  }

  /** Feeds a control message (public for tests; `start` subscribes it to the transport). */
  onControl(m: ControlMessage): void {
    switch (m.type) {
      case 'hello':
        this.seen(m.worker_id, {
          host: m.host,
          pid: m.pid,
          threads: m.threads,
          inFlight: 0,
          ...(m.heartbeat_ms !== undefined ? { heartbeatMs: m.heartbeat_ms } : {}),
        });
        return;
      case 'heartbeat':
        this.seen(m.worker_id, {
          inFlight: m.in_flight,
          ...(m.heartbeat_ms !== undefined ? { heartbeatMs: m.heartbeat_ms } : {}),
          ...(m.host !== undefined ? { host: m.host } : {}),
          ...(m.pid !== undefined ? { pid: m.pid } : {}),
          ...(m.threads !== undefined ? { threads: m.threads } : {}),
        });
        return;
      case 'goodbye': {
        const e = this.workers.get(m.worker_id);
        if (e && e.state === 'connected') {
          e.state = 'left';
          e.inFlight = 0;
          e.lastSeen = this.now();
          this.options.onEvent?.({ type: 'worker-left', workerId: e.workerId, reason: 'goodbye' });
        }
        return;
      }
      default:
        return;
    }
  }

  /**
   * Counts an observation recorded from `workerId`. Presence stays the control channel's business: after a
   * restart the coordinator replays observations of workers that may be long gone.
   */
  recordObservation(workerId: string): void {
    const t = this.now();
    let e = this.workers.get(workerId);
    if (!e) {
      e = this.entry(workerId, t);
      this.workers.set(workerId, e);
    }
    e.recorded++;
    e.recent.push(t);
    this.trim(e, t);
  }

  /** Marks workers unheard of for `silentAfterMs` as silent (call periodically). */
  sweep(): void {
    const t = this.now();
    for (const e of this.workers.values()) {
      const limit = e.heartbeatMs !== null ? Math.max(3 * e.heartbeatMs, 1_000) : this.silentAfterMs;
      if (e.state === 'connected' && t - e.lastSeen > limit) {
        e.state = 'silent';
        e.inFlight = 0;
        this.options.onEvent?.({ type: 'worker-left', workerId: e.workerId, reason: 'silent' });
      }
    }
  }

  /** Every worker seen in this session, connected first, then by id. */
  list(): WorkerSummary[] {
    const t = this.now();
    return [...this.workers.values()]
      .sort(
        (a, b) =>
          Number(b.state === 'connected') - Number(a.state === 'connected') ||
          (a.workerId < b.workerId ? -1 : a.workerId > b.workerId ? 1 : 0),
      )
      .map((e) => {
        this.trim(e, t);
        const span = Math.min(this.rateWindowMs, Math.max(t - e.joinedAt, 1_000));
        return {
          workerId: e.workerId,
          host: e.host,
          pid: e.pid,
          threads: e.threads,
          state: e.state,
          inFlight: e.inFlight,
          recorded: e.recorded,
          ratePerMinute: (e.recent.length * 60_000) / span,
          lastSeenAgoMs: t - e.lastSeen,
        };
      });
  }

  /** Workers connected now and their pipeline threads (null when some worker did not say). */
  connected(): { connected: number; threads: number | null } {
    let connected = 0;
    let threads: number | null = 0;
    for (const e of this.workers.values()) {
      if (e.state !== 'connected') continue;
      connected++;
      threads = threads === null || e.threads === null ? null : threads + e.threads;
    }
    return { connected, threads };
  }

  private seen(
    workerId: string,
    info: { host?: string; pid?: number; threads?: number; inFlight?: number; heartbeatMs?: number },
  ): Entry {
    const t = this.now();
    let e = this.workers.get(workerId);
    if (!e) {
      e = this.entry(workerId, t);
      this.workers.set(workerId, e);
    }
    if (info.host !== undefined) e.host = info.host;
    if (info.pid !== undefined) e.pid = info.pid;
    if (info.threads !== undefined) e.threads = info.threads;
    if (info.inFlight !== undefined) e.inFlight = info.inFlight;
    if (info.heartbeatMs !== undefined) e.heartbeatMs = info.heartbeatMs;
    e.lastSeen = t;
    if (e.state !== 'connected') {
      e.state = 'connected';
      this.options.onEvent?.({
        type: 'worker-joined',
        workerId,
        host: e.host,
        threads: e.threads,
      });
    }
    return e;
  }

  private entry(workerId: string, t: number): Entry {
    return {
      workerId,
      host: null,
      pid: null,
      threads: null,
      heartbeatMs: null,
      state: 'left',
      joinedAt: t,
      lastSeen: t,
      inFlight: 0,
      recorded: 0,
      recent: [],
    };
  }

  private trim(e: Entry, t: number): void {
    let drop = 0;
    while (drop < e.recent.length && t - (e.recent[drop] as number) > this.rateWindowMs) drop++;
    if (drop > 0) e.recent.splice(0, drop);
  }
}
