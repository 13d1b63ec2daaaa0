export { createBullMqJobPort } from './port.js';
export type { BullMqJobPortOptions } from './port.js';
export { runWorker } from './worker.js';
export type { WorkerRunOptions } from './worker.js';
