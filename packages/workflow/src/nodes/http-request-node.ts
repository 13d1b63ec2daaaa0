import type { NodeType } from '../types.js';
import { isPlainObject } from '../json.js';
import { asObject, optionalPositive } from './config.js';

/** Configuration of an HTTPRequestNode. The URL is fixed here, so callers cannot point it elsewhere. */
export interface HttpRequestNodeConfig {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Largest response body read, in bytes (1 MiB); a larger one fails the node. */
  readonly maxBytes?: number;
  /** Fail the node on a non-2xx status (true). */
  readonly failOnHttpError?: boolean;
}

interface Prepared {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly maxBytes: number;
  readonly failOnHttpError: boolean;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
const DEFAULT_MAX_BYTES = 1024 * 1024;

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(`response of ${declared} bytes is over the ${maxBytes}-byte cap`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`response body is over the ${maxBytes}-byte cap`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function withQuery(url: URL, query: unknown): URL {
  if (query === undefined) return url;
  if (!isPlainObject(query)) throw new Error('input `query` must be an object');
  const target = new URL(url);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'object') throw new Error(`query parameter "${key}" must be a string, number or boolean`);
    target.searchParams.append(key, String(value));
  }
  return target;
}

export const httpRequestNode: NodeType<Prepared> = {
  name: 'HTTPRequestNode',
  description: 'Calls an HTTP endpoint with a timeout and a response size cap.',
  defaultTimeoutMs: 10_000,
  prepare(config) {
    const raw = asObject(config, 'HTTPRequestNode');
    let url: URL;
    try {
      url = new URL(String(raw.url));
    } catch {
      throw new Error('HTTPRequestNode needs `url`, an absolute http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('HTTPRequestNode `url` must be http or https');
    const method = typeof raw.method === 'string' ? raw.method.toUpperCase() : 'GET';
    if (!METHODS.has(method)) throw new Error(`HTTPRequestNode method must be one of ${[...METHODS].join(', ')}`);
    const headers = raw.headers ?? {};
    if (!isPlainObject(headers) || !Object.values(headers).every((value) => typeof value === 'string')) {
      throw new Error('HTTPRequestNode `headers` must map names to strings');
    }
    return Object.freeze({
      url,
      method,
      headers: Object.freeze({ ...(headers as Record<string, string>) }),
      maxBytes: optionalPositive(raw.maxBytes, 'maxBytes') ?? DEFAULT_MAX_BYTES,
      failOnHttpError: raw.failOnHttpError !== false,
    });
  },
  ports: () => ({ inputs: ['body', 'query'], outputs: ['status', 'headers', 'body'] }),
  async run(inputs, config, ctx) {
    const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9', ...config.headers };
    let body: string | undefined;
    if (inputs.body !== undefined && config.method !== 'GET' && config.method !== 'HEAD') {
      body = JSON.stringify(inputs.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(withQuery(config.url, inputs.query), {
      method: config.method,
      headers,
      ...(body === undefined ? {} : { body }),
      redirect: 'error',
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]),
    });
    const text = await readCapped(response, config.maxBytes);
    if (config.failOnHttpError && !response.ok) throw new Error(`${config.method} ${config.url.origin} answered ${response.status}`);
    const contentType = response.headers.get('content-type') ?? '';
    const parsed: unknown = /[/+]json\b/.test(contentType) && text !== '' ? JSON.parse(text) : text;
    return { status: response.status, headers: { 'content-type': contentType }, body: parsed };
  },
  describe: (config) => ({
    // Query strings and user info may carry keys; the catalogue shows only where the node calls.
    url: `${config.url.origin}${config.url.pathname}`,
    method: config.method,
    headers: Object.keys(config.headers),
    maxBytes: config.maxBytes,
    failOnHttpError: config.failOnHttpError,
  }),
};
