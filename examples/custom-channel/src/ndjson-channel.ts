import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { InvalidInputError, PayloadTooLargeError, catalogueEntry, isValidRequestId } from '@nexus/core';
import type { Channel, Credential, ListInit, Nexus, NexusErrorCode, NexusResult } from '@nexus/core';

/** One request line. `list` asks for the catalogue; `cancel` aborts the call with that id. */
export interface NdjsonRequest {
  readonly id?: string | number;
  readonly operation?: string;
  readonly input?: unknown;
  readonly token?: string;
  readonly tenant?: string;
  readonly requestId?: string;
  readonly list?: boolean;
  readonly cancel?: string | number;
}

export interface NdjsonChannelOptions {
  readonly input?: Readable;
  readonly output?: Writable;
  /** Longest accepted line in bytes; longer ones are refused, not parsed (1 MiB). */
  readonly maxLineBytes?: number;
}

type Reply = Record<string, unknown> & { id: string | number | null };

/**
 * This transport's native signal for each error code: may the caller send the same line again?
 * `satisfies Record<NexusErrorCode, …>` makes it exhaustive: a new code does not compile until mapped.
 */
export const RETRYABLE = {
  INVALID_INPUT: false,
  UNAUTHENTICATED: false,
  FORBIDDEN: false,
  TENANT_REQUIRED: false,
  TENANT_ACCESS_DENIED: false,
  NOT_FOUND: false,
  CONFLICT: true,
  IDEMPOTENCY_MISMATCH: false,
  PAYLOAD_TOO_LARGE: false,
  RATE_LIMITED: true,
  TIMEOUT: true,
  CANCELLED: false,
  UNAVAILABLE: true,
  INTERNAL: false,
} as const satisfies Record<NexusErrorCode, boolean>;

/**
 * Serves every operation as newline-delimited JSON: one request per line in, one reply per
 * line out, replies in completion order and matched by `id`. Like every channel it only maps
 * the request into `app.dispatch` and renders the result; auth, limits and audit happen there.
 */
export function createNdjsonChannel(options: NdjsonChannelOptions = {}): Channel {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const maxLineBytes = options.maxLineBytes ?? 1024 * 1024;
  const running = new Map<string | number, AbortController>();
  let lines: ReturnType<typeof createInterface> | undefined;
  let pending = new Set<Promise<void>>();

  const write = (reply: Reply) => output.write(`${JSON.stringify(reply)}\n`);
  // Every dispatch answers with the same NexusResult, so one renderer serves calls and catalogues.
  const render = (id: Reply['id'], result: NexusResult) =>
    result.ok
      ? write({ id, ok: true, requestId: result.requestId, result: result.value })
      : write({ id, ok: false, requestId: result.requestId, retryable: RETRYABLE[result.error.code], error: result.error.toProblem(result.requestId) });

  const handle = async (app: Nexus, line: string): Promise<void> => {
    if (line.trim() === '') return;
    let request: NdjsonRequest;
    // Refused unparsed, with the code every channel uses for a request over its size limit.
    if (Buffer.byteLength(line) > maxLineBytes) {
      write({ id: null, ok: false, error: new PayloadTooLargeError(`Each line must be at most ${maxLineBytes} bytes.`).toProblem('none') });
      return;
    }
    try {
      request = JSON.parse(line) as NdjsonRequest;
      if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new Error('not an object');
    } catch {
      const error = new InvalidInputError('Each line must be one JSON object.');
      write({ id: null, ok: false, error: error.toProblem('none') });
      return;
    }
    const id = typeof request.id === 'string' || typeof request.id === 'number' ? request.id : null;
    if (request.cancel !== undefined) {
      running.get(request.cancel)?.abort();
      return;
    }
    const credential: Credential = typeof request.token === 'string' ? { kind: 'bearer', token: request.token } : { kind: 'none' };
    const common: ListInit = {
      channel: 'ndjson',
      credential,
      ...(isValidRequestId(request.requestId) ? { requestId: request.requestId } : {}),
      ...(typeof request.tenant === 'string' ? { transport: { requestedTenant: request.tenant } } : {}),
    };
    if (request.list === true) {
      const listed = await app.dispatch({ ...common, purpose: 'list' });
      render(id, listed.ok ? { ...listed, value: { operations: listed.value.map((operation) => catalogueEntry(operation)) } } : listed);
      return;
    }
    const controller = new AbortController();
    if (id !== null) running.set(id, controller);
    try {
      render(id, await app.dispatch({ ...common, purpose: 'invoke', operation: String(request.operation ?? ''), input: request.input ?? {}, signal: controller.signal }));
    } finally {
      if (id !== null) running.delete(id);
    }
  };

  return {
    name: 'ndjson',
    async start(app) {
      lines = createInterface({ input, crlfDelay: Infinity });
      lines.on('line', (line) => {
        const task = handle(app, line).catch((error: unknown) => app.logger.error('ndjson channel failed to answer', { error }));
        pending.add(task);
        void task.finally(() => pending.delete(task));
      });
    },
    async stop({ graceMs }) {
      lines?.close();
      const drained = Promise.allSettled([...pending]);
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
      pending = new Set();
    },
  };
}
