/**
 * The scheduler actor of one run: keeps the task queue filled and turns observations into state.
 *
 * Filling (SPEC §3.3, §6.6 with §13.4, §13.7): while queued + running + k ≤ `queue_size` and the budget
 * allows, pick a logical pipeline with the cost-model bandit, ask its advisor for
 * k = min(`num_pp_candidates`, trials left, budget left) configurations, persist them as tasks with
 * deterministic ids, add them to `num_trials`, and publish them with the run's best compound quality.
 * The bandit's generator is derived from (run seed, number of tasks created so far), a number the store
 * holds, so the draws continue where they were after a restart.
 *
 * Observations: record in the store (idempotent by task id); only when newly inserted: update the
 * logical pipeline's cost model, feed its advisor, update the run's best and the counters, then fill again.
 * The caller acks the transport delivery after this returns, so a crash in between replays it as a no-op.
 *
 * State is never trusted across a restart: `preStart` rebuilds everything from the store (LP statistics by
 * replaying the observations in sequence order, `num_trials` from the tasks, advisors by replay, the queue
 * from the queued/running tasks, which are published again). A supervised restart of this actor after a
 * failure is therefore the same operation as resuming a killed run.
 *
 * Budgets are exact: `max_total_pipelines_num` caps the tasks ever created for the run, and every created
 * task ends with exactly one observation (ok, failed, or dead-lettered); `max_trials` caps each logical
 * pipeline's tasks; `max_time_budget` is checked against the run's stored active seconds (it survives
 * restarts); once it is reached no task is created and the tasks in flight are finished.
 */
import type {
  ComponentRegistry,
  Configuration,
  ExperimentConfig,
  LogicalPipeline,
  ObservationMessage,
  TaskMessage,
} from '@virnyflow/core';
import { MESSAGE_VERSION, Rng, hashSeeds, lpSearchSpace } from '@virnyflow/core';
import type { LogicalPipelineStats, TrialObservation, WeightedObjective } from '@virnyflow/optimizer';
import {
  batchSize,
  initialLogicalPipelineStats,
  selectLogicalPipeline,
  updateLogicalPipelineStats,
} from '@virnyflow/optimizer';
import type { ActorContext, Behavior, Transport } from '@virnyflow/runtime';
import type {
  ExperimentStore,
  JsonObject,
  MetricRow as StoredMetricRow,
  NewObservation,
  ObservationRecord,
  RunKey,
  TaskRecord,
} from '@virnyflow/store';
import type { AdvisorInfo, AdvisorReply, AdvisorMessage, AdvisorRef } from './advisor-actor';
import { advisorBehavior, advisorOptions } from './advisor-actor';
import { EngineErrorCode } from './errors';
import { failedObservation } from './pipeline';
import type { EngineEvent, RunProgress } from './types';

/** Seed-stream tag of the bandit's draws (an arbitrary constant). */
const SELECT_STREAM = 0x5e1ec7;

export type SchedulerMessage =
  | { readonly type: 'fill' }
  | { readonly type: 'observation'; readonly observation: ObservationMessage }
  | { readonly type: 'dead-letter'; readonly taskId: string; readonly deliveries: number }
  | { readonly type: 'tick' }
  | { readonly type: 'stop' }
  | { readonly type: 'progress' }
  /** Internal: a task could not be published; fails the actor (its supervisor restarts it from the store). */
  | { readonly type: 'publish-failed'; readonly error: unknown };

export type SchedulerReply = RunProgress | { inserted: boolean } | null;

export type FinishReason = 'budget' | 'exhausted' | 'time';

export interface RunFinished {
  readonly run: number;
  readonly reason: FinishReason;
  readonly progress: RunProgress;
}

export interface SchedulerDeps {
  readonly store: ExperimentStore;
  readonly transport: Transport;
  readonly config: ExperimentConfig;
  readonly registry: ComponentRegistry;
  readonly run: number;
  readonly seed: number;
  readonly lps: readonly LogicalPipeline[];
  readonly contextHash: string;
  readonly datasetHash: string;
  readonly onFinished: (f: RunFinished) => void;
  readonly onProgress?: (p: RunProgress) => void;
  readonly onEvent?: (e: EngineEvent) => void;
  /** Epoch ms; default `Date.now`. */
  readonly now?: () => number;
}

/** Deterministic task id: the experiment, the run and the task's creation index within the run. */
export function taskIdFor(experiment: string, run: number, index: number): string {
  return `${experiment}:${run}:${index}`;
}

/** The pipelines budget of a run: `max_total_pipelines_num`, else every LP's `max_trials`. */
export function runBudget(config: ExperimentConfig, numLps: number): number {
  return config.maxTotalPipelinesNum ?? config.maxTrials * numLps;
}

export function schedulerBehavior(
  deps: SchedulerDeps,
): (ctx: ActorContext<SchedulerMessage, SchedulerReply>) => Behavior<SchedulerMessage, SchedulerReply> {
  return (ctx) => {
    const s = new RunScheduler(deps, ctx);
    return {
      preStart: () => s.rebuild(),
      receive: (m) => s.receive(m),
      postStop: async () => {
        await s.flushLogicalPipelines();
        await s.flushTime();
      },
    };
  };
}

class RunScheduler {
  private readonly key: RunKey;
  private readonly objectives: WeightedObjective[];
  private readonly budget: number;
  private readonly now: () => number;
  private readonly lpByUuid = new Map<string, LogicalPipeline>();
  private lpOrder: string[] = [];
  private readonly stats = new Map<string, LogicalPipelineStats>();
  private readonly lpBest = new Map<string, number>();
  /** Observations (ok and failed) per logical pipeline: its `numCompleted` in the store. */
  private readonly lpCompleted = new Map<string, number>();
  private readonly advisors = new Map<string, AdvisorRef>();
  private readonly inFlight = new Map<string, TaskRecord>();
  private tasksCreated = 0;
  private completed = 0;
  private failed = 0;
  private best: number | null = null;
  private bestTaskId: string | null = null;
  private storedBest: number | null = null;
  /** Publishes in flight (see `publishInBackground`). */
  private readonly publishing = new Set<Promise<void>>();
  /** Logical pipelines whose store record is behind (see `flushLogicalPipelines`). */
  private readonly dirtyLps = new Set<string>();
  /** The current Pareto front: weighted objective vectors of feasible ok observations (minimised). */
  private front: number[][] = [];
  private exhausted = false;
  private timeExhausted = false;
  private stopping = false;
  private finished = false;
  private activeSeconds = 0;
  private lastFlush = 0;
  private sessionStart = 0;
  private sessionCompleted = 0;

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly ctx: ActorContext<SchedulerMessage, SchedulerReply>,
  ) {
    this.key = { experiment: deps.config.name, run: deps.run };
    this.objectives = deps.config.objectives.map((o) => ({ name: o.name, weight: o.weight }));
    this.budget = runBudget(deps.config, deps.lps.length);
    this.now = deps.now ?? Date.now;
    for (const lp of deps.lps) this.lpByUuid.set(lp.uuid, lp);
  }

  async receive(m: SchedulerMessage): Promise<SchedulerReply> {
    switch (m.type) {
      case 'fill':
        await this.fill();
        return null;
      case 'observation':
        return this.observe(m.observation);
      case 'dead-letter':
        return this.deadLetter(m.taskId, m.deliveries);
      case 'tick':
        await this.tick();
        this.report();
        return this.progress();
      case 'stop':
        this.stopping = true;
        await this.publishesSettled();
        await this.flushLogicalPipelines();
        await this.flushTime();
        return this.progress();
      case 'progress':
        return this.progress();
      case 'publish-failed':
        // The restart rebuilds from the store, where the task is still queued, and publishes it again.
        throw m.error;
    }
  }

  // --- rebuild ---------------------------------------------------------------------------------------

  async rebuild(): Promise<void> {
    const { store, config } = this.deps;
    const [records, tasks, observations, experiment] = await Promise.all([
      store.listLogicalPipelines(this.key),
      store.listTasks(this.key),
      store.listObservations(this.key),
      store.getExperiment(this.key),
    ]);
    this.activeSeconds = experiment?.activeSeconds ?? 0;
    this.storedBest = experiment?.bestCompoundQuality ?? null;
    this.lastFlush = this.now();
    this.sessionStart = this.lastFlush;
    if (config.maxTimeBudget !== null && this.activeSeconds >= config.maxTimeBudget)
      this.timeExhausted = true;
    this.tasksCreated = tasks.length;

    const trials = new Map<string, number>();
    for (const t of tasks) trials.set(t.lpUuid, (trials.get(t.lpUuid) ?? 0) + 1);
    this.lpOrder = records.filter((r) => this.lpByUuid.has(r.uuid)).map((r) => r.uuid);
    for (const r of records) {
      if (!this.lpByUuid.has(r.uuid)) continue;
      const stored = r.stats as Partial<LogicalPipelineStats>;
      const maxTrials = typeof stored.maxTrials === 'number' ? stored.maxTrials : config.maxTrials;
      const st = initialLogicalPipelineStats(r.name, this.objectives, {
        riskFactor: config.riskFactor,
        maxTrials,
      });
      this.stats.set(r.uuid, { ...st, numTrials: trials.get(r.uuid) ?? 0 });
    }

    const replay = new Map<string, TrialObservation[]>();
    for (const o of observations) {
      this.applyObservation(o);
      const list = replay.get(o.lpUuid) ?? [];
      list.push(toTrial(o));
      replay.set(o.lpUuid, list);
    }
    const pending = new Map<string, Configuration[]>();
    for (const t of tasks) {
      if (t.status !== 'queued' && t.status !== 'running') continue;
      this.inFlight.set(t.taskId, t);
      const list = pending.get(t.lpUuid) ?? [];
      list.push(t.config as Configuration);
      pending.set(t.lpUuid, list);
    }

    this.lpOrder.forEach((uuid, i) => {
      const lp = this.lpByUuid.get(uuid) as LogicalPipeline;
      const options = advisorOptions(config, lpSearchSpace(lp, this.deps.registry), this.deps.seed, uuid);
      const ref = this.ctx.spawn<AdvisorMessage, AdvisorReply>(
        `advisor-${i}`,
        advisorBehavior(options, { observations: replay.get(uuid) ?? [], pending: pending.get(uuid) ?? [] }),
        { supervision: { type: 'escalate' } },
      );
      this.advisors.set(uuid, ref);
    });

    // Derived state written after an observation may lag after a crash: bring the store up to date.
    for (const r of records) {
      const st = this.stats.get(r.uuid);
      if (!st) continue;
      const best = this.lpBest.get(r.uuid) ?? null;
      if (
        r.numTrials !== st.numTrials ||
        r.numCompleted !== (this.lpCompleted.get(r.uuid) ?? 0) ||
        r.bestCompoundQuality !== best ||
        JSON.stringify(r.stats) !== JSON.stringify(st)
      ) {
        await store.updateLogicalPipeline(this.key, r.uuid, {
          stats: toJson(st),
          numTrials: st.numTrials,
          numCompleted: this.lpCompleted.get(r.uuid) ?? 0,
          bestCompoundQuality: best,
        });
      }
    }
    await this.persistBest();

    const republish = [...this.inFlight.values()].sort((a, b) => a.sequence - b.sequence);
    if (republish.length > 0) {
      this.emit({
        type: 'republish',
        experiment: this.key.experiment,
        run: this.key.run,
        tasks: republish.length,
      });
    }
    for (const t of republish) this.publishInBackground(t);
    this.report();
    this.ctx.self.tell({ type: 'fill' });
  }

  // --- filling ---------------------------------------------------------------------------------------

  private async fill(): Promise<void> {
    const { config, store } = this.deps;
    while (!this.stopping && !this.finished && !this.timeExhausted && this.tasksCreated < this.budget) {
      const left = this.budget - this.tasksCreated;
      if (this.inFlight.size + Math.min(config.numPpCandidates, left) > config.queueSize) break;
      const all = this.lpOrder.map((u) => this.selectionView(u));
      const rng = new Rng(hashSeeds(this.deps.seed, this.tasksCreated, SELECT_STREAM));
      const sel = selectLogicalPipeline(all, config.explorationFactor, rng);
      if (sel === null) {
        this.exhausted = true;
        break;
      }
      const uuid = this.lpOrder[sel.index];
      const lp = this.lpByUuid.get(uuid) as LogicalPipeline;
      let st = this.stats.get(uuid) as LogicalPipelineStats;
      const k = Math.min(batchSize(st, config.numPpCandidates), left);
      const advisor = this.advisors.get(uuid) as AdvisorRef;
      const configs = (await advisor.ask({ type: 'suggest', k }, { timeoutMs: 600_000 })) as Configuration[];
      if (configs.length < k) {
        // The space has no unseen configuration left: cap this LP where it is (persisted in its stats).
        st = { ...st, maxTrials: st.numTrials + configs.length };
        this.stats.set(uuid, st);
        await store.updateLogicalPipeline(this.key, uuid, { stats: toJson(st) });
        this.emit({
          type: 'space-exhausted',
          experiment: this.key.experiment,
          run: this.key.run,
          lp: lp.name,
        });
      }
      if (configs.length === 0) continue;
      const first = st.numTrials === 0;
      const tasks = configs.map((config, j) => ({
        taskId: taskIdFor(this.key.experiment, this.key.run, this.tasksCreated + j),
        experiment: this.key.experiment,
        run: this.key.run,
        lpUuid: uuid,
        lpName: lp.name,
        config: config as JsonObject,
        seed: this.deps.seed,
      }));
      await store.insertTasks(tasks);
      st = { ...st, numTrials: st.numTrials + tasks.length };
      this.stats.set(uuid, st);
      if (first) {
        const info = (await advisor.ask({ type: 'info' })) as AdvisorInfo;
        await store.updateLogicalPipeline(this.key, uuid, {
          stats: toJson(st),
          numTrials: st.numTrials,
          surrogateType: info.resolvedTypes.surrogate,
          acqType: info.resolvedTypes.acquisition,
          acqOptimizerType: info.resolvedTypes.acqOptimizer,
        });
      } else this.dirtyLps.add(uuid);
      this.tasksCreated += tasks.length;
      const now = this.now();
      const records = tasks.map((t): TaskRecord => ({
        ...t,
        status: 'queued',
        attempts: 0,
        createdAt: now,
        updatedAt: now,
        sequence: 0,
      }));
      for (const rec of records) this.inFlight.set(rec.taskId, rec);
      // Published in the background: the next pick need not wait for the server's acknowledgements, so a
      // large queue (many workers) fills at the speed of the picks, not of k round trips per pick. The
      // decisions do not depend on the acknowledgements, so a run stays a function of its seed.
      for (const rec of records) this.publishInBackground(rec);
    }
    this.checkFinished();
  }

  private taskMessage(t: TaskRecord): TaskMessage {
    const lp = this.lpByUuid.get(t.lpUuid) as LogicalPipeline;
    return {
      version: MESSAGE_VERSION,
      taskId: t.taskId,
      experiment: t.experiment,
      runNum: t.run,
      lpUuid: t.lpUuid,
      lpName: t.lpName,
      components: {
        null_imputation: lp.components.null_imputation,
        fairness_intervention: lp.components.fairness_intervention,
        model: lp.components.model,
      },
      configuration: t.config as Configuration,
      seed: t.seed,
      objectives: this.deps.config.objectives,
      bestCompoundQuality: this.best,
      attempt: 1,
      contextHash: this.deps.contextHash,
      datasetHash: this.deps.datasetHash,
    };
  }

  private publishInBackground(t: TaskRecord): void {
    const p = this.publish(t).catch((error: unknown) => {
      if (!this.stopping && !this.finished) this.ctx.self.tell({ type: 'publish-failed', error });
    });
    this.publishing.add(p);
    void p.finally(() => this.publishing.delete(p));
  }

  /** Waits for the background publishes (before the run is reported stopped or finished). */
  async publishesSettled(): Promise<void> {
    while (this.publishing.size > 0) await Promise.allSettled([...this.publishing]);
  }

  /**
   * Marks the task dispatched, then publishes it. In this order a fast worker's observation can never be
   * recorded before the task was marked, and a crash in between leaves a `running` task, which a resume
   * publishes again like a queued one (publishing is idempotent by task id).
   */
  private async publish(t: TaskRecord): Promise<void> {
    const message = this.taskMessage(t);
    await this.deps.store.transitionTask(t.taskId, ['queued', 'running'], 'running', { attemptsInc: 1 });
    await this.deps.transport.publishTask({ id: t.taskId, payload: message });
  }

  // --- observations ----------------------------------------------------------------------------------

  private async observe(o: ObservationMessage): Promise<{ inserted: boolean }> {
    if (o.experiment !== this.key.experiment || o.runNum !== this.key.run || !this.lpByUuid.has(o.lpUuid)) {
      this.emit({ type: 'stray-observation', taskId: o.taskId, experiment: o.experiment, run: o.runNum });
      return { inserted: false };
    }
    const obs: NewObservation = {
      taskId: o.taskId,
      experiment: o.experiment,
      run: o.runNum,
      lpUuid: o.lpUuid,
      lpName: o.lpName,
      config: o.configuration as JsonObject,
      status: o.status,
      objectives: o.objectives,
      weighted: o.weighted,
      reversed: o.reversed,
      constraints: o.constraints,
      compoundQuality: o.compoundQuality,
      haltingFraction: o.haltingFraction,
      elapsedSeconds: o.elapsedSeconds,
      worker: o.workerId,
      failure: o.failure === null ? null : { code: o.failure.code, message: o.failure.message },
    };
    const metrics: StoredMetricRow[] = o.metrics.map((r) => ({
      split: r.split,
      metric: r.metric,
      group: r.group,
      value: r.value ?? NaN,
    }));
    let inserted: boolean;
    try {
      ({ inserted } = await this.deps.store.recordObservation(obs, metrics));
    } catch (error) {
      if ((error as { code?: string }).code === 'VF_STORE_NOT_FOUND') {
        this.emit({ type: 'stray-observation', taskId: o.taskId, experiment: o.experiment, run: o.runNum });
        return { inserted: false };
      }
      throw error;
    }
    this.inFlight.delete(o.taskId);
    if (!inserted) return { inserted: false };
    const record: ObservationRecord = { ...obs, sequence: 0, createdAt: this.now() };
    this.applyObservation(record);
    this.sessionCompleted++;
    (this.advisors.get(o.lpUuid) as AdvisorRef).tell({ type: 'observe', observation: toTrial(record) });
    this.dirtyLps.add(o.lpUuid);
    await this.persistBest();
    if (o.status === 'failed') {
      this.emit({
        type: 'pipeline-failed',
        taskId: o.taskId,
        lp: o.lpName,
        code: o.failure?.code ?? 'VF_INTERNAL',
        message: o.failure?.message ?? '',
      });
    }
    this.report();
    await this.fill();
    return { inserted: true };
  }

  private async deadLetter(taskId: string, deliveries: number): Promise<{ inserted: boolean }> {
    const t = this.inFlight.get(taskId) ?? (await this.deps.store.getTask(taskId));
    if (t === null || t.run !== this.key.run || t.experiment !== this.key.experiment)
      return { inserted: false };
    const obs = failedObservation(
      this.taskMessage(t),
      'coordinator',
      {
        code: EngineErrorCode.DeadLettered,
        message: `task ${taskId} was delivered ${deliveries} times without a result (its workers died or hung); recorded as failed`,
        retryable: false,
        details: { deliveries },
      },
      0,
      null,
    );
    return this.observe(obs);
  }

  /**
   * The stats the bandit sees: the cost model's, except that a logical pipeline with observations (failed
   * ones included) is never "unexplored" — otherwise one whose pipelines all fail would be re-picked by
   * the exploration branch until its `max_trials`.
   */
  private selectionView(uuid: string): LogicalPipelineStats {
    const st = this.stats.get(uuid) as LogicalPipelineStats;
    const observed = this.lpCompleted.get(uuid) ?? 0;
    return observed > st.numCompletedPps ? { ...st, numCompletedPps: observed } : st;
  }

  /** Cost model, counters, best and Pareto points from one observation (also used by the replay). */
  private applyObservation(o: ObservationRecord): void {
    const st = this.stats.get(o.lpUuid);
    if (!st) return;
    this.completed++;
    const ok = o.status === 'ok';
    this.lpCompleted.set(o.lpUuid, (this.lpCompleted.get(o.lpUuid) ?? 0) + 1);
    if (!ok) {
      // The cost model learns from successful pipelines only (VirnyFlow never saw a failure): a failure's
      // time is not a cost estimate and a quality of 0 would inflate the score's std/cost term. It still
      // counts as exploring its logical pipeline (see `selectionView`).
      this.failed++;
      return;
    }
    const reversed: Record<string, number> = {};
    this.objectives.forEach((ob, i) => {
      reversed[ob.name] = o.reversed[i] ?? 0;
    });
    this.stats.set(
      o.lpUuid,
      updateLogicalPipelineStats(st, { elapsedTime: o.elapsedSeconds, reversed }, this.objectives),
    );
    if (o.compoundQuality !== null) {
      const q = o.compoundQuality;
      const prev = this.lpBest.get(o.lpUuid);
      if (prev === undefined || q > prev) this.lpBest.set(o.lpUuid, q);
      if (this.best === null || q > this.best) {
        this.best = q;
        this.bestTaskId = o.taskId;
      }
      const M = this.objectives.length;
      const point = Array.from({ length: M }, (_, i) => o.weighted[i] ?? NaN);
      if (point.every(Number.isFinite) && o.constraints.every((c) => c !== null && c <= 0)) {
        // Incremental front: O(front) per observation instead of re-sorting every point.
        if (!this.front.some((q) => dominates(q, point))) {
          this.front = this.front.filter((q) => !dominates(point, q));
          this.front.push(point);
        }
      }
    }
  }

  private async persistBest(): Promise<void> {
    if (this.best === null || this.bestTaskId === null) return;
    if (this.storedBest !== null && this.best <= this.storedBest) return;
    await this.deps.store.updateBest(this.key, this.best, this.bestTaskId);
    this.storedBest = this.best;
  }

  // --- time and termination --------------------------------------------------------------------------

  private async tick(): Promise<void> {
    await this.flushLogicalPipelines();
    await this.flushTime();
    const budget = this.deps.config.maxTimeBudget;
    if (budget !== null && this.activeSeconds >= budget && !this.timeExhausted) {
      this.timeExhausted = true;
      this.emit({
        type: 'time-budget',
        experiment: this.key.experiment,
        run: this.key.run,
        seconds: this.activeSeconds,
      });
    }
    this.checkFinished();
  }

  /**
   * Writes the logical pipelines' derived counters and statistics changed since the last flush. They are
   * for reports only — a resume rebuilds them from the tasks and observations (see `rebuild`) — so they
   * are written on every tick and when the run stops or finishes, not after every task: one write per
   * logical pipeline per second instead of two per task.
   */
  async flushLogicalPipelines(): Promise<void> {
    if (this.dirtyLps.size === 0) return;
    const uuids = [...this.dirtyLps];
    this.dirtyLps.clear();
    try {
      for (const uuid of uuids) {
        const st = this.stats.get(uuid);
        if (!st) continue;
        await this.deps.store.updateLogicalPipeline(this.key, uuid, {
          stats: toJson(st),
          numTrials: st.numTrials,
          numCompleted: this.lpCompleted.get(uuid) ?? 0,
          bestCompoundQuality: this.lpBest.get(uuid) ?? null,
        });
      }
    } catch (error) {
      // A closed store at shutdown: the next resume rewrites them from the observations.
      if ((error as { code?: string }).code !== 'VF_STORE_CLOSED') throw error;
    }
  }

  /** Adds the active time since the last flush to the store (not after the run finished). */
  async flushTime(): Promise<void> {
    if (this.lastFlush === 0) return;
    const now = this.now();
    const delta = Math.max(0, (now - this.lastFlush) / 1000);
    this.lastFlush = now;
    if (this.finished && delta === 0) return;
    try {
      this.activeSeconds = await this.deps.store.addActiveSeconds(this.key, delta);
    } catch (error) {
      // A closed store at shutdown loses at most one tick of active time.
      if ((error as { code?: string }).code !== 'VF_STORE_CLOSED') throw error;
    }
  }

  private checkFinished(): void {
    if (this.finished || this.stopping || this.inFlight.size > 0) return;
    // Without max_total_pipelines_num the budget is the sum of max_trials: reaching it exhausts every LP.
    const budgetReached = this.tasksCreated >= this.budget;
    let reason: FinishReason | null = null;
    if (budgetReached && this.deps.config.maxTotalPipelinesNum !== null) reason = 'budget';
    else if (budgetReached || this.exhausted) reason = 'exhausted';
    else if (this.timeExhausted) reason = 'time';
    if (reason === null) return;
    this.finished = true;
    const finalReason = reason;
    void Promise.all([this.flushLogicalPipelines(), this.flushTime()]).then(
      () => this.deps.onFinished({ run: this.key.run, reason: finalReason, progress: this.progress() }),
      () => this.deps.onFinished({ run: this.key.run, reason: finalReason, progress: this.progress() }),
    );
  }

  // --- progress --------------------------------------------------------------------------------------

  private progress(): RunProgress {
    const minutes = (this.now() - this.sessionStart) / 60_000;
    const rate = minutes > 0 ? this.sessionCompleted / minutes : 0;
    const left = Math.max(0, Math.min(this.budget, this.maxPossible()) - this.completed);
    return {
      experiment: this.key.experiment,
      run: this.key.run,
      seed: this.deps.seed,
      state: this.finished ? 'finished' : this.stopping ? 'stopping' : 'running',
      completed: this.completed,
      failed: this.failed,
      tasksCreated: this.tasksCreated,
      inFlight: this.inFlight.size,
      budget: this.budget,
      bestCompoundQuality: this.best,
      bestTaskId: this.bestTaskId,
      paretoSize: this.front.length,
      activeSeconds: this.activeSeconds,
      ratePerMinute: rate,
      etaSeconds: rate > 0 ? (left / rate) * 60 : null,
    };
  }

  private maxPossible(): number {
    let n = 0;
    for (const st of this.stats.values()) n += st.maxTrials;
    return n;
  }

  private report(): void {
    this.deps.onProgress?.(this.progress());
  }

  private emit(e: EngineEvent): void {
    this.deps.onEvent?.(e);
  }
}

function toTrial(o: ObservationRecord): TrialObservation {
  if (o.status !== 'ok') return { config: o.config as Configuration, failed: true };
  return {
    config: o.config as Configuration,
    objectives: o.weighted.map((v) => (v === null ? NaN : v)),
    constraints: o.constraints.map((v) => (v === null ? NaN : v)),
  };
}

/** a ≤ b in every objective and < in one (minimisation). */
function dominates(a: readonly number[], b: readonly number[]): boolean {
  let strict = false;
  for (let j = 0; j < a.length; j++) {
    if (a[j] > b[j]) return false;
    if (a[j] < b[j]) strict = true;
  }
  return strict;
}

function toJson(st: LogicalPipelineStats): JsonObject {
  return JSON.parse(JSON.stringify(st)) as JsonObject;
}
