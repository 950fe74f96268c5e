// Thread entry of bench/runtime.bench.ts (loaded through runtime-pool.thread.mjs).
import { defineThreadTask } from '@virnyflow/runtime';

export default defineThreadTask((data: Float64Array) => {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i];
  return s;
});
