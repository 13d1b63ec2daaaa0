import { callSignal } from './backend.js';
import { waitSeconds, watchRemoteJob } from './remote-jobs.js';
import type { Backend, BackendSettings, Failure, JobAck, OperationSummary, Outcome, RunAnswer } from './backend.js';
import { REQUEST_ID_HEADER, TENANT_HEADER, catalogueEntry, codeFromHttpStatus, isErrorCode, problem } from '@nexus/core/protocol';
import type { HealthReport, JobListPage, JobRecord, ProblemDetails, RateLimitInfo } from '@nexus/core';
import { httpCall } from './http-call.js';
import type { HttpAnswer } from './http-call.js';

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly requestId: string | undefined;
  readonly rateLimit: RateLimitInfo | undefined;
  readonly replayed: boolean;
  /** The server held the request as `Prefer: wait` asked (RFC 7240 `Preference-Applied`). */
  readonly waited: boolean;
}

function rateLimitOf(response: HttpAnswer): RateLimitInfo | undefined {
  const [limit, remaining, reset] = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'].map((name) => Number(response.header(name) ?? NaN));
  if (![limit, remaining, reset].every((value) => Number.isFinite(value))) return undefined;
  return { limit: limit!, remaining: remaining!, reset: reset! };
}

/** The server's problem object when it sent one; otherwise one made from the HTTP status, saying so. */
function problemOf(reply: Reply): ProblemDetails {
  const body = reply.body as Partial<ProblemDetails> | undefined;
  if (body && typeof body === 'object' && isErrorCode(body.code)) {
    return { ...body, requestId: body.requestId ?? reply.requestId } as ProblemDetails;
  }
  const code = codeFromHttpStatus(reply.status);
  return problem({ code, detail: `The server answered HTTP ${reply.status} without problem details.`, requestId: reply.requestId });
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Talks to a running Nexus HTTP channel. Transport failures become the codes a
 * server would have used, so scripts see one set of exit codes either way.
 */
export function createRemoteBackend(baseUrl: URL, settings: BackendSettings): Backend {
  const base = new URL(baseUrl.href.endsWith('/') ? baseUrl.href : `${baseUrl.href}/`);

  async function request(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Reply | Failure> {
    const call = callSignal(settings);
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (settings.token) headers.authorization = `Bearer ${settings.token}`;
    if (settings.tenant !== undefined) headers[TENANT_HEADER] = settings.tenant;
    if (settings.requestId !== undefined) headers[REQUEST_ID_HEADER] = settings.requestId;
    Object.assign(headers, extraHeaders);
    const url = new URL(path, base);
    let text: string | undefined;
    try {
      text = body === undefined ? undefined : JSON.stringify(body);
    } catch {
      call.done();
      // Only a nesting far past the server's limit (64 levels) overflows the serialiser: the
      // server would refuse it as INVALID_INPUT, so that is the answer without sending it.
      return { ok: false, problem: problem({ code: 'INVALID_INPUT', detail: 'The input is nested too deeply to send (at most 64 levels).', requestId: settings.requestId }), local: true };
    }
    try {
      const response = await httpCall(url, {
        method,
        headers,
        signal: call.signal,
        ...(text === undefined ? {} : { body: text }),
      });
      const answer = response.text;
      let parsed: unknown;
      try {
        parsed = answer === '' ? undefined : JSON.parse(answer);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed, requestId: response.header(REQUEST_ID_HEADER), rateLimit: rateLimitOf(response), replayed: response.header('idempotent-replayed') === 'true', waited: /\bwait=/i.test(response.header('preference-applied') ?? '') };
    } catch (error) {
      const requestId = settings.requestId;
      if (call.timedOut()) return { ok: false, problem: problem({ code: 'TIMEOUT', detail: `No answer from ${base.origin} within ${settings.timeoutMs} ms.`, requestId }) };
      if (settings.signal.aborted) return { ok: false, problem: problem({ code: 'CANCELLED', detail: 'The operation was cancelled.', requestId }) };
      return { ok: false, problem: problem({ code: 'UNAVAILABLE', detail: `Cannot reach the server at ${base.origin} (${reasonOf(error)}).`, requestId }), local: true };
    } finally {
      call.done();
    }
  }

  async function json<T>(method: string, path: string, pick: (body: Record<string, unknown>) => T | undefined, body?: unknown, headers?: Record<string, string>): Promise<Outcome<T>> {
    return outcomeOf(await request(method, path, body, headers), method, path, pick);
  }
  function outcomeOf<T>(reply: Reply | Failure, method: string, path: string, pick: (body: Record<string, unknown>) => T | undefined): Outcome<T> {
    if ('ok' in reply) return reply;
    if (reply.status < 200 || reply.status > 299) return { ok: false, problem: problemOf(reply) };
    const value = reply.body && typeof reply.body === 'object' ? pick(reply.body as Record<string, unknown>) : undefined;
    if (value === undefined) {
      return { ok: false, problem: problem({ code: 'INTERNAL', detail: `The server answered ${method} ${url(path)} with an unexpected body.`, requestId: reply.requestId }) };
    }
    return {
      ok: true,
      value,
      ...(reply.requestId === undefined ? {} : { requestId: reply.requestId }),
      ...(reply.rateLimit === undefined ? {} : { rateLimit: reply.rateLimit }),
      ...(reply.replayed ? { replayed: true as const } : {}),
    };
  }
  const url = (path: string) => new URL(path, base).pathname;
  const pageQuery = (page: JobListPage) => {
    const query = new URLSearchParams({ ...(page.limit === undefined ? {} : { limit: String(page.limit) }), ...(page.cursor === undefined ? {} : { cursor: page.cursor }) }).toString();
    return query === '' ? '' : `?${query}`;
  };
  const operationPath = (name: string) => `workflows/${encodeURIComponent(name)}`;
  // Dots encoded too: an id of `..` must name a job, not climb out of /operations.
  const jobPath = (id: string) => `operations/${encodeURIComponent(id).replace(/\./g, '%2E')}`;
  const record = (body: Record<string, unknown>) => (typeof body.operationId === 'string' && typeof body.status === 'string' ? (body as unknown as JobRecord) : undefined);
  const answer = (body: Record<string, unknown>): RunAnswer | undefined => {
    if ('result' in body) return { result: body.result };
    if (typeof body.operationId !== 'string' || typeof body.status !== 'string') return undefined;
    return { job: { operationId: body.operationId, status: body.status } as JobAck };
  };

  return {
    list: () => json('GET', 'workflows', (body) => (Array.isArray(body.workflows) ? (body.workflows as OperationSummary[]).map((entry) => catalogueEntry(entry)) : undefined)),
    describe: (name) => json('GET', operationPath(name), (body) => (typeof body.name === 'string' ? catalogueEntry(body as unknown as OperationSummary, { withGraph: true }) : undefined)),
    run(name, input, mode) {
      // A long-running operation answers 202 with an operation id whatever was asked; any other only when asked.
      const headers = {
        ...(settings.idempotencyKey === undefined ? {} : { 'idempotency-key': settings.idempotencyKey }),
        ...(mode === 'auto' ? {} : { prefer: 'respond-async' }),
      };
      return json('POST', `${operationPath(name)}/execute`, answer, { inputs: input }, headers);
    },
    job: (id) => json('GET', jobPath(id), record),
    cancelJob: (id) => json('DELETE', jobPath(id), record),
    jobs: (page = {}) => json('GET', `operations${pageQuery(page)}`, (body) => (Array.isArray(body.operations)
      ? { operations: body.operations as JobRecord[], ...(typeof body.nextCursor === 'string' ? { nextCursor: body.nextCursor } : {}) }
      : undefined)),
    watch(id, onRecord, options = {}) {
      const wait = waitSeconds(options.progress === true, settings.timeoutMs);
      const headers: Record<string, string> = wait > 0 ? { prefer: `wait=${wait}` } : {};
      return watchRemoteJob(async () => {
        const reply = await request('GET', jobPath(id), undefined, headers);
        return { outcome: outcomeOf(reply, 'GET', jobPath(id), record), held: !('ok' in reply) && reply.waited };
      }, settings.signal, onRecord);
    },
    async health() {
      const reply = await request('GET', 'health');
      if ('ok' in reply) return reply;
      const body = reply.body as Partial<HealthReport> | undefined;
      // 503 with a report is an answer (unhealthy), not a transport failure.
      if (body && typeof body.status === 'string') return { ok: true, value: body as HealthReport };
      return { ok: false, problem: problemOf(reply) };
    },
  };
}
