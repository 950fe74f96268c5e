/**
 * Typed errors. Every error a user can cause carries a stable `code` (assert on it, never on message text),
 * and its message names the field, the bad value and the fix.
 *
 * A failure that crosses a thread or process boundary travels as `SerializedFailure` (plain data) and is
 * rebuilt with `VirnyFlowError.fromFailure`; structured clone and JSON drop prototypes, so code identifies
 * errors by `code`, not by `instanceof`.
 */

export class VirnyFlowError extends Error {
  readonly code: string;
  /** Whether running the same work again may succeed (infrastructure hiccup) or not (bad input, a bug). */
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    options: { retryable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VirnyFlowError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }

  toFailure(): SerializedFailure {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      details: { ...this.details },
    };
  }

  static fromFailure(f: SerializedFailure): VirnyFlowError {
    return new VirnyFlowError(f.code, f.message, { retryable: f.retryable, details: f.details });
  }
}

export interface SerializedFailure {
  code: string;
  message: string;
  retryable: boolean;
  details: Record<string, unknown>;
}

/** Turns anything thrown into a `SerializedFailure`; unknown errors become the internal code. */
export function toFailure(err: unknown): SerializedFailure {
  if (err instanceof VirnyFlowError) return err.toFailure();
  if (isFailureLike(err)) {
    return {
      code: err.code,
      message: err.message,
      retryable: Boolean(err.retryable),
      details: err.details ?? {},
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'VF_INTERNAL', message, retryable: false, details: {} };
}

function isFailureLike(
  e: unknown,
): e is { code: string; message: string; retryable?: boolean; details?: Record<string, unknown> } {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { message?: unknown }).message === 'string' &&
    (e as { code: string }).code.startsWith('VF_')
  );
}

/** True for errors the user can fix (exit code 2 in the CLI) as opposed to internal errors (exit code 1). */
export function isUserError(err: unknown): boolean {
  return err instanceof VirnyFlowError && !err.code.startsWith('VF_INTERNAL');
}
