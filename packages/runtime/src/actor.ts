/**
 * The actor contract: what an actor is, how it is addressed and supervised, and what it reports.
 *
 * An actor owns private state and a mailbox. Messages are processed strictly one at a time and in the
 * order they were accepted, even when `receive` is async: the next message starts only after the
 * previous one's promise settled. So actor state needs no locks — but an actor that awaits a reply
 * from itself (`ctx.self.ask`) inside `receive` waits until its ask times out.
 *
 * Lifecycle (`ActorState`):
 *   starting ──preStart ok──▶ running ──stop(drain)──▶ draining ──mailbox empty──▶ stopped
 *       ▲                      │  │                        │
 *       └──restart (back-off)──┘  └──stop(immediate)──────┴──────────────────────▶ stopped
 *   any non-terminal state ──escalate / failure while draining──▶ failed
 * `stopped` and `failed` are terminal; the name is free again once an actor reaches one of them.
 * A restart goes back to `starting`: the old instance's `postStop` runs, its children are stopped, the
 * factory builds a fresh instance after the back-off delay, and the mailbox (minus the message that
 * failed) is kept.
 */
import type { SerializedFailure } from '@virnyflow/core';

export const ActorState = {
  Starting: 'starting',
  Running: 'running',
  Draining: 'draining',
  Stopped: 'stopped',
  Failed: 'failed',
} as const;
export type ActorState = (typeof ActorState)[keyof typeof ActorState];

/** `drain`: stop accepting, process what is queued, then stop. `immediate`: finish the current message only. */
export const StopMode = { Drain: 'drain', Immediate: 'immediate' } as const;
export type StopMode = (typeof StopMode)[keyof typeof StopMode];

/**
 * What happens when `receive` or `preStart` throws.
 * - `restart`: build a fresh instance after an exponential back-off
 *   (`initialDelayMs * factor^(n-1)` for the n-th restart inside the window, capped at `maxDelayMs`).
 *   More than `maxRestarts` restarts within `withinMs` escalates instead.
 * - `escalate`: the actor becomes `failed` and the failure goes to the parent, which treats it as its own
 *   failure (and applies its own strategy); for a top-level actor it goes to the system
 *   (`ActorSystemOptions.onEscalation` and an `escalated` event).
 */
export type SupervisionStrategy =
  | {
      type: 'restart';
      /** Restarts allowed inside the window before escalating. Default 3. */
      maxRestarts?: number;
      /** Sliding window for counting restarts, in ms. Default 60 000. */
      withinMs?: number;
      /** First back-off delay, in ms. Default 100. */
      initialDelayMs?: number;
      /** Cap of the back-off delay, in ms. Default 10 000. */
      maxDelayMs?: number;
      /** Growth of the delay per restart inside the window. Default 2. */
      factor?: number;
    }
  | { type: 'escalate' };

export const SupervisionDirective = { Restart: 'restart', Escalate: 'escalate', Stop: 'stop' } as const;
export type SupervisionDirective = (typeof SupervisionDirective)[keyof typeof SupervisionDirective];

/**
 * An actor instance. `receive`'s return value (or resolved value) is the reply to `ask`; a throw rejects
 * that ask with the thrown error and is then handled by supervision. Hooks may be async.
 */
export interface Behavior<M, R> {
  /** Runs before the first message of each instance (first start and every restart). */
  preStart?(): void | Promise<void>;
  receive(message: M): R | Promise<R>;
  /** Runs once when the instance is discarded (stop, restart, failure); errors are reported, not rethrown. */
  postStop?(): void | Promise<void>;
}

/** Builds a fresh instance; called on start and on every restart, so state lives in its closure. */
export type BehaviorFactory<M, R> = (ctx: ActorContext<M, R>) => Behavior<M, R>;

export interface SpawnOptions {
  /** Default: `{ type: 'restart' }` with the defaults documented on `SupervisionStrategy`. */
  supervision?: SupervisionStrategy;
}

export interface AskOptions {
  /** Reject with `VF_RUNTIME_ASK_TIMEOUT` after this many ms. Default: the system's `defaultAskTimeoutMs`. */
  timeoutMs?: number;
}

export interface StopOptions {
  /** Default `drain`. */
  mode?: StopMode;
}

/**
 * Address of an actor. Refs are cheap handles: holding one does not keep the actor alive, and a ref to a
 * stopped actor stays valid (telling it emits a `dead-letter` event, asking it rejects).
 */
export interface ActorRef<M, R = void> {
  readonly name: string;
  /** `parent/child` path, unique within the system while the actor is alive. */
  readonly path: string;
  readonly state: ActorState;
  /** Fire-and-forget. Never throws; a message to a draining/stopped/failed actor becomes a `dead-letter` event. */
  tell(message: M): void;
  /**
   * Sends and waits for the reply. Rejects with the handler's error if `receive` threw, with
   * `VF_RUNTIME_ACTOR_STOPPED` if the actor is not accepting messages or stopped before processing it, and
   * with `VF_RUNTIME_ASK_TIMEOUT` after the timeout (the message is still processed later; its reply is
   * dropped).
   */
  ask(message: M, options?: AskOptions): Promise<R>;
  /** This actor's events from now on (see `ActorEvent`). */
  events(): AsyncIterableIterator<ActorEvent>;
  /** Stops the actor and its children; resolves once it is terminal. Idempotent. */
  stop(options?: StopOptions): Promise<void>;
}

export interface ActorContext<M, R> {
  readonly self: ActorRef<M, R>;
  readonly path: string;
  /** How many times this actor has been restarted so far (0 for the first instance). */
  readonly restarts: number;
  /** Spawns a child; its failures escalate to this actor, and it is stopped with this actor. */
  spawn<CM, CR = void>(
    name: string,
    factory: BehaviorFactory<CM, CR>,
    options?: SpawnOptions,
  ): ActorRef<CM, CR>;
}

/** Status events, consumed as async iterators (`ActorSystem.events()`, `ActorRef.events()`). */
export type ActorEvent =
  | { type: 'transition'; actor: string; from: ActorState | null; to: ActorState }
  | {
      type: 'failure';
      actor: string;
      failure: SerializedFailure;
      /** The thrown value, as is (not serialised). */
      error: unknown;
      /** `stop`: the failure happened while draining or in `postStop`, so no restart. */
      directive: SupervisionDirective;
    }
  | { type: 'restart'; actor: string; attempt: number; delayMs: number }
  | { type: 'escalated'; actor: string; to: string | null; failure: SerializedFailure; error: unknown }
  | { type: 'dead-letter'; actor: string; message: unknown };

export interface EscalationInfo {
  actor: string;
  failure: SerializedFailure;
  error: unknown;
}
