import { CancelledError, NotFoundError } from '@nexus/core';
import type { InvocationResult, JobListAnswer, JobRecord, Nexus, NexusError } from '@nexus/core';
import { CancelTaskRequestSchema, GetTaskPayloadRequestSchema, GetTaskRequestSchema, ListTasksRequestSchema, RELATED_TASK_META_KEY } from '@modelcontextprotocol/sdk/types.js';
import type { Answer, InitOf, Method, Schema } from '../dispatch-types.js';
import { ok } from '../dispatch-types.js';
import { INVALID_PARAMS } from '../jsonrpc.js';
import type { JsonRpcRequest } from '../jsonrpc.js';
import { refusalResponse, renderJobResult, rpcCodeOf } from '../render.js';
import { followJob, progressNotifier, progressTokenOf } from './follow.js';
import { taskOf } from './task-info.js';

/** What the spec answers with -32602: an unknown (or not the caller's) task, and a cancel of a finished one. */
const INVALID_PARAMS_CODES = new Set(['NOT_FOUND', 'CONFLICT', 'INVALID_INPUT']);

function refused(request: JsonRpcRequest, error: NexusError, requestId: string | undefined, result?: InvocationResult): Answer {
  const code = INVALID_PARAMS_CODES.has(error.code) ? INVALID_PARAMS : rpcCodeOf(error);
  return { response: refusalResponse(request.id, error, requestId, result?.annotations.rateLimit, code), refusal: error };
}

const taskIdOf = (request: JsonRpcRequest) => request.params!.taskId as string;

/**
 * `tasks/get`, `tasks/result`, `tasks/cancel` and `tasks/list` on the app's job store: each runs
 * the same admission and visibility as the HTTP channel's `/operations` (authenticate, tenant,
 * rate limit, audit; a task of another principal or tenant is not found).
 */
export function taskMethods(app: Nexus, initOf: InitOf): Array<[string, [Schema, Method]]> {
  const task = (record: JobRecord) => taskOf(record, app.jobs.store.ttlSeconds);
  return [
    ['tasks/get', [GetTaskRequestSchema, async (request, caller, options) => {
      const result = await app.jobs.get(initOf(caller, request, options.signal), taskIdOf(request));
      return result.ok ? { response: ok(request, task(result.value as JobRecord)) } : refused(request, result.error, result.requestId, result);
    }]],
    ['tasks/cancel', [CancelTaskRequestSchema, async (request, caller, options) => {
      const result = await app.jobs.cancel(initOf(caller, request, options.signal), taskIdOf(request));
      return result.ok ? { response: ok(request, task(result.value as JobRecord)) } : refused(request, result.error, result.requestId, result);
    }]],
    ['tasks/list', [ListTasksRequestSchema, async (request, caller, options) => {
      // A malformed cursor, or one handed to another caller, is INVALID_INPUT: -32602, as the spec asks.
      const cursor = request.params?.cursor;
      const result = await app.jobs.list(initOf(caller, request, options.signal), cursor === undefined ? {} : { cursor: String(cursor) });
      if (!result.ok) return refused(request, result.error, result.requestId, result);
      const { operations, nextCursor } = result.value as JobListAnswer;
      return { response: ok(request, { tasks: operations.map(task), ...(nextCursor === undefined ? {} : { nextCursor }) }) };
    }]],
    ['tasks/result', [GetTaskPayloadRequestSchema, async (request, caller, options) => {
      const taskId = taskIdOf(request);
      const looked = await app.jobs.get(initOf(caller, request, options.signal), taskId);
      if (!looked.ok) return refused(request, looked.error, looked.requestId, looked);
      // Blocks until the task ends (the spec), streaming its progress to a client that sent a token.
      const token = progressTokenOf(request);
      const onRecord = token === undefined || options.notify === undefined ? undefined : progressNotifier(token, options.notify);
      const job = await followJob(app, taskId, { signal: options.signal, onRecord });
      if (job === undefined) {
        // Over HTTP a cancelled request is still answered, so its POST ends; the task goes on.
        const error = options.signal.aborted ? new CancelledError('Stopped waiting; the task goes on.') : new NotFoundError(`Unknown operation id "${taskId}".`);
        return refused(request, error, looked.requestId);
      }
      const result = renderJobResult(job);
      return { response: ok(request, { ...result, _meta: { ...result._meta, [RELATED_TASK_META_KEY]: { taskId } } }) };
    }]],
  ];
}
