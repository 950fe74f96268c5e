// Worker threads do not inherit tsx's loader: register it, then run the TypeScript entry.
import { register } from 'tsx/esm/api';
register();
const mod = await import('./pipeline.thread.ts');
export default mod.default;
