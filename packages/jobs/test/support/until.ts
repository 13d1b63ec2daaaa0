import type { JobPort, JobRecord } from '@nexus/core';

/**
 * Resolves once the stored record satisfies `done`: woken by the port's change events, and by a
 * re-read every `everyMs` for changes made before the subscription took effect.
 */
export function until(port: JobPort, id: string, done: (record: JobRecord) => boolean, everyMs = 250): Promise<JobRecord> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const check = (record: JobRecord | undefined) => {
      if (record === undefined || !done(record)) return;
      clearInterval(timer);
      stop();
      resolve(record);
    };
    const stop = port.subscribe(id, check);
    const poll = () => void port.get(id).then((job) => check(job?.record), reject);
    timer = setInterval(poll, everyMs);
    poll();
  });
}
