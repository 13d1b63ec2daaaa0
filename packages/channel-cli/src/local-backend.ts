import { NotFoundError, TimeoutError, catalogueEntry } from '@nexus/core';
import type { Credential, ListInit, Nexus, NexusResult, OperationDescriptor } from '@nexus/core';
import { callSignal } from './backend.js';
import type { Backend, BackendSettings, Failure, Outcome } from './backend.js';

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
 */
export function createLocalBackend(app: Nexus, settings: BackendSettings): Backend {
  const credential: Credential = settings.token ? { kind: 'bearer', token: settings.token } : { kind: 'none' };
  const base = (signal: AbortSignal): ListInit => ({
    channel: CLI_CHANNEL,
    credential,
    ...(settings.requestId === undefined ? {} : { requestId: settings.requestId }),
    transport: settings.tenant === undefined ? {} : { requestedTenant: settings.tenant },
    signal,
    native: { argv: settings.argv },
  });

  const list = async (): Promise<Outcome<readonly OperationDescriptor[]>> => {
    const call = callSignal(settings);
    try {
      const listed = await app.dispatch({ ...base(call.signal), purpose: 'list' });
      if (!listed.ok) return failure(listed, call.timedOut(), settings.timeoutMs);
      return { ok: true, value: listed.value, requestId: listed.requestId };
    } finally {
      call.done();
    }
  };

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
    async run(name, input) {
      const call = callSignal(settings);
      try {
        const init = base(call.signal);
        const transport = { ...init.transport, ...(settings.idempotencyKey === undefined ? {} : { idempotencyKey: settings.idempotencyKey }) };
        const result = await app.dispatch({ ...init, purpose: 'invoke', transport, operation: name, input });
        if (!result.ok) return failure(result, call.timedOut(), settings.timeoutMs);
        return {
          ok: true,
          value: result.value,
          requestId: result.requestId,
          durationMs: result.durationMs,
          ...(result.annotations.rateLimit ? { rateLimit: result.annotations.rateLimit } : {}),
          ...(result.annotations.idempotency?.replayed ? { replayed: true as const } : {}),
        };
      } finally {
        call.done();
      }
    },
    async health() {
      return { ok: true, value: await app.healthCheck() };
    },
  };
}
