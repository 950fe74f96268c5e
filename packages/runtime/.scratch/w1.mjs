import { register } from 'tsx/esm/api';
const t0 = performance.now();
register();
const t1 = performance.now();
await import(process.argv[2]);
console.log('register', (t1 - t0).toFixed(0), 'import', (performance.now() - t1).toFixed(0), process.argv[2]);
