import type { DeadLetter, Delivery } from './transport';

/** What a concrete transport does to settle one delivery. */
export interface DeliveryBackend {
  ack(confirm: boolean): Promise<boolean>;
  nak(delayMs: number): void;
  term(reason: string | undefined): void;
  working(): void;
}

/** `Delivery` with the settle-once rules of the port; the backend does the transport-specific part. */
export class SettleOnceDelivery implements Delivery {
  #settled = false;
  #ackResult: Promise<boolean> | null = null;

  constructor(
    readonly id: string,
    readonly payload: unknown,
    readonly deliveryCount: number,
    private readonly backend: DeliveryBackend,
  ) {}

  get settled(): boolean {
    return this.#settled;
  }

  ack(options: { readonly confirm?: boolean } = {}): Promise<boolean> {
    if (this.#ackResult !== null) return this.#ackResult;
    if (this.#settled) return Promise.resolve(false);
    this.#settled = true;
    this.#ackResult = this.backend.ack(options.confirm ?? true).catch(() => false);
    return this.#ackResult;
  }

  nak(delayMs = 0): void {
    if (this.#settled) return;
    this.#settled = true;
    this.backend.nak(Math.max(0, delayMs));
  }

  term(reason?: string): void {
    if (this.#settled) return;
    this.#settled = true;
    this.backend.term(reason);
  }

  inProgress(): void {
    if (!this.#settled) this.backend.working();
  }
}

export class SimpleDeadLetter implements DeadLetter {
  #ackResult: Promise<boolean> | null = null;
  constructor(
    readonly id: string,
    readonly payload: unknown,
    readonly deliveries: number,
    private readonly doAck: () => Promise<boolean>,
  ) {}
  get settled(): boolean {
    return this.#ackResult !== null;
  }
  ack(): Promise<boolean> {
    this.#ackResult ??= this.doAck().catch(() => false);
    return this.#ackResult;
  }
}

/**
 * Runs a handler for one delivery: errors go to `onError` (never escape), and a delivery left unsettled is
 * nak'ed without delay, as the port promises.
 */
export async function runHandler<D extends { settled: boolean }>(
  handler: (d: D) => void | Promise<void>,
  delivery: D,
  onError: (error: unknown) => void,
  onUnsettled: (d: D) => void,
): Promise<void> {
  try {
    await handler(delivery);
  } catch (error) {
    onError(error);
  }
  if (!delivery.settled) onUnsettled(delivery);
}
