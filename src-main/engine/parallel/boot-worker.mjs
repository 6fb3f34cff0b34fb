// Starts a TypeScript worker-thread entry from the sources (CLI, tests, `glif serve` run through
// tsx); the packaged app runs the bundled JavaScript entry directly instead.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
