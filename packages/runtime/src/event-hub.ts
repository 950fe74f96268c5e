/**
 * Broadcast of status events to any number of async-iterator subscribers.
 *
 * Each subscriber sees the events emitted after it subscribed, in emission order, buffered without bound
 * until it reads them (status streams are low-volume; a subscriber that stops reading should `return()`).
 * `close()` ends every iterator after its buffered events are read. No event is ever dropped for a live
 * subscriber, and emitting never blocks or throws.
 */
export class EventHub<T> {
  readonly #subscribers = new Set<Subscriber<T>>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  emit(event: T): void {
    if (this.#closed) return;
    for (const s of this.#subscribers) s.push(event);
  }

  /** A new iterator; `filter` keeps only matching events. Calling `return()` unsubscribes. */
  subscribe(filter?: (event: T) => boolean): AsyncIterableIterator<T> {
    const sub = new Subscriber<T>(filter, () => this.#subscribers.delete(sub));
    if (this.#closed) sub.end();
    else this.#subscribers.add(sub);
    return sub;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#subscribers) s.end();
    this.#subscribers.clear();
  }
}

class Subscriber<T> implements AsyncIterableIterator<T> {
  readonly #buffer: T[] = [];
  #head = 0;
  #waiter: ((r: IteratorResult<T>) => void) | null = null;
  #ended = false;

  constructor(
    private readonly filter: ((event: T) => boolean) | undefined,
    private readonly detach: () => void,
  ) {}

  push(event: T): void {
    if (this.#ended || (this.filter !== undefined && !this.filter(event))) return;
    if (this.#waiter !== null) {
      const w = this.#waiter;
      this.#waiter = null;
      w({ value: event, done: false });
    } else {
      this.#buffer.push(event);
    }
  }

  end(): void {
    this.#ended = true;
    if (this.#waiter !== null) {
      const w = this.#waiter;
      this.#waiter = null;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#buffer.length) {
      const value = this.#buffer[this.#head++];
      // Compact once the consumed prefix dominates, so a long-lived subscriber does not grow forever.
      if (this.#head > 64 && this.#head * 2 > this.#buffer.length) {
        this.#buffer.splice(0, this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.detach();
    this.#buffer.length = 0;
    this.#head = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
