/**
 * Book-keeping shared by the optimizers: the ordered history of observed trials, the pending set, identity
 * of configurations, validation of observations, and drawing configurations nobody has seen yet.
 */
import type { Configuration, Rng } from '@virnyflow/core';
import { validateConfiguration } from '@virnyflow/core';
import type { SpaceEncoding } from './encoding';
import { OptimizerErrorCode, optimizerError } from './errors';
import type { TrialObservation } from './optimizer';

export interface HistoryEntry {
  readonly config: Configuration;
  readonly key: string;
  /** Unit-cube encoding (nDims). */
  readonly x: Float64Array;
  /** (numObjectives), null when failed. */
  readonly objectives: Float64Array | null;
  /** (numConstraints), null when failed. */
  readonly constraints: Float64Array | null;
  readonly failed: boolean;
}

export interface PendingEntry {
  readonly config: Configuration;
  readonly x: Float64Array;
}

/** Random draws tried before falling back to enumerating a finite space. */
const RANDOM_ATTEMPTS = 100;
/** Finite spaces up to this size are enumerated to find an unseen configuration. */
const MAX_ENUMERATION = 1_000_000;

export class TrialBook {
  readonly history: HistoryEntry[] = [];
  /** Pending configurations by key, in the order they became pending. */
  readonly pending = new Map<string, PendingEntry>();
  private readonly observedKeys = new Set<string>();
  private successful = 0;

  constructor(
    readonly enc: SpaceEncoding,
    readonly numObjectives: number,
    readonly numConstraints: number,
  ) {}

  get numSuccessful(): number {
    return this.successful;
  }

  /** Suggestions handed out so far that are observed or still pending. */
  get issued(): number {
    return this.history.length + this.pending.size;
  }

  isSeen(key: string): boolean {
    return this.observedKeys.has(key) || this.pending.has(key);
  }

  /**
   * Marks a configuration as pending. Its encoding is always recomputed from the configuration (never
   * taken from the candidate point it was decoded from), so the models see the same numbers whether a
   * trial was suggested here or replayed from a store.
   */
  addPending(config: Configuration): void {
    validateConfiguration(this.enc.space, config);
    const key = this.enc.key(config);
    if (this.pending.has(key)) return;
    this.pending.set(key, { config, x: this.enc.encode(config) });
  }

  /** Drops a pending configuration (a cancelled task) without observing it. Returns whether it was pending. */
  release(config: Configuration): boolean {
    return this.pending.delete(this.enc.key(config));
  }

  /** Validates and records an observation; see the `Optimizer` contract for failed trials. */
  record(o: TrialObservation): HistoryEntry {
    validateConfiguration(this.enc.space, o.config);
    let failed = o.failed === true;
    let objectives: Float64Array | null = null;
    let constraints: Float64Array | null = null;
    if (!failed) {
      const obj = o.objectives;
      if (obj === undefined || obj.length !== this.numObjectives) {
        throw optimizerError(
          OptimizerErrorCode.BadObservation,
          `observation.objectives has ${obj === undefined ? 'no' : obj.length} values but the optimizer has ` +
            `numObjectives = ${this.numObjectives}; pass one value per objective or set failed: true`,
          { expected: this.numObjectives, got: obj?.length ?? null },
        );
      }
      const con = o.constraints ?? [];
      if (con.length !== this.numConstraints) {
        throw optimizerError(
          OptimizerErrorCode.BadObservation,
          `observation.constraints has ${con.length} values but the optimizer has numConstraints = ` +
            `${this.numConstraints}; pass one value per constraint or set failed: true`,
          { expected: this.numConstraints, got: con.length },
        );
      }
      objectives = Float64Array.from(obj);
      constraints = Float64Array.from(con);
      // NaN/±∞ anywhere makes the trial failed (SPEC §13.6) instead of poisoning the models.
      if (!objectives.every(Number.isFinite) || !constraints.every(Number.isFinite)) failed = true;
    }
    if (failed) {
      objectives = null;
      constraints = null;
    }
    const key = this.enc.key(o.config);
    const pend = this.pending.get(key);
    this.pending.delete(key);
    const entry: HistoryEntry = {
      config: o.config,
      key,
      x: pend?.x ?? this.enc.encode(o.config),
      objectives,
      constraints,
      failed,
    };
    this.history.push(entry);
    this.observedKeys.add(key);
    if (!failed) this.successful++;
    return entry;
  }

  /**
   * A canonical point of a configuration nobody has seen (observed or pending), or null when the space is
   * exhausted. Random draws first; a finite space is then enumerated from a random offset.
   */
  randomUnseen(rng: Rng): Float64Array | null {
    const enc = this.enc;
    const u = new Float64Array(enc.nDims);
    for (let a = 0; a < RANDOM_ATTEMPTS; a++) {
      enc.sample(rng, u);
      if (!this.isSeen(enc.keyOfPoint(u))) return u;
    }
    const card = enc.cardinality;
    if (!Number.isFinite(card) || card > MAX_ENUMERATION) return null;
    let distinct = this.observedKeys.size;
    for (const k of this.pending.keys()) if (!this.observedKeys.has(k)) distinct++;
    if (distinct >= card) return null;
    const start = rng.nextInt(card);
    for (let t = 0; t < card; t++) {
      enc.pointAt((start + t) % card, u);
      if (!this.isSeen(enc.keyOfPoint(u))) return u;
    }
    return null;
  }
}
