/**
 * The asynchronous batch advisor for one logical pipeline: OpenBox's `AsyncBatchAdvisor` behaviour
 * (SPEC §4.3) with the decisions of SPEC §13.5/§13.6.
 *
 * Per suggestion:
 * 1. While fewer than `initialTrials` suggestions are out or fewer than `initialTrials` trials succeeded:
 *    the initial design (default configuration + max–min-distance configurations), then random ones.
 * 2. With probability `randProb`: a random unseen configuration.
 * 3. Otherwise BO: one surrogate per objective and per constraint on the history (failed trials and
 *    infeasible ones at the worst observed objective values; constraints bilog-transformed), pending
 *    trials added as fantasies (kriging believer: the model's own mean; constant liar: the worst value),
 *    the acquisition maximised, and the best candidate nobody has seen returned.
 *
 * Replay: every random choice of a suggestion comes from a generator derived from (seed, number of
 * observed + pending trials), and every model is a function of the ordered history (GP hyper-parameters
 * are fitted at checkpoints on the history prefix of that length). So a new advisor with the same seed
 * that is fed the same observations in the same order — with the still-running configurations registered
 * through `addPending` in the same order — makes the same next suggestion, whether or not the original
 * suggest calls are replayed.
 */
import type { Configuration, SearchSpace } from '@virnyflow/core';
import { Rng, defaultConfiguration, hashSeeds } from '@virnyflow/core';
import type { AcqOptimizerOptions, ResolvedAcqOptimizerOptions } from './acq-optimizer';
import { maximizeAcquisition, resolveAcqOptimizerOptions } from './acq-optimizer';
import {
  Ehvi,
  augmentedTchebycheff,
  expectedImprovement,
  probabilityOfFeasibility,
  randomSimplexWeights,
} from './acquisition';
import { SpaceEncoding } from './encoding';
import { OptimizerErrorCode, optimizerError } from './errors';
import type { ForestOptions } from './forest';
import { RandomForest } from './forest';
import type { GpHyperParameters } from './gp';
import { GaussianProcess } from './gp';
import { nonDominatedSort, paretoFrontIndices } from './hypervolume';
import type {
  AcquisitionType,
  Optimizer,
  ResolvedTypes,
  Suggestion,
  SurrogateType,
  TrialObservation,
} from './optimizer';
import type { HistoryEntry } from './trials';
import { TrialBook } from './trials';

export const PendingStrategy = {
  /** Fantasy value = the model's posterior mean (the "kriging believer"). */
  KrigingBeliever: 'kriging_believer',
  /** Fantasy value = the worst value observed so far (a pessimistic "constant liar"). */
  ConstantLiar: 'constant_liar',
} as const;
export type PendingStrategy = (typeof PendingStrategy)[keyof typeof PendingStrategy];

export interface AdvisorOptions {
  space: SearchSpace;
  numObjectives: number;
  numConstraints?: number;
  /** Reference point for EHVI in objective space (one entry per objective); inferred when absent. */
  refPoint?: readonly number[] | null;
  surrogate?: SurrogateType | 'gp_rbf' | 'random_forest';
  acquisition?: AcquisitionType;
  acqOptimizer?: 'auto' | 'local_random' | 'random_scipy' | 'random';
  seed: number;
  /** Size of the initial design and number of successful trials before BO starts (default 3). */
  initialTrials?: number;
  /** Probability of a random suggestion once BO runs (default 0.1). */
  randProb?: number;
  pendingStrategy?: PendingStrategy;
  /** With surrogate `auto`, a GP gives way to the forest from this many observations on (default 300). */
  maxGpObservations?: number;
  acqOptimizerOptions?: AcqOptimizerOptions;
  forest?: Omit<ForestOptions, 'categorical'>;
  /** GP fit effort; by default it shrinks with the number of observations (see `gpFitEffort`). */
  gpFit?: { restarts?: number; maxIterations?: number };
}

export interface ResolvedAdvisorOptions {
  readonly space: SearchSpace;
  readonly numObjectives: number;
  readonly numConstraints: number;
  readonly refPoint: readonly number[] | null;
  readonly surrogate: SurrogateType;
  readonly acquisition: Exclude<AcquisitionType, 'auto' | 'mesmo' | 'mesmoc'>;
  readonly acqOptimizer: 'local_random' | 'random_scipy' | 'random';
  readonly seed: number;
  readonly initialTrials: number;
  readonly randProb: number;
  readonly pendingStrategy: PendingStrategy;
  readonly maxGpObservations: number;
  readonly acqOptimizerOptions: ResolvedAcqOptimizerOptions;
  readonly forest: Omit<ForestOptions, 'categorical'>;
  readonly gpFit: { restarts?: number; maxIterations?: number };
  /** Substitutions and inferences made while resolving, for the user to read. */
  readonly notes: readonly string[];
}

function badOption(field: string, value: unknown, fix: string): never {
  throw optimizerError(
    OptimizerErrorCode.BadOption,
    `advisor option ${field} = ${JSON.stringify(value)}: ${fix}`,
    { field, value },
  );
}

function unknownType(field: string, value: unknown, known: readonly string[]): never {
  throw optimizerError(
    OptimizerErrorCode.UnknownType,
    `advisor option ${field} = ${JSON.stringify(value)} is not supported; use one of ${known.join(', ')}`,
    { field, value, known },
  );
}

/** Parameter counts of OpenBox's `auto` rules (SPEC §4.2). */
function countParams(space: SearchSpace): { continuous: number; categorical: number; other: number } {
  let continuous = 0;
  let categorical = 0;
  let other = 0;
  for (const p of space.params) {
    if (p.type === 'int' || p.type === 'float') continuous++;
    else if (p.type === 'categorical') categorical++;
    else other++;
  }
  return { continuous, categorical, other };
}

/** Validates the options and applies OpenBox's `auto` rules (SPEC §4.2); fails at construction. */
export function resolveAdvisorOptions(o: AdvisorOptions): ResolvedAdvisorOptions {
  const notes: string[] = [];
  if (!Number.isInteger(o.numObjectives) || o.numObjectives < 1)
    badOption('numObjectives', o.numObjectives, 'give a positive integer');
  const numConstraints = o.numConstraints ?? 0;
  if (!Number.isInteger(numConstraints) || numConstraints < 0)
    badOption('numConstraints', numConstraints, 'give a non-negative integer');
  if (!Number.isFinite(o.seed)) badOption('seed', o.seed, 'give a finite number');
  const initialTrials = o.initialTrials ?? 3;
  if (!Number.isInteger(initialTrials) || initialTrials < 1)
    badOption('initialTrials', initialTrials, 'give a positive integer (OpenBox uses 3)');
  const randProb = o.randProb ?? 0.1;
  if (!(randProb >= 0 && randProb <= 1)) badOption('randProb', randProb, 'give a probability in [0, 1]');
  const maxGpObservations = o.maxGpObservations ?? 300;
  if (!(maxGpObservations >= 1)) badOption('maxGpObservations', maxGpObservations, 'give a positive number');
  const pendingStrategy = o.pendingStrategy ?? 'kriging_believer';
  if (pendingStrategy !== 'kriging_believer' && pendingStrategy !== 'constant_liar')
    unknownType('pendingStrategy', pendingStrategy, Object.values(PendingStrategy));
  const refPoint = o.refPoint ?? null;
  if (refPoint !== null) {
    if (refPoint.length !== o.numObjectives)
      badOption('refPoint', refPoint, `give one value per objective (${o.numObjectives})`);
    if (!refPoint.every(Number.isFinite))
      badOption('refPoint', refPoint, 'every entry must be a finite number');
  }

  const counts = countParams(o.space);
  const total = counts.continuous + counts.categorical + counts.other;
  const M = o.numObjectives;
  const constrained = numConstraints > 0;

  // Surrogate.
  let surrogate: SurrogateType;
  const s = o.surrogate ?? 'auto';
  switch (s) {
    case 'auto':
    case 'gp':
    case 'prf':
    case 'random':
      surrogate = s;
      break;
    case 'gp_rbf':
      surrogate = 'gp';
      notes.push("surrogate 'gp_rbf' runs as our Matérn-5/2 GP ('gp')");
      break;
    case 'random_forest':
      surrogate = 'prf';
      notes.push("surrogate 'random_forest' runs as the probabilistic random forest ('prf')");
      break;
    default:
      unknownType('surrogate', s, ['auto', 'gp', 'prf', 'random', 'gp_rbf', 'random_forest']);
  }

  // Acquisition.
  const a = o.acquisition ?? 'auto';
  const known = ['auto', 'ei', 'eic', 'ehvi', 'ehvic', 'parego', 'paregoc', 'mesmo', 'mesmoc'];
  if (!known.includes(a)) unknownType('acquisition', a, known);
  let base: 'ei' | 'ehvi' | 'parego';
  if (a === 'auto') {
    // OpenBox: 1 objective → EI; 2–4 → EHVI; > 4 → MESMO. Exact EHVI costs (k+1)^(m−1) boxes for a
    // front of k points, so we use it up to 3 objectives and ParEGO beyond.
    base = M === 1 ? 'ei' : M <= 3 ? 'ehvi' : 'parego';
    if (M === 4) notes.push("acquisition 'auto' with 4 objectives uses ParEGO where OpenBox would use EHVI");
    if (M > 4)
      notes.push(`acquisition 'auto' with ${M} objectives uses ParEGO where OpenBox would use MESMO`);
  } else if (a === 'mesmo' || a === 'mesmoc') {
    base = M === 1 ? 'ei' : M <= 3 ? 'ehvi' : 'parego';
    notes.push(`acquisition '${a}' is not implemented; using '${base}${constrained ? 'c' : ''}'`);
  } else {
    base = a.replace(/c$/, '') as 'ei' | 'ehvi' | 'parego';
    if (a.endsWith('c') && !constrained)
      notes.push(`acquisition '${a}' without constraints runs as '${base}'`);
  }
  if (base === 'ei' && M > 1)
    badOption('acquisition', a, `EI is single-objective but numObjectives = ${M}; use ehvi or parego`);
  if (base !== 'ei' && M === 1) {
    if (a === 'auto' || a === 'mesmo' || a === 'mesmoc') base = 'ei';
    else badOption('acquisition', a, 'this acquisition needs ≥ 2 objectives; use ei for one objective');
  }
  const acq = (constrained ? `${base}c` : base) as Exclude<AcquisitionType, 'auto' | 'mesmo' | 'mesmoc'>;

  // Acquisition optimiser.
  const ao = o.acqOptimizer ?? 'auto';
  let acqOptimizer: 'local_random' | 'random_scipy' | 'random';
  if (ao === 'auto') acqOptimizer = counts.categorical + counts.other === 0 ? 'random_scipy' : 'local_random';
  else if (ao === 'local_random' || ao === 'random_scipy' || ao === 'random') acqOptimizer = ao;
  else unknownType('acqOptimizer', ao, ['auto', 'local_random', 'random_scipy', 'random']);

  if (surrogate === 'auto' && total >= 100)
    notes.push(`${total} hyper-parameters: surrogate 'auto' falls back to random search (as OpenBox does)`);

  return {
    space: o.space,
    numObjectives: M,
    numConstraints,
    refPoint: refPoint === null ? null : [...refPoint],
    surrogate,
    acquisition: acq,
    acqOptimizer,
    seed: o.seed,
    initialTrials,
    randProb,
    pendingStrategy,
    maxGpObservations,
    acqOptimizerOptions: resolveAcqOptimizerOptions(o.acqOptimizerOptions),
    forest: o.forest ?? {},
    gpFit: o.gpFit ?? {},
    notes,
  };
}

/** Seed-stream tags (arbitrary constants) that keep the advisor's generators independent. */
const SUGGEST_STREAM = 0x5;
const DESIGN_STREAM = 0x1d;
const GP_STREAM = 0x6b;
/** History configurations scored as local-search starting points per suggestion. */
const MAX_START_CANDIDATES = 50;

/** Which GP fit a history of n observations uses: refits at every n ≤ 30, then when n grows by 10 %. */
export function gpCheckpoint(n: number): number {
  if (n <= 30) return n;
  let c = 30;
  for (;;) {
    const next = Math.ceil(c * 1.1);
    if (next > n) return c;
    c = next;
  }
}

/** Default GP fit effort at a checkpoint of n observations: restarts and L-BFGS iterations. */
export function gpFitEffort(n: number): { restarts: number; maxIterations: number } {
  if (n <= 50) return { restarts: 3, maxIterations: 50 };
  if (n <= 150) return { restarts: 2, maxIterations: 40 };
  return { restarts: 1, maxIterations: 30 };
}

/** sign(y)·log(1 + |y|): OpenBox's transform of constraint values before modelling them. */
function bilog(v: number): number {
  return Math.sign(v) * Math.log1p(Math.abs(v));
}

/** Model-ready view of a history prefix. */
interface TrainingData {
  readonly n: number;
  /** (n, d) */
  readonly x: Float64Array;
  /** (n, M): objectives, failed and infeasible trials at the per-objective worst observed value. */
  readonly y: Float64Array;
  /** (n, C): bilog constraints, failed trials at bilog(max(worst observed, 1)) so they count as infeasible. */
  readonly c: Float64Array;
  /** (n): 1 for a successful trial whose constraints all hold. */
  readonly feasible: Uint8Array;
  /** (n): 1 for a successful trial. */
  readonly successful: Uint8Array;
}

interface Model {
  predict(xc: Float64Array, m: number, mean: Float64Array, variance: Float64Array): void;
}

export interface ReferencePointInfo {
  readonly value: readonly number[];
  /** True when computed from observations (Pareto nadir + 10 % of the front's range) rather than given. */
  readonly inferred: boolean;
}

export class Advisor implements Optimizer {
  readonly options: ResolvedAdvisorOptions;
  readonly encoding: SpaceEncoding;
  private readonly book: TrialBook;
  private readonly initialDesign: Float64Array[];
  private dataCache: TrainingData | null = null;
  private modelCache: { n: number; models: Map<string, Model> } = { n: -1, models: new Map() };
  private readonly hyperCache = new Map<string, GpHyperParameters>();
  private lastRefPoint: ReferencePointInfo | null = null;

  constructor(options: AdvisorOptions) {
    this.options = resolveAdvisorOptions(options);
    this.encoding = new SpaceEncoding(this.options.space);
    this.book = new TrialBook(this.encoding, this.options.numObjectives, this.options.numConstraints);
    this.initialDesign = this.buildInitialDesign();
    if (this.options.refPoint !== null) this.lastRefPoint = { value: this.options.refPoint, inferred: false };
  }

  /** What actually runs at the current number of observations (the GP may have given way to the forest). */
  get resolvedTypes(): ResolvedTypes {
    const o = this.options;
    const surrogate = this.currentSurrogate();
    if (surrogate === 'random') return { surrogate, acquisition: 'none', acqOptimizer: 'none' };
    return { surrogate, acquisition: o.acquisition, acqOptimizer: o.acqOptimizer };
  }

  /** Substitutions made while resolving the options, plus the reference-point inference, if any. */
  get notes(): string[] {
    const notes = [...this.options.notes];
    if (
      this.options.surrogate === 'auto' &&
      this.currentSurrogate() === 'prf' &&
      this.autoSurrogate() === 'gp'
    ) {
      notes.push(`${this.book.history.length} observations: surrogate 'auto' switched from gp to prf`);
    }
    if (this.lastRefPoint?.inferred) {
      notes.push(
        `no refPoint given: inferred [${this.lastRefPoint.value.map((v) => v.toPrecision(4)).join(', ')}] ` +
          'from the observed Pareto front (nadir + 10 % of its range)',
      );
    }
    return notes;
  }

  /** The reference point of the last EHVI step (or the configured one), or null before any. */
  get referencePoint(): ReferencePointInfo | null {
    return this.lastRefPoint;
  }

  get numObservations(): number {
    return this.book.history.length;
  }

  get numSuccessful(): number {
    return this.book.numSuccessful;
  }

  /** Pending configurations, in the order they became pending. */
  get pending(): Configuration[] {
    return Array.from(this.book.pending.values(), (p) => p.config);
  }

  /** Observed trials in order (read-only view). */
  get history(): readonly HistoryEntry[] {
    return this.book.history;
  }

  /** Registers a configuration as running without suggesting it (rebuilding after a restart). */
  addPending(config: Configuration): void {
    this.book.addPending(config);
  }

  /** Forgets a pending configuration whose trial was cancelled. */
  release(config: Configuration): boolean {
    return this.book.release(config);
  }

  observe(observation: TrialObservation): void {
    this.book.record(observation);
  }

  suggest(k: number): Configuration[] {
    return this.suggestDetailed(k).map((s) => s.config);
  }

  /** Like `suggest`, with where each configuration came from and its acquisition value. */
  suggestDetailed(k: number): Suggestion[] {
    if (!Number.isInteger(k) || k < 0) badOption('suggest(k): k', k, 'give a non-negative integer');
    const out: Suggestion[] = [];
    for (let i = 0; i < k; i++) {
      const s = this.suggestOne();
      if (s === null) break;
      this.book.addPending(s.config);
      out.push({
        config: s.config,
        origin: s.origin,
        ...(s.value !== undefined ? { acquisitionValue: s.value } : {}),
      });
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------

  private autoSurrogate(): 'gp' | 'prf' | 'random' {
    const c = countParams(this.options.space);
    const total = c.continuous + c.categorical + c.other;
    if (total >= 100) return 'random';
    if (total >= 10) return 'prf';
    if (c.categorical > c.continuous) return 'prf';
    return 'gp';
  }

  private currentSurrogate(): 'gp' | 'prf' | 'random' {
    const s = this.options.surrogate;
    if (s !== 'auto') return s;
    const auto = this.autoSurrogate();
    // OpenBox's auto_alter_model: past a few hundred observations the GP's cubic cost is not worth it.
    if (auto === 'gp' && this.book.history.length >= this.options.maxGpObservations) return 'prf';
    return auto;
  }

  /** Default configuration + (initialTrials − 1) greedy max–min-distance picks from 100 random samples. */
  private buildInitialDesign(): Float64Array[] {
    const enc = this.encoding;
    const d = enc.nDims;
    const design: Float64Array[] = [enc.encode(defaultConfiguration(this.options.space))];
    const rng = new Rng(hashSeeds(this.options.seed, DESIGN_STREAM));
    const nSamples = 100;
    const samples = new Float64Array(nSamples * d);
    for (let i = 0; i < nSamples; i++) enc.sample(rng, samples, i * d);
    const minDist = new Float64Array(nSamples).fill(Infinity);
    const used = new Set<string>([enc.keyOfPoint(design[0])]);
    while (design.length < this.options.initialTrials) {
      const last = design[design.length - 1];
      let best = -1;
      let bestD = -1;
      for (let i = 0; i < nSamples; i++) {
        const dist = enc.distance2(samples, i * d, last, 0);
        if (dist < minDist[i]) minDist[i] = dist;
        if (minDist[i] > bestD && !used.has(enc.keyOfPoint(samples, i * d))) {
          bestD = minDist[i];
          best = i;
        }
      }
      if (best < 0) break;
      const pick = samples.slice(best * d, best * d + d);
      used.add(enc.keyOfPoint(pick));
      design.push(pick);
    }
    return design;
  }

  private suggestOne(): { config: Configuration; origin: Suggestion['origin']; value?: number } | null {
    const book = this.book;
    const enc = this.encoding;
    const o = this.options;
    const issued = book.issued;
    const rng = new Rng(hashSeeds(o.seed, issued, SUGGEST_STREAM));
    const random = (): { config: Configuration; origin: 'random' } | null => {
      const u = book.randomUnseen(rng);
      return u === null ? null : { config: enc.decode(u), origin: 'random' };
    };
    if (issued < o.initialTrials || book.numSuccessful < o.initialTrials) {
      for (let i = issued; i < this.initialDesign.length; i++) {
        const u = this.initialDesign[i];
        if (!book.isSeen(enc.keyOfPoint(u))) {
          const config = i === 0 ? defaultConfiguration(o.space) : enc.decode(u);
          return { config, origin: 'initial' };
        }
      }
      return random();
    }
    if (this.currentSurrogate() === 'random' || enc.nDims === 0) return random();
    if (rng.next() < o.randProb) return random();
    return this.modelSuggestion(rng) ?? random();
  }

  // --- data and models -----------------------------------------------------------------------------

  private trainingData(len: number): TrainingData {
    if (this.dataCache !== null && this.dataCache.n === len) return this.dataCache;
    const data = buildTrainingData(this.book.history, len, this.encoding.nDims, this.options);
    if (len === this.book.history.length) this.dataCache = data;
    return data;
  }

  /** Objective column j (or constraint column j when `constraint`) of the data. */
  private static column(data: TrainingData, j: number, width: number, constraint: boolean): Float64Array {
    const src = constraint ? data.c : data.y;
    const out = new Float64Array(data.n);
    for (let i = 0; i < data.n; i++) out[i] = src[i * width + j];
    return out;
  }

  /** The ParEGO target with equal weights, used only to fit the GP hyper-parameters at checkpoints. */
  private static paregoTarget(data: TrainingData, m: number, weights: Float64Array): Float64Array {
    const lo = new Float64Array(m).fill(Infinity);
    const hi = new Float64Array(m).fill(-Infinity);
    for (let i = 0; i < data.n; i++) {
      for (let j = 0; j < m; j++) {
        const v = data.y[i * m + j];
        if (v < lo[j]) lo[j] = v;
        if (v > hi[j]) hi[j] = v;
      }
    }
    const s = new Float64Array(data.n);
    augmentedTchebycheff(data.y, data.n, m, weights, lo, hi, s);
    return s;
  }

  /**
   * GP hyper-parameters for a target, fitted on the history prefix of the current checkpoint length.
   * `target` is 'o<j>', 'c<j>' or 'parego'.
   */
  private gpHyper(target: string, n: number): GpHyperParameters {
    const c = gpCheckpoint(n);
    const cacheKey = `${target}@${c}`;
    const cached = this.hyperCache.get(cacheKey);
    if (cached) return cached;
    const o = this.options;
    const data = this.trainingData(c);
    const M = o.numObjectives;
    let y: Float64Array;
    if (target === 'parego') y = Advisor.paregoTarget(data, M, new Float64Array(M).fill(1 / M));
    else if (target.startsWith('o')) y = Advisor.column(data, Number(target.slice(1)), M, false);
    else y = Advisor.column(data, Number(target.slice(1)), o.numConstraints, true);
    const effort = gpFitEffort(c);
    const gp = GaussianProcess.fit(data.x, data.n, this.encoding.nDims, y, {
      categorical: this.encoding.categorical,
      restarts: o.gpFit.restarts ?? effort.restarts,
      maxIterations: o.gpFit.maxIterations ?? effort.maxIterations,
      rng: new Rng(hashSeeds(o.seed, c, hashTarget(target), GP_STREAM)),
    });
    // Only the latest checkpoint is ever needed again.
    for (const k of this.hyperCache.keys()) if (k.startsWith(`${target}@`)) this.hyperCache.delete(k);
    this.hyperCache.set(cacheKey, gp.hyper);
    return gp.hyper;
  }

  private fitModel(target: string, data: TrainingData, y: Float64Array): Model {
    const enc = this.encoding;
    if (this.currentSurrogate() === 'gp') {
      return GaussianProcess.fit(data.x, data.n, enc.nDims, y, {
        categorical: enc.categorical,
        hyperParameters: this.gpHyper(target, data.n),
      });
    }
    return RandomForest.fit(
      data.x,
      data.n,
      enc.nDims,
      y,
      new Rng(hashSeeds(this.options.seed, data.n, hashTarget(target))),
      {
        ...this.options.forest,
        categorical: enc.categorical,
      },
    );
  }

  /** Base (unconditioned) model of a target on the full history; cached while the history is unchanged. */
  private baseModel(target: string, data: TrainingData, y: Float64Array): Model {
    if (this.modelCache.n !== data.n) this.modelCache = { n: data.n, models: new Map() };
    let m = this.modelCache.models.get(target);
    if (!m) {
      m = this.fitModel(target, data, y);
      this.modelCache.models.set(target, m);
    }
    return m;
  }

  /**
   * The model with pending points added as fantasies: values are the base model's means (kriging
   * believer) or `worst` (constant liar). GPs are conditioned incrementally with the same
   * hyper-parameters; forests are refitted on the augmented data with the same seed.
   * Returns the conditioned model and the fantasy values.
   */
  private conditioned(
    target: string,
    base: Model,
    data: TrainingData,
    y: Float64Array,
    pendingX: Float64Array,
    p: number,
    worst: number,
  ): { model: Model; fantasies: Float64Array } {
    const fantasies = new Float64Array(p);
    if (p === 0) return { model: base, fantasies };
    if (this.options.pendingStrategy === 'constant_liar') fantasies.fill(worst);
    else base.predict(pendingX, p, fantasies, new Float64Array(p));
    if (base instanceof GaussianProcess)
      return { model: base.withObservations(pendingX, p, fantasies), fantasies };
    const d = this.encoding.nDims;
    const x = new Float64Array((data.n + p) * d);
    x.set(data.x.subarray(0, data.n * d));
    x.set(pendingX.subarray(0, p * d), data.n * d);
    const yy = new Float64Array(data.n + p);
    yy.set(y.subarray(0, data.n));
    yy.set(fantasies, data.n);
    const model = RandomForest.fit(
      x,
      data.n + p,
      d,
      yy,
      new Rng(hashSeeds(this.options.seed, data.n, hashTarget(target))),
      {
        ...this.options.forest,
        categorical: this.encoding.categorical,
      },
    );
    return { model, fantasies };
  }

  // --- model-based suggestion ----------------------------------------------------------------------

  private modelSuggestion(rng: Rng): { config: Configuration; origin: 'model'; value: number } | null {
    const o = this.options;
    const enc = this.encoding;
    const d = enc.nDims;
    const M = o.numObjectives;
    const C = o.numConstraints;
    const data = this.trainingData(this.book.history.length);
    const pend = Array.from(this.book.pending.values());
    const p = pend.length;
    const pendingX = new Float64Array(p * d);
    pend.forEach((e, i) => pendingX.set(e.x, i * d));

    // Constraint models (shared by every acquisition).
    const conModels: Model[] = [];
    for (let j = 0; j < C; j++) {
      const y = Advisor.column(data, j, C, true);
      const base = this.baseModel(`c${j}`, data, y);
      conModels.push(this.conditioned(`c${j}`, base, data, y, pendingX, p, max(y)).model);
    }

    let acquisition: (points: Float64Array, m: number, out: Float64Array) => void;
    const scratch = new Scratch();
    const base = o.acquisition.replace(/c$/, '');
    if (base === 'parego' || base === 'ei') {
      let y: Float64Array;
      let target: string;
      let baseModel: Model;
      if (base === 'parego') {
        const weights = randomSimplexWeights(rng, M);
        y = Advisor.paregoTarget(data, M, weights);
        target = 'parego';
        // The scalarisation changes every suggestion, so this model is not cached.
        baseModel = this.fitModel(target, data, y);
      } else {
        y = Advisor.column(data, 0, 1, false);
        target = 'o0';
        baseModel = this.baseModel(target, data, y);
      }
      const model = this.conditioned(target, baseModel, data, y, pendingX, p, max(y)).model;
      let best = Infinity;
      for (let i = 0; i < data.n; i++) if (data.feasible[i] === 1 && y[i] < best) best = y[i];
      const anyFeasible = Number.isFinite(best);
      acquisition = (pts, m, out) => {
        const { mean, vari } = scratch.get(m, 1);
        model.predict(pts, m, mean, vari);
        for (let i = 0; i < m; i++) {
          // With no feasible trial yet, there is no incumbent: search for feasibility alone.
          out[i] = anyFeasible ? expectedImprovement(mean[i], Math.sqrt(vari[i]), best) : 1;
        }
        this.multiplyPoF(conModels, pts, m, out, scratch);
      };
    } else {
      // EHVI.
      const models: Model[] = [];
      const fantasyY = new Float64Array(p * M);
      for (let j = 0; j < M; j++) {
        const y = Advisor.column(data, j, M, false);
        const b = this.baseModel(`o${j}`, data, y);
        const { model, fantasies } = this.conditioned(`o${j}`, b, data, y, pendingX, p, max(y));
        models.push(model);
        for (let i = 0; i < p; i++) fantasyY[i * M + j] = fantasies[i];
      }
      const ref = this.referencePointFor(data);
      // Front: feasible observations plus the fantasies of pending trials (believed as observed).
      const rows: number[] = [];
      for (let i = 0; i < data.n; i++) if (data.feasible[i] === 1) rows.push(i);
      const pts = new Float64Array((rows.length + p) * M);
      rows.forEach((i, r) => pts.set(data.y.subarray(i * M, i * M + M), r * M));
      pts.set(fantasyY, rows.length * M);
      const nPts = rows.length + p;
      const frontIdx = paretoFrontIndices(pts, nPts, M);
      const front = new Float64Array(frontIdx.length * M);
      frontIdx.forEach((i, r) => front.set(pts.subarray(i * M, i * M + M), r * M));
      const ehvi = new Ehvi(front, frontIdx.length, M, ref);
      acquisition = (pts2, m, out) => {
        const { mean, vari, mu, sd } = scratch.get(m, M);
        for (let j = 0; j < M; j++) {
          models[j].predict(pts2, m, mean, vari);
          for (let i = 0; i < m; i++) {
            mu[i * M + j] = mean[i];
            sd[i * M + j] = Math.sqrt(vari[i]);
          }
        }
        for (let i = 0; i < m; i++) out[i] = ehvi.value(mu, sd, i * M);
        this.multiplyPoF(conModels, pts2, m, out, scratch);
      };
    }

    // Local searches may start from the best observed configurations (lowest non-dominated rank, as
    // SMAC starts from its incumbents); at most MAX_START_CANDIDATES of them are scored.
    const startRows = this.bestRows(data, MAX_START_CANDIDATES);
    const starts = new Float64Array(startRows.length * d);
    startRows.forEach((i, r) => starts.set(data.x.subarray(i * d, i * d + d), r * d));
    const pool = maximizeAcquisition(
      o.acqOptimizer,
      enc,
      acquisition,
      rng,
      starts,
      startRows.length,
      o.acqOptimizerOptions,
    );
    for (let r = 0; r < pool.count; r++) {
      const row = pool.order[r];
      const key = enc.keyOfPoint(pool.points, row * d);
      if (this.book.isSeen(key)) continue;
      return { config: enc.decode(pool.points, row * d), origin: 'model', value: pool.values[row] };
    }
    return null;
  }

  /**
   * Up to `k` history rows, best first: feasible before infeasible/failed, then by non-dominated rank of
   * the objectives, then by position.
   */
  private bestRows(data: TrainingData, k: number): number[] {
    const M = this.options.numObjectives;
    const rank = nonDominatedSort(data.y, data.n, M);
    const rows = Array.from({ length: data.n }, (_, i) => i);
    rows.sort((a, b) => data.feasible[b] - data.feasible[a] || rank[a] - rank[b] || a - b);
    return rows.slice(0, k);
  }

  private multiplyPoF(
    models: Model[],
    pts: Float64Array,
    m: number,
    out: Float64Array,
    scratch: Scratch,
  ): void {
    if (models.length === 0) return;
    const { mean, vari } = scratch.get(m, 1);
    for (const model of models) {
      model.predict(pts, m, mean, vari);
      for (let i = 0; i < m; i++) out[i] *= probabilityOfFeasibility(mean[i], Math.sqrt(vari[i]));
    }
  }

  /**
   * The configured reference point, or one inferred from the successful observations: the nadir of their
   * Pareto front plus 10 % of the front's range per objective (10 % of |nadir|, or 0.1, when the range is 0).
   */
  private referencePointFor(data: TrainingData): Float64Array {
    const o = this.options;
    const M = o.numObjectives;
    if (o.refPoint !== null) return Float64Array.from(o.refPoint);
    const rows: number[] = [];
    for (let i = 0; i < data.n; i++) if (data.successful[i] === 1) rows.push(i);
    const pts = new Float64Array(rows.length * M);
    rows.forEach((i, r) => pts.set(data.y.subarray(i * M, i * M + M), r * M));
    const front = paretoFrontIndices(pts, rows.length, M);
    const ref = new Float64Array(M);
    for (let j = 0; j < M; j++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const i of front) {
        const v = pts[i * M + j];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const range = hi - lo;
      ref[j] = hi + (range > 0 ? 0.1 * range : Math.abs(hi) > 0 ? 0.1 * Math.abs(hi) : 0.1);
    }
    this.lastRefPoint = { value: Array.from(ref), inferred: true };
    return ref;
  }
}

/** Prediction buffers reused by every acquisition call of one suggestion (grown on demand). */
class Scratch {
  private bufs = {
    mean: new Float64Array(0),
    vari: new Float64Array(0),
    mu: new Float64Array(0),
    sd: new Float64Array(0),
  };
  get(
    m: number,
    width: number,
  ): { mean: Float64Array; vari: Float64Array; mu: Float64Array; sd: Float64Array } {
    const b = this.bufs;
    if (b.mean.length < m || b.mu.length < m * width) {
      const cap = Math.max(m, 2 * b.mean.length);
      this.bufs = {
        mean: new Float64Array(cap),
        vari: new Float64Array(cap),
        mu: new Float64Array(cap * width),
        sd: new Float64Array(cap * width),
      };
    }
    return this.bufs;
  }
}

function max(a: Float64Array): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

/** Stable small integer for a model target name (part of the seeds). */
function hashTarget(target: string): number {
  let h = 7;
  for (let i = 0; i < target.length; i++) h = (h * 31 + target.charCodeAt(i)) >>> 0;
  return h;
}

function buildTrainingData(
  history: readonly HistoryEntry[],
  len: number,
  d: number,
  o: ResolvedAdvisorOptions,
): TrainingData {
  const M = o.numObjectives;
  const C = o.numConstraints;
  const n = len;
  const x = new Float64Array(n * d);
  const y = new Float64Array(n * M);
  const c = new Float64Array(n * C);
  const feasible = new Uint8Array(n);
  const successful = new Uint8Array(n);
  const worstY = new Float64Array(M).fill(-Infinity);
  const worstC = new Float64Array(C).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    const h = history[i];
    if (h.failed || h.objectives === null || h.constraints === null) continue;
    for (let j = 0; j < M; j++) if (h.objectives[j] > worstY[j]) worstY[j] = h.objectives[j];
    for (let j = 0; j < C; j++) if (h.constraints[j] > worstC[j]) worstC[j] = h.constraints[j];
  }
  // With no success in the prefix (cannot happen once BO runs), fall back to neutral values.
  for (let j = 0; j < M; j++) if (!Number.isFinite(worstY[j])) worstY[j] = 0;
  for (let j = 0; j < C; j++) worstC[j] = bilog(Math.max(Number.isFinite(worstC[j]) ? worstC[j] : 1, 1));
  for (let i = 0; i < n; i++) {
    const h = history[i];
    x.set(h.x, i * d);
    if (h.failed || h.objectives === null || h.constraints === null) {
      for (let j = 0; j < M; j++) y[i * M + j] = worstY[j];
      for (let j = 0; j < C; j++) c[i * C + j] = worstC[j];
      continue;
    }
    successful[i] = 1;
    let ok = true;
    for (let j = 0; j < C; j++) {
      c[i * C + j] = bilog(h.constraints[j]);
      if (h.constraints[j] > 0) ok = false;
    }
    feasible[i] = ok ? 1 : 0;
    for (let j = 0; j < M; j++) y[i * M + j] = ok ? h.objectives[j] : worstY[j];
  }
  return { n, x, y, c, feasible, successful };
}
