// Child-process entry for the conformance suite's crash and race tests (Node does not inherit tsx's loader).
import { register } from 'tsx/esm/api';
register();
await import('./store-child.ts');
