/**
 * The coordinator actor: owns an experiment on the coordinator side (the single writer of the store,
 * SPEC §13.12). It publishes the prepared dataset and the experiment context as transport blobs, consumes
 * observations and dead letters, and runs the `run_nums` one after another: for each run it creates or
 * resumes the run in the store, inserts the logical pipelines, spawns the run's scheduler (which rebuilds
 * its state from the store), routes observations to it, and closes the run when the scheduler reports it
 * finished. A run already `completed` is skipped.
 *
 * Lifecycle: `next` (start the next run) → … → done. `stop` (Ctrl+C, a signal) stops creating tasks,
 * marks the active run `stopped` and ends; tasks in flight stay queued/running in the store and are
 * published again when the same experiment is run again.
 */
import type {
  ComponentRegistry,
  ExperimentConfig,
  LogicalPipeline,
  ObservationMessage,
} from '@virnyflow/core';
import { parseObservationMessage, toFailure } from '@virnyflow/core';
import { initialLogicalPipelineStats } from '@virnyflow/optimizer';
import type {
  ActorContext,
  ActorRef,
  Behavior,
  Consumption,
  DeadLetter,
  Delivery,
  Transport,
} from '@virnyflow/runtime';
import type { ExperimentStore, JsonObject, RunKey } from '@virnyflow/store';
import { EngineErrorCode, engineError } from './errors';
import type { FinishReason, RunFinished, SchedulerMessage, SchedulerReply } from './scheduler';
import { runBudget, schedulerBehavior } from './scheduler';
import type { EngineEvent, RunProgress } from './types';
import type { WorkerSummary } from './worker-roster';
import { WorkerRoster } from './worker-roster';

export type CoordinatorMessage =
  | { readonly type: 'next' }
  | { readonly type: 'run-finished'; readonly finished: RunFinished }
  | { readonly type: 'stop' }
  | { readonly type: 'tick' };

/** The outcome of one run in this session. */
export interface RunOutcome {
  readonly run: number;
  readonly seed: number;
  /** `completed` (finished now), `already-completed` (skipped), `stopped` (interrupted, resumable). */
  readonly status: 'completed' | 'already-completed' | 'stopped';
  readonly reason: FinishReason | null;
  readonly progress: RunProgress | null;
}

export interface CoordinatorResult {
  readonly runs: readonly RunOutcome[];
  readonly stopped: boolean;
  /** Every worker seen in this session, with what it contributed. */
  readonly workers: readonly WorkerSummary[];
}

export interface CoordinatorDeps {
  readonly store: ExperimentStore;
  readonly transport: Transport;
  readonly config: ExperimentConfig;
  readonly registry: ComponentRegistry;
  readonly lps: readonly LogicalPipeline[];
  /** Seed of a run: `100 + run_num + seedOffset`. */
  readonly seedOf: (run: number) => number;
  readonly contextHash: string;
  readonly datasetHash: string;
  readonly tickMs: number;
  /** A worker unheard of for this long counts as gone, ms. Default 15 000 (3 default heartbeats). */
  readonly workerSilentAfterMs?: number;
  readonly onProgress?: (p: RunProgress) => void;
  readonly onEvent?: (e: EngineEvent) => void;
  readonly onDone: (r: CoordinatorResult) => void;
}

export function coordinatorBehavior(
  deps: CoordinatorDeps,
): (ctx: ActorContext<CoordinatorMessage, void>) => Behavior<CoordinatorMessage, void> {
  return (ctx) => {
    const c = new Coordinator(deps, ctx);
    return {
      preStart: () => c.start(),
      receive: (m) => c.receive(m),
      postStop: () => c.close(),
    };
  };
}

interface ActiveRun {
  readonly run: number;
  readonly seed: number;
  readonly ref: ActorRef<SchedulerMessage, SchedulerReply>;
}

/** Generous: a scheduler may be busy fitting an advisor's surrogate while observations wait. */
const SCHEDULER_ASK_MS = 600_000;

class Coordinator {
  private index = -1;
  private active: ActiveRun | null = null;
  private readonly outcomes: RunOutcome[] = [];
  private observations: Consumption | null = null;
  private deadLetters: Consumption | null = null;
  private timer: NodeJS.Timeout | null = null;
  private done = false;
  private readonly roster: WorkerRoster;
  private readonly onProgress: ((p: RunProgress) => void) | undefined;

  constructor(
    private readonly deps: CoordinatorDeps,
    private readonly ctx: ActorContext<CoordinatorMessage, void>,
  ) {
    this.roster = new WorkerRoster({
      transport: deps.transport,
      ...(deps.workerSilentAfterMs !== undefined ? { silentAfterMs: deps.workerSilentAfterMs } : {}),
      ...(deps.onEvent ? { onEvent: deps.onEvent } : {}),
    });
    const report = deps.onProgress;
    this.onProgress = report ? (p) => report({ ...p, workers: this.roster.connected() }) : undefined;
  }

  start(): void {
    const t = this.deps.transport;
    this.roster.start();
    this.observations = t.consumeObservations((d) => this.onObservation(d), { concurrency: 1 });
    this.deadLetters = t.consumeDeadLetters((d) => this.onDeadLetter(d));
    this.timer = setInterval(() => this.ctx.self.tell({ type: 'tick' }), this.deps.tickMs);
    this.timer.unref();
    this.ctx.self.tell({ type: 'next' });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([this.observations?.stop(), this.deadLetters?.stop(), this.roster.stop()]);
    // Observation acks go out unconfirmed; let the server take the last ones before the transport closes.
    await this.deps.transport.flush().catch(() => undefined);
    this.observations = null;
    this.deadLetters = null;
  }

  async receive(m: CoordinatorMessage): Promise<void> {
    if (this.done) return;
    switch (m.type) {
      case 'next':
        return this.next();
      case 'run-finished':
        return this.finishRun(m.finished);
      case 'stop':
        return this.stop();
      case 'tick':
        this.roster.sweep();
        this.active?.ref.tell({ type: 'tick' });
        return;
    }
  }

  private async next(): Promise<void> {
    const { store, config } = this.deps;
    this.index++;
    if (this.index >= config.runNums.length) {
      this.finish(false);
      return;
    }
    const run = config.runNums[this.index];
    const seed = this.deps.seedOf(run);
    const key: RunKey = { experiment: config.name, run };
    const { experiment, created } = await store.createExperiment({
      experiment: config.name,
      run,
      config: config.raw as unknown as JsonObject,
      seed,
    });
    if (!created) {
      if (JSON.stringify(experiment.config) !== JSON.stringify(config.raw) || experiment.seed !== seed) {
        throw engineError(
          EngineErrorCode.ConfigMismatch,
          `experiment '${config.name}' run ${run} is already in the store (${store.info.location}) with a different ` +
            `${experiment.seed !== seed ? `seed (${experiment.seed}, now ${seed})` : 'config'}; a run resumes only with the ` +
            'config it started with. Restore that config, change common_args.exp_config_name, or use another store',
          { experiment: config.name, run, storedSeed: experiment.seed, seed },
        );
      }
      if (experiment.status === 'completed') {
        this.deps.onEvent?.({ type: 'run-skip', experiment: config.name, run, status: experiment.status });
        this.outcomes.push({ run, seed, status: 'already-completed', reason: null, progress: null });
        this.ctx.self.tell({ type: 'next' });
        return;
      }
    }
    await store.insertLogicalPipelines(
      this.deps.lps.map((lp) => ({
        experiment: config.name,
        run,
        uuid: lp.uuid,
        name: lp.name,
        components: { ...lp.components },
        stats: JSON.parse(
          JSON.stringify(
            initialLogicalPipelineStats(
              lp.name,
              config.objectives.map((o) => ({ name: o.name, weight: o.weight })),
              { riskFactor: config.riskFactor, maxTrials: config.maxTrials },
            ),
          ),
        ) as JsonObject,
      })),
    );
    await store.transitionExperiment(key, ['created', 'running', 'stopped', 'failed'], 'running');
    this.deps.onEvent?.({ type: 'run-start', experiment: config.name, run, resumed: !created });
    const ref = this.ctx.spawn<SchedulerMessage, SchedulerReply>(
      `scheduler-${run}`,
      schedulerBehavior({
        store,
        transport: this.deps.transport,
        config,
        registry: this.deps.registry,
        run,
        seed,
        lps: this.deps.lps,
        contextHash: this.deps.contextHash,
        datasetHash: this.deps.datasetHash,
        onFinished: (f) => this.ctx.self.tell({ type: 'run-finished', finished: f }),
        ...(this.onProgress ? { onProgress: this.onProgress } : {}),
        ...(this.deps.onEvent ? { onEvent: this.deps.onEvent } : {}),
      }),
      // A failed scheduler restarts by rebuilding from the store (the same path as a resume).
      { supervision: { type: 'restart', maxRestarts: 3, withinMs: 60_000 } },
    );
    this.active = { run, seed, ref };
  }

  private async finishRun(f: RunFinished): Promise<void> {
    const a = this.active;
    if (a === null || a.run !== f.run) return;
    const key: RunKey = { experiment: this.deps.config.name, run: f.run };
    await this.deps.store.transitionExperiment(key, ['running'], 'completed');
    this.deps.onEvent?.({ type: 'run-end', experiment: key.experiment, run: f.run, reason: f.reason });
    this.outcomes.push({
      run: f.run,
      seed: a.seed,
      status: 'completed',
      reason: f.reason,
      progress: f.progress,
    });
    this.active = null;
    await a.ref.stop();
    this.ctx.self.tell({ type: 'next' });
  }

  private async stop(): Promise<void> {
    const a = this.active;
    if (a !== null) {
      let progress: RunProgress | null = null;
      try {
        progress = (await a.ref.ask({ type: 'stop' }, { timeoutMs: SCHEDULER_ASK_MS })) as RunProgress;
      } catch {
        // A scheduler that cannot answer is stopped below anyway; its state is in the store.
      }
      this.active = null;
      await a.ref.stop({ mode: 'immediate' });
      const key: RunKey = { experiment: this.deps.config.name, run: a.run };
      await this.deps.store.transitionExperiment(key, ['running', 'created'], 'stopped');
      this.outcomes.push({ run: a.run, seed: a.seed, status: 'stopped', reason: null, progress });
    }
    this.finish(true);
  }

  private finish(stopped: boolean): void {
    if (this.done) return;
    this.done = true;
    this.deps.onDone({ runs: [...this.outcomes], stopped, workers: this.roster.list() });
  }

  // --- transport consumers (run outside the mailbox; they only read `active`) -------------------------

  private async onObservation(d: Delivery): Promise<void> {
    let o: ObservationMessage;
    try {
      o = parseObservationMessage(d.payload);
    } catch (error) {
      d.term('invalid observation');
      this.deps.onEvent?.({
        type: 'invalid-message',
        channel: 'observations',
        message: toFailure(error).message,
      });
      return;
    }
    const a = this.active;
    if (a === null || o.experiment !== this.deps.config.name || o.runNum !== a.run) {
      // Not the active run: a duplicate of a recorded observation, or one for a run that is not running
      // now (its task stays queued/running in the store and is published again when that run resumes).
      this.deps.onEvent?.({
        type: 'stray-observation',
        taskId: o.taskId,
        experiment: o.experiment,
        run: o.runNum,
      });
      await d.ack();
      return;
    }
    const reply = (await a.ref.ask(
      { type: 'observation', observation: o },
      { timeoutMs: SCHEDULER_ASK_MS },
    )) as { inserted?: boolean } | null;
    if (reply?.inserted === true) this.roster.recordObservation(o.workerId);
    // Unconfirmed: the next observation need not wait for the server's reply. An ack that is lost replays
    // the observation, which the store records once (by task id).
    void d.ack({ confirm: false });
  }

  private async onDeadLetter(d: DeadLetter): Promise<void> {
    const a = this.active;
    if (a !== null) {
      await a.ref.ask(
        { type: 'dead-letter', taskId: d.id, deliveries: d.deliveries },
        { timeoutMs: SCHEDULER_ASK_MS },
      );
    }
    await d.ack();
  }
}

export { runBudget };
