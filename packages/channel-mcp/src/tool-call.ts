import { NotFoundError, CancelledError, isValidIdentifier } from '@nexus/core';
import type { InvocationInit, InvocationResult, JobRecord, Nexus, TransportInfo } from '@nexus/core';
import type { Answer, DispatchOptions, InitOf, Method } from './dispatch-types.js';
import { ok } from './dispatch-types.js';
import { INVALID_PARAMS, errorResponse } from './jsonrpc.js';
import type { JsonRpcRequest } from './jsonrpc.js';
import { META_IDEMPOTENCY_KEY, META_REQUEST_ID, refusalResponse, renderJobResult, renderToolError, renderToolResult } from './render.js';
import { followJob, progressNotifier, progressTokenOf, statusNotifier } from './tasks/follow.js';
import { taskOf } from './tasks/task-info.js';

/** The call's transport facts plus its idempotency key; a key that is not a string reaches the pipeline as '' and is refused there. */
function withIdempotencyKey(transport: TransportInfo | undefined, request: JsonRpcRequest): TransportInfo {
  const meta = request.params?._meta as Record<string, unknown> | undefined;
  if (meta === undefined || !(META_IDEMPOTENCY_KEY in meta)) return transport ?? {};
  const key = meta[META_IDEMPOTENCY_KEY];
  return { ...transport, idempotencyKey: typeof key === 'string' ? key : '' };
}

function progressOf(request: JsonRpcRequest, options: DispatchOptions): InvocationInit['onProgress'] {
  const token = progressTokenOf(request);
  const notify = options.notify;
  if (notify === undefined || token === undefined) return undefined;
  return (progress, total, message) =>
    notify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress, ...(total === undefined ? {} : { total }), ...(message === undefined ? {} : { message }) } });
}

/** A finished call as tools/call answers it: the tool result, or -32602 for an unknown tool (the spec's). */
function toolAnswer(app: Nexus, request: JsonRpcRequest, name: string, result: InvocationResult): Answer {
  if (result.ok) return { response: ok(request, renderToolResult(result)) };
  // An unknown tool is a protocol error; it was still audited and counted by the pipeline.
  if (result.error.code === 'NOT_FOUND' && app.operation(name) === undefined) {
    return { response: errorResponse(request.id, INVALID_PARAMS, `Unknown tool: ${name}`, result.error.toProblem(result.requestId)), refusal: result.error };
  }
  return { response: ok(request, renderToolResult(result)), refusal: result.error };
}

/**
 * Task-augmented: submitted as a job (the whole pipeline runs now) and answered at once with the
 * task. A refused submission is a JSON-RPC error, since no task was created to carry it.
 */
async function callAsTask(app: Nexus, request: JsonRpcRequest, call: InvocationInit, options: DispatchOptions): Promise<Answer> {
  // The task outlives this request: the client leaving must not cancel it (tasks/cancel does).
  const { signal: _ignored, ...submission } = call;
  const result = await app.dispatch({ ...submission, purpose: 'submit' });
  if (!result.ok) {
    if (result.error.code === 'NOT_FOUND' && app.operation(call.operation) === undefined) return toolAnswer(app, request, call.operation, result);
    return { response: refusalResponse(request.id, result.error, result.requestId, result.annotations.rateLimit), refusal: result.error };
  }
  const { operationId } = result.value as { operationId: string };
  const stored = await app.jobs.store.get(operationId).catch(() => undefined);
  const record: JobRecord = stored?.record ?? { operationId, operation: call.operation, status: 'queued', createdAt: new Date().toISOString() };
  const ttlSeconds = app.jobs.store.ttlSeconds;
  if (options.followUp !== undefined) follow(app, request, record, ttlSeconds, options.followUp);
  return { response: ok(request, { task: taskOf(record, ttlSeconds), _meta: { [META_REQUEST_ID]: result.requestId } }) };
}

/**
 * Where notifications can outlive the call (stdio, a stateful session): the task's status changes
 * and, for a client that sent a token, its progress (the token stays valid for the task's life).
 * Started once the answer is out, so the client knows the task before any news of it.
 */
function follow(app: Nexus, request: JsonRpcRequest, record: JobRecord, ttlSeconds: number | undefined, followUp: NonNullable<DispatchOptions['followUp']>): void {
  const token = progressTokenOf(request);
  const progress = token === undefined ? undefined : progressNotifier(token, followUp.notify);
  const status = statusNotifier(record, ttlSeconds, followUp.notify);
  setImmediate(() => {
    void followJob(app, record.operationId, {
      signal: followUp.signal,
      onRecord: (next) => {
        progress?.(next);
        status(next);
      },
    });
  });
}

/**
 * A long-running operation called by a client that did not ask for a task: submitted as a job
 * like any other, and the call waits for it, with the job's progress when the client sent a token.
 */
async function callAndWait(app: Nexus, request: JsonRpcRequest, call: InvocationInit, options: DispatchOptions): Promise<Answer> {
  const { signal, ...submission } = call;
  const result = await app.dispatch({ ...submission, purpose: 'submit' });
  if (!result.ok) return toolAnswer(app, request, call.operation, result);
  const { operationId } = result.value as { operationId: string };
  const token = progressTokenOf(request);
  const onRecord = token === undefined || options.notify === undefined ? undefined : progressNotifier(token, options.notify);
  const job = await followJob(app, operationId, { signal, onRecord });
  if (job !== undefined) return { response: ok(request, renderJobResult(job)) };
  if (signal?.aborted === true) {
    // The caller stopped waiting: its job stops too, as a synchronous call's handler would.
    const { operation: _operation, input: _input, ...lookup } = submission;
    void app.jobs.cancel(lookup, operationId);
    return { response: ok(request, renderToolError(new CancelledError(`Operation ${operationId} was cancelled.`).toProblem(result.requestId), result.requestId)) };
  }
  return { response: ok(request, renderToolError(new NotFoundError(`Operation ${operationId} expired.`).toProblem(result.requestId), result.requestId)) };
}

/**
 * `tools/call`: run now; or as a task when the client asks (any tool); or, for a long-running
 * operation called without a task, as a job the call waits for.
 */
export function toolCall(app: Nexus, initOf: InitOf): Method {
  return async (request, caller, options) => {
    const name = request.params!.name as string;
    // A name that could be no operation's (core's identifier rule) is malformed params, not an unknown tool.
    if (!isValidIdentifier(name)) return { response: errorResponse(request.id, INVALID_PARAMS, 'Invalid params: params.name: not a tool name (1-128 well-formed characters, no control characters).') };
    const init = initOf(caller, request, options.signal);
    const call: InvocationInit = { ...init, transport: withIdempotencyKey(init.transport, request), operation: name, input: request.params!.arguments ?? {} };
    if (request.params!.task !== undefined) return callAsTask(app, request, call, options);
    if (app.operation(name)?.longRunning === true) return callAndWait(app, request, call, options);
    const onProgress = progressOf(request, options);
    return toolAnswer(app, request, name, await app.invoke(onProgress === undefined ? call : { ...call, onProgress }));
  };
}
