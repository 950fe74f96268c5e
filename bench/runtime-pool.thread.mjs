import { register } from 'tsx/esm/api';
register();
const mod = await import('./runtime-pool.thread.ts');
export default mod.default;
