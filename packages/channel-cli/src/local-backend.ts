import { NotFoundError, TimeoutError, catalogueEntry } from '@nexus/core';
import type { Credential, InvocationResult, ListInit, Nexus, NexusResult, OperationDescriptor } from '@nexus/core';
import { callSignal } from './backend.js';
import type { Backend, BackendSettings, Failure, JobAck, Outcome } from './backend.js';
import { asyncNeedsStore, jobsOutliveProcess, localJobCommands } from './local-jobs.js';

/** The channel name in-process calls carry into the pipeline (audit, metrics, policy). */
export const CLI_CHANNEL = 'cli';

function failure(result: Extract<NexusResult, { ok: false }>, timedOut: boolean, timeoutMs?: number): Failure {
  // Our own deadline aborts the call like Ctrl-C would; report it as the timeout it is.
  const error = timedOut && result.error.code === 'CANCELLED' ? new TimeoutError(`No answer within ${timeoutMs} ms.`) : result.error;
  return { ok: false, problem: error.toProblem(result.requestId) };
}

/**
 * Runs commands against an app in this process. The credential goes through the app's own
 * authentication stages: no token means an unauthenticated caller, exactly as on HTTP.
 * Long-running operations (and any with `--async` / `--wait`) go through the app's job store,
 * so a shared store hands them to whichever worker takes them.
 */
export function createLocalBackend(app: Nexus, settings: BackendSettings): Backend {
  const credential: Credential = settings.token ? { kind: 'bearer', token: settings.token } : { kind: 'none' };
  const base = (signal: AbortSignal = settings.signal): ListInit => ({
    channel: CLI_CHANNEL,
    credential,
    ...(settings.requestId === undefined ? {} : { requestId: settings.requestId }),
    transport: settings.tenant === undefined ? {} : { requestedTenant: settings.tenant },
    signal,
    native: { argv: settings.argv },
  });

  /** One dispatch under the command's deadline, its value picked out on success. */
  async function call<T>(body: (init: ListInit) => Promise<InvocationResult>, pick: (value: unknown) => T): Promise<Outcome<T>> {
    const deadline = callSignal(settings);
    try {
      const result = await body(base(deadline.signal));
      if (!result.ok) return failure(result, deadline.timedOut(), settings.timeoutMs);
      return {
        ok: true,
        value: pick(result.value),
        requestId: result.requestId,
        durationMs: result.durationMs,
        ...(result.annotations.rateLimit ? { rateLimit: result.annotations.rateLimit } : {}),
        ...(result.annotations.idempotency?.replayed ? { replayed: true as const } : {}),
      };
    } finally {
      deadline.done();
    }
  }
  const list = () => call((init) => app.dispatch({ ...init, purpose: 'list' }), (value) => value as readonly OperationDescriptor[]);

  return {
    async list() {
      const listed = await list();
      return listed.ok ? { ...listed, value: listed.value.map((operation) => catalogueEntry(operation)) } : listed;
    },
    async describe(name) {
      const listed = await list();
      if (!listed.ok) return listed;
      const found = listed.value.find((operation) => operation.name === name);
      if (found) return { ok: true, value: catalogueEntry(found, { withGraph: true }), ...(listed.requestId === undefined ? {} : { requestId: listed.requestId }) };
      return { ok: false, problem: new NotFoundError(`Unknown operation "${name}".`).toProblem(listed.requestId) };
    },
    async run(name, input, mode) {
      const asJob = mode !== 'auto' || app.operation(name)?.longRunning === true;
      if (mode === 'async' && !jobsOutliveProcess(app)) return asyncNeedsStore();
      return call((init) => {
        const transport = { ...init.transport, ...(settings.idempotencyKey === undefined ? {} : { idempotencyKey: settings.idempotencyKey }) };
        const request = { ...init, transport, operation: name, input };
        return asJob ? app.dispatch({ ...request, purpose: 'submit' }) : app.dispatch({ ...request, purpose: 'invoke' });
      }, (value) => {
        if (!asJob) return { result: value };
        const { operationId, status } = value as JobAck;
        return { job: { operationId, status } };
      });
    },
    ...localJobCommands(app, base, settings.signal, call),
    async health() {
      return { ok: true, value: await app.healthCheck() };
    },
  };
}
