/**
 * The thread side of `ThreadPool`. A thread entry point wraps its function with `defineThreadTask` so that
 * a thrown error crosses the thread boundary as data (`SerializedFailure`) and is rebuilt on the caller's
 * side with its `code`, `retryable` and `details` intact — structured clone would keep only the message.
 *
 * ```ts
 * // pipeline.thread.ts
 * export default defineThreadTask(async (input: PipelineInput) => run(input));
 * // pipeline.thread.mjs — the shim Node needs to load TypeScript in a worker thread
 * import { register } from 'tsx/esm/api'; register();
 * const mod = await import('./pipeline.thread.ts'); export default mod.default;
 * ```
 * To send a typed array back without copying, return `moveBuffer(array)` itself: Piscina moves only a
 * top-level movable result; arrays nested in a returned object are copied.
 */
import { Piscina } from 'piscina';
import type { SerializedFailure } from '@virnyflow/core';
import { toFailure } from '@virnyflow/core';

/** Key of the object a thread returns instead of throwing. A string: symbols do not survive cloning. */
export const THREAD_FAILURE_KEY = '__vf_thread_failure__';

export interface ThreadFailureResult {
  [THREAD_FAILURE_KEY]: SerializedFailure;
}

/** Key of the input `ThreadPool.warmUp` sends: answered at once, without calling the task function. */
export const THREAD_WARMUP_KEY = '__vf_thread_warmup__';

export function isThreadFailure(value: unknown): value is ThreadFailureResult {
  return typeof value === 'object' && value !== null && THREAD_FAILURE_KEY in value;
}

export function defineThreadTask<I, O>(
  fn: (input: I) => O | Promise<O>,
): (input: I) => Promise<O | ThreadFailureResult> {
  return async (input: I) => {
    // Reaching this line means the thread loaded its entry module, which is all a warm-up asks for.
    if (typeof input === 'object' && input !== null && THREAD_WARMUP_KEY in input) return true as O;
    try {
      return await fn(input);
    } catch (error) {
      return { [THREAD_FAILURE_KEY]: toFailure(error) };
    }
  };
}

/**
 * Marks a typed array / ArrayBuffer to be transferred (moved) instead of copied — from the caller to a
 * thread (`pool.run(moveBuffer(x))`) or back (`return moveBuffer(x)`). After the move, the sender's
 * buffer is detached (length 0).
 */
export function moveBuffer<T extends ArrayBufferView | ArrayBuffer>(value: T): T {
  return Piscina.move(value) as unknown as T;
}
