import { toFailure } from '@virnyflow/core';
import type {
  ActorContext,
  ActorEvent,
  ActorRef,
  AskOptions,
  Behavior,
  BehaviorFactory,
  EscalationInfo,
  SpawnOptions,
  StopOptions,
  SupervisionStrategy,
} from './actor';
import { ActorState, StopMode, SupervisionDirective } from './actor';
import { RuntimeErrorCode, checkInt, checkNumber, runtimeError } from './errors';
import { EventHub } from './event-hub';

export interface ActorSystemOptions {
  /** Used in error messages only. */
  name?: string;
  /** Default timeout of `ask`, in ms. Default 30 000. */
  defaultAskTimeoutMs?: number;
  /** Called when a top-level actor escalates a failure (in addition to the `escalated` event). */
  onEscalation?: (info: EscalationInfo) => void;
}

interface ResolvedRestart {
  type: 'restart';
  maxRestarts: number;
  withinMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
}
type ResolvedSupervision = ResolvedRestart | { type: 'escalate' };

function resolveSupervision(s: SupervisionStrategy | undefined): ResolvedSupervision {
  if (s === undefined) s = { type: 'restart' };
  if (s.type === 'escalate') return { type: 'escalate' };
  if (s.type !== 'restart') {
    throw runtimeError(
      RuntimeErrorCode.InvalidOption,
      `supervision.type: ${JSON.stringify((s as { type: unknown }).type)} is not a strategy. Use 'restart' or 'escalate'.`,
    );
  }
  return {
    type: 'restart',
    maxRestarts: checkInt('supervision.maxRestarts', s.maxRestarts ?? 3, 0),
    withinMs: checkNumber('supervision.withinMs', s.withinMs ?? 60_000, 0),
    initialDelayMs: checkNumber('supervision.initialDelayMs', s.initialDelayMs ?? 100, 0),
    maxDelayMs: checkNumber('supervision.maxDelayMs', s.maxDelayMs ?? 10_000, 0),
    factor: checkNumber('supervision.factor', s.factor ?? 2, 1),
  };
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !/^[^/\s]+$/.test(name)) {
    throw runtimeError(
      RuntimeErrorCode.InvalidOption,
      `actor name: ${JSON.stringify(name)} is not valid. Use a non-empty name without '/' or whitespace.`,
      { details: { field: 'name', value: name } },
    );
  }
}

/**
 * Runs actors (see `actor.ts` for the contract). Every piece of state lives on the instance, so any number
 * of systems can coexist in one process without seeing each other.
 */
export class ActorSystem {
  readonly name: string;
  /** @internal */ readonly hub = new EventHub<ActorEvent>();
  /** @internal */ readonly topLevel = new Map<string, ActorCell<unknown, unknown>>();
  /** @internal */ readonly defaultAskTimeoutMs: number;
  /** @internal */ readonly onEscalation: ((info: EscalationInfo) => void) | undefined;
  #shutdown = false;

  constructor(options: ActorSystemOptions = {}) {
    this.name = options.name ?? 'actors';
    this.defaultAskTimeoutMs = checkNumber('defaultAskTimeoutMs', options.defaultAskTimeoutMs ?? 30_000, 0);
    this.onEscalation = options.onEscalation;
  }

  /** Spawns a top-level actor. It starts asynchronously; messages sent meanwhile are queued. */
  spawn<M, R = void>(
    name: string,
    factory: BehaviorFactory<M, R>,
    options: SpawnOptions = {},
  ): ActorRef<M, R> {
    return this.spawnCell(null, name, factory, options).ref;
  }

  /** Same as `ref.stop(options)`. */
  stop(ref: ActorRef<never, unknown>, options: StopOptions = {}): Promise<void> {
    return ref.stop(options);
  }

  /** Events of every actor in this system, from now on. */
  events(): AsyncIterableIterator<ActorEvent> {
    return this.hub.subscribe();
  }

  /** The live actor at `path` (`a/b/c`), if any. */
  lookup(path: string): ActorRef<unknown, unknown> | undefined {
    const parts = path.split('/');
    let cell = this.topLevel.get(parts[0]);
    for (let i = 1; cell !== undefined && i < parts.length; i++) cell = cell.children.get(parts[i]);
    return cell?.ref;
  }

  /** Stops every actor (children with their parents), then ends all event iterators. Idempotent. */
  async shutdown(options: StopOptions = {}): Promise<void> {
    this.#shutdown = true;
    await Promise.all([...this.topLevel.values()].map((c) => c.requestStop(options.mode ?? StopMode.Drain)));
    this.hub.close();
  }

  /** @internal */
  spawnCell<M, R>(
    parent: ActorCell<unknown, unknown> | null,
    name: string,
    factory: BehaviorFactory<M, R>,
    options: SpawnOptions,
  ): ActorCell<M, R> {
    if (this.#shutdown) {
      throw runtimeError(
        RuntimeErrorCode.SystemShutdown,
        `spawn(${JSON.stringify(name)}): the actor system is shut down.`,
      );
    }
    checkName(name);
    const siblings = parent === null ? this.topLevel : parent.children;
    if (siblings.has(name)) {
      const path = parent === null ? name : `${parent.path}/${name}`;
      throw runtimeError(
        RuntimeErrorCode.ActorNameTaken,
        `spawn: an actor named ${JSON.stringify(path)} is already alive. Stop it first or pick another name.`,
        { details: { path } },
      );
    }
    const cell = new ActorCell<M, R>(this, parent, name, factory, resolveSupervision(options.supervision));
    siblings.set(name, cell as unknown as ActorCell<unknown, unknown>);
    cell.begin();
    return cell;
  }
}

interface Reply<R> {
  resolve(value: R): void;
  reject(error: unknown): void;
}

interface Envelope<M, R> {
  message: M;
  reply: Reply<R> | null;
}

type SystemMessage =
  | { kind: 'start' }
  | { kind: 'stop'; mode: StopMode; done: () => void }
  | { kind: 'child-failed'; error: unknown };

/** FIFO with amortised O(1) shift. */
class Queue<T> {
  #items: T[] = [];
  #head = 0;
  get length(): number {
    return this.#items.length - this.#head;
  }
  push(item: T): void {
    this.#items.push(item);
  }
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined as T;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
  drain(): T[] {
    const rest = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return rest;
  }
}

/**
 * One actor's runtime state. Every state change happens inside `drive()`, which runs at most once at a time
 * per cell; external requests (start, stop, child failure, restart timer) are queued as system messages,
 * which take priority over the mailbox but never interrupt a message being processed.
 * @internal
 */
class ActorCell<M, R> {
  readonly path: string;
  readonly ref: ActorRef<M, R>;
  readonly children = new Map<string, ActorCell<unknown, unknown>>();
  state: ActorState = ActorState.Starting;
  restarts = 0;

  readonly #mailbox = new Queue<Envelope<M, R>>();
  readonly #system: SystemMessage[] = [];
  #behavior: Behavior<M, R> | null = null;
  #driving = false;
  #terminating = false;
  #restartTimer: ReturnType<typeof setTimeout> | null = null;
  /** performance.now() of restarts inside the supervision window. */
  #restartTimes: number[] = [];
  readonly #stopWaiters: Array<() => void> = [];
  readonly #ctx: ActorContext<M, R>;

  constructor(
    readonly sys: ActorSystem,
    readonly parent: ActorCell<unknown, unknown> | null,
    readonly name: string,
    readonly factory: BehaviorFactory<M, R>,
    readonly supervision: ResolvedSupervision,
  ) {
    this.path = parent === null ? name : `${parent.path}/${name}`;
    this.ref = new ActorRefImpl<M, R>(this);
    this.#ctx = new CellContext<M, R>(this);
  }

  begin(): void {
    this.#emit({ type: 'transition', actor: this.path, from: null, to: ActorState.Starting });
    this.#enqueueSystem({ kind: 'start' });
  }

  get accepting(): boolean {
    return !this.#terminating && (this.state === ActorState.Starting || this.state === ActorState.Running);
  }

  tell(message: M): void {
    if (!this.accepting) {
      this.#emit({ type: 'dead-letter', actor: this.path, message });
      return;
    }
    this.#mailbox.push({ message, reply: null });
    this.#schedule();
  }

  ask(message: M, options: AskOptions): Promise<R> {
    if (!this.accepting) return Promise.reject(this.#stoppedError());
    let timeoutMs: number;
    try {
      timeoutMs = checkNumber('ask.timeoutMs', options.timeoutMs ?? this.sys.defaultAskTimeoutMs, 0);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<R>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(
          runtimeError(
            RuntimeErrorCode.AskTimeout,
            `ask to actor ${JSON.stringify(this.path)} got no reply within ${timeoutMs} ms. ` +
              `Raise ask({ timeoutMs }) or check that the actor is not blocked.`,
            { retryable: true, details: { actor: this.path, timeoutMs } },
          ),
        );
      }, timeoutMs);
      const reply: Reply<R> = {
        resolve: (v) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(e);
        },
      };
      this.#mailbox.push({ message, reply });
      this.#schedule();
    });
  }

  requestStop(mode: StopMode): Promise<void> {
    if (this.state === ActorState.Stopped || this.state === ActorState.Failed) return Promise.resolve();
    return new Promise<void>((done) => this.#enqueueSystem({ kind: 'stop', mode, done }));
  }

  childFailed(error: unknown): void {
    this.#enqueueSystem({ kind: 'child-failed', error });
  }

  #enqueueSystem(msg: SystemMessage): void {
    this.#system.push(msg);
    this.#schedule();
  }

  #schedule(): void {
    if (!this.#driving) void this.#drive();
  }

  async #drive(): Promise<void> {
    this.#driving = true;
    try {
      for (;;) {
        const sys = this.#system.shift();
        if (sys !== undefined) {
          await this.#handleSystem(sys);
          continue;
        }
        if (this.#terminating) break;
        if (this.state === ActorState.Running || this.state === ActorState.Draining) {
          const env = this.#mailbox.shift();
          if (env !== undefined) {
            await this.#process(env);
            continue;
          }
          if (this.state === ActorState.Draining) {
            await this.#terminate(ActorState.Stopped, StopMode.Drain);
            continue;
          }
        }
        break;
      }
    } finally {
      this.#driving = false;
    }
  }

  async #handleSystem(msg: SystemMessage): Promise<void> {
    const terminal = this.state === ActorState.Stopped || this.state === ActorState.Failed;
    switch (msg.kind) {
      case 'start':
        if (terminal || this.#terminating || this.state !== ActorState.Starting) return;
        if (await this.#startInstance()) this.#transition(ActorState.Running);
        return;
      case 'stop':
        if (terminal) {
          msg.done();
          return;
        }
        this.#stopWaiters.push(msg.done);
        if (this.#terminating) return;
        if (msg.mode === StopMode.Immediate) {
          await this.#terminate(ActorState.Stopped, StopMode.Immediate);
          return;
        }
        if (this.state === ActorState.Starting) {
          // Waiting for its first start or a restart: start now so the queued messages can be drained.
          this.#clearRestartTimer();
          if (!(await this.#startInstance(true))) return;
        }
        if (this.state !== ActorState.Draining) this.#transition(ActorState.Draining);
        return;
      case 'child-failed':
        if (terminal || this.#terminating) return;
        await this.#fail(msg.error);
        return;
    }
  }

  /** Builds and pre-starts an instance. On failure applies supervision (or fails outright while stopping). */
  async #startInstance(stopping = false): Promise<boolean> {
    try {
      this.#behavior = this.factory(this.#ctx);
      await this.#behavior.preStart?.();
      return true;
    } catch (error) {
      if (stopping) {
        this.#emitFailure(error, SupervisionDirective.Stop);
        await this.#terminate(ActorState.Failed, StopMode.Immediate);
      } else {
        await this.#fail(error);
      }
      return false;
    }
  }

  async #process(env: Envelope<M, R>): Promise<void> {
    try {
      const result = await (this.#behavior as Behavior<M, R>).receive(env.message);
      env.reply?.resolve(result);
    } catch (error) {
      env.reply?.reject(error);
      await this.#fail(error);
    }
  }

  /** Applies the supervision strategy to a failure of this actor (its own, or escalated by a child). */
  async #fail(error: unknown): Promise<void> {
    if (this.state === ActorState.Draining) {
      // Already on its way out: a restart would only serve the few queued messages, so stop here.
      this.#emitFailure(error, SupervisionDirective.Stop);
      await this.#terminate(ActorState.Failed, StopMode.Immediate, error);
      return;
    }
    const s = this.supervision;
    let delayMs = -1;
    if (s.type === 'restart') {
      const now = performance.now();
      this.#restartTimes = this.#restartTimes.filter((t) => now - t < s.withinMs);
      if (this.#restartTimes.length < s.maxRestarts) {
        this.#restartTimes.push(now);
        delayMs = Math.min(s.maxDelayMs, s.initialDelayMs * s.factor ** (this.#restartTimes.length - 1));
      }
    }
    if (delayMs < 0) {
      this.#emitFailure(error, SupervisionDirective.Escalate);
      await this.#terminate(ActorState.Failed, StopMode.Immediate, error);
      const failure = toFailure(error);
      this.#emit({ type: 'escalated', actor: this.path, to: this.parent?.path ?? null, failure, error });
      if (this.parent !== null) this.parent.childFailed(error);
      else {
        try {
          this.sys.onEscalation?.({ actor: this.path, failure, error });
        } catch {
          // A throwing callback must not break the actor's bookkeeping; the event above already reported it.
        }
      }
      return;
    }
    this.#emitFailure(error, SupervisionDirective.Restart);
    await this.#discardInstance();
    this.restarts++;
    if (this.state !== ActorState.Starting) this.#transition(ActorState.Starting);
    this.#emit({ type: 'restart', actor: this.path, attempt: this.#restartTimes.length, delayMs });
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      this.#enqueueSystem({ kind: 'start' });
    }, delayMs);
  }

  /** Stops children (immediately) and runs `postStop` of the current instance. */
  async #discardInstance(childMode: StopMode = StopMode.Immediate): Promise<void> {
    await Promise.all([...this.children.values()].map((c) => c.requestStop(childMode)));
    const b = this.#behavior;
    this.#behavior = null;
    if (b?.postStop !== undefined) {
      try {
        await b.postStop();
      } catch (error) {
        this.#emitFailure(error, SupervisionDirective.Stop);
      }
    }
  }

  async #terminate(final: 'stopped' | 'failed', childMode: StopMode, cause?: unknown): Promise<void> {
    this.#terminating = true;
    this.#clearRestartTimer();
    for (const env of this.#mailbox.drain()) {
      if (env.reply !== null) env.reply.reject(this.#stoppedError(cause));
      else this.#emit({ type: 'dead-letter', actor: this.path, message: env.message });
    }
    await this.#discardInstance(childMode);
    this.#transition(final);
    const siblings = this.parent === null ? this.sys.topLevel : this.parent.children;
    if (siblings.get(this.name) === (this as unknown)) siblings.delete(this.name);
    for (const done of this.#stopWaiters.splice(0)) done();
    // Stop requests that arrived during the await above are answered by #handleSystem (terminal state).
  }

  #clearRestartTimer(): void {
    if (this.#restartTimer !== null) {
      clearTimeout(this.#restartTimer);
      this.#restartTimer = null;
    }
  }

  #stoppedError(cause?: unknown): Error {
    return runtimeError(
      RuntimeErrorCode.ActorStopped,
      `actor ${JSON.stringify(this.path)} is ${this.#terminating && !this.#isTerminal() ? 'stopping' : this.state} ` +
        `and does not accept or process messages any more.`,
      { details: { actor: this.path, state: this.state }, cause },
    );
  }

  #isTerminal(): boolean {
    return this.state === ActorState.Stopped || this.state === ActorState.Failed;
  }

  #transition(to: ActorState): void {
    const from = this.state;
    this.state = to;
    this.#emit({ type: 'transition', actor: this.path, from, to });
  }

  #emitFailure(error: unknown, directive: SupervisionDirective): void {
    this.#emit({ type: 'failure', actor: this.path, failure: toFailure(error), error, directive });
  }

  #emit(event: ActorEvent): void {
    this.sys.hub.emit(event);
  }
}

class CellContext<M, R> implements ActorContext<M, R> {
  readonly #cell: ActorCell<M, R>;
  constructor(cell: ActorCell<M, R>) {
    this.#cell = cell;
  }
  get self(): ActorRef<M, R> {
    return this.#cell.ref;
  }
  get path(): string {
    return this.#cell.path;
  }
  get restarts(): number {
    return this.#cell.restarts;
  }
  spawn<CM, CR = void>(
    name: string,
    factory: BehaviorFactory<CM, CR>,
    options: SpawnOptions = {},
  ): ActorRef<CM, CR> {
    const parent = this.#cell as unknown as ActorCell<unknown, unknown>;
    return this.#cell.sys.spawnCell(parent, name, factory, options).ref;
  }
}

class ActorRefImpl<M, R> implements ActorRef<M, R> {
  readonly #cell: ActorCell<M, R>;
  constructor(cell: ActorCell<M, R>) {
    this.#cell = cell;
  }
  get name(): string {
    return this.#cell.name;
  }
  get path(): string {
    return this.#cell.path;
  }
  get state(): ActorState {
    return this.#cell.state;
  }
  tell(message: M): void {
    this.#cell.tell(message);
  }
  ask(message: M, options: AskOptions = {}): Promise<R> {
    return this.#cell.ask(message, options);
  }
  events(): AsyncIterableIterator<ActorEvent> {
    const path = this.#cell.path;
    return this.#cell.sys.hub.subscribe((e) => e.actor === path);
  }
  stop(options: StopOptions = {}): Promise<void> {
    return this.#cell.requestStop(options.mode ?? StopMode.Drain);
  }
}
