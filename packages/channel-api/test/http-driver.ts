import type { Nexus } from '@nexus/core';
import type { ChannelUnderTest, ConformanceDriver, ConformanceOutcome } from '@nexus/core/testing';
import { DEFAULT_BODY_LIMIT } from '../src/body.js';
import { createApiChannel } from '../src/index.js';
import type { ApiChannel, ApiChannelOptions } from '../src/index.js';

/** Starts the API channel on an ephemeral port and returns its base URL. */
export async function startApi(app: Nexus, options: ApiChannelOptions = {}, setup?: (api: ApiChannel) => void): Promise<{ api: ApiChannel; base: string }> {
  const api = createApiChannel({ port: 0, ...options });
  setup?.(api);
  app.addChannel(api);
  await app.start();
  return { api, base: `http://127.0.0.1:${api.address()!.port}` };
}

function outcomeOf(status: number, text: string, header: string | null): ConformanceOutcome {
  const body = JSON.parse(text) as Record<string, unknown>;
  const requestId = header ?? (body.requestId as string | undefined);
  if (status === 200) return { ok: true, value: body.result, ...(requestId ? { requestId } : {}), raw: text };
  return {
    ok: false,
    code: body.code as Extract<ConformanceOutcome, { ok: false }>['code'],
    ...(requestId ? { requestId } : {}),
    ...(Array.isArray(body.errors) ? { errors: body.errors as { path: string; message: string }[] } : {}),
    ...(typeof body.retryAfter === 'number' ? { retryAfter: body.retryAfter } : {}),
    raw: text,
  };
}

function headersFor(token?: string, requestId?: string, authorization?: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    ...(authorization === undefined ? {} : { authorization }),
    ...(requestId === undefined ? {} : { 'x-request-id': requestId }),
  };
}

/** The API channel as a conformance target: every case over real HTTP with fetch. */
export const httpChannelUnderTest: ChannelUnderTest = {
  name: 'http',
  maxInputBytes: DEFAULT_BODY_LIMIT,
  credentialHeaders: true,
  async connect(app) {
    const { base } = await startApi(app);
    const driver: ConformanceDriver = {
      async invoke(call) {
        try {
          const response = await fetch(`${base}/workflows/${encodeURIComponent(call.operation)}/execute`, {
            method: 'POST',
            headers: headersFor(call.token, call.requestId, call.authorization),
            body: JSON.stringify({ inputs: call.input ?? {} }),
            ...(call.signal === undefined ? {} : { signal: call.signal }),
          });
          return outcomeOf(response.status, await response.text(), response.headers.get('x-request-id'));
        } catch (error) {
          if (call.signal?.aborted) return { ok: false, code: 'CANCELLED', raw: String(error) };
          throw error;
        }
      },
      async invokeRaw(call) {
        const response = await fetch(`${base}/workflows/${encodeURIComponent(call.operation)}/execute`, {
          method: 'POST',
          headers: headersFor(call.token),
          body: `{"inputs":${call.json}}`,
        });
        return outcomeOf(response.status, await response.text(), response.headers.get('x-request-id'));
      },
      async list(call) {
        const response = await fetch(`${base}/workflows`, { headers: headersFor(call.token, undefined, call.authorization) });
        const text = await response.text();
        if (response.status !== 200) return outcomeOf(response.status, text, response.headers.get('x-request-id')) as Extract<ConformanceOutcome, { ok: false }>;
        return { ok: true, names: (JSON.parse(text) as { workflows: { name: string }[] }).workflows.map((entry) => entry.name) };
      },
      async close() {},
    };
    return driver;
  },
};
