import type { Nexus } from '@nexus/core';

export interface WorkerRunOptions {
  /** Signals that stop the worker gracefully (SIGTERM, SIGINT): running jobs finish first, within the app's drain timeout. */
  readonly signals?: readonly NodeJS.Signals[];
}

/**
 * Runs `app` as a worker: no channel listens, jobs are taken from the configured store until a
 * signal arrives, then running jobs finish (within `drainTimeoutMs`) and the app stops.
 * Resolves once the worker stopped.
 */
export async function runWorker(app: Nexus, options: WorkerRunOptions = {}): Promise<void> {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const onSignal = () => void app.stop().then(stop, stop);
  for (const signal of signals) process.once(signal, onSignal);
  try {
    await app.ready();
    await app.jobs.startWorker();
    await stopped;
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
}
