import { request as plainRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  header(name: string): string | undefined;
  readonly text: string;
}

export interface HttpCallInit {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal: AbortSignal;
}

type Requester = (url: URL, options: RequestOptions, done: (response: IncomingMessage) => void) => ReturnType<typeof plainRequest>;

/**
 * One HTTP exchange on node:http (node:https for https URLs, loaded only then). The remote CLI is
 * a short-lived process, and the global fetch loads undici on first use: more start-up CPU on
 * Node 20 than Node itself. Failures reject with the transport error as `cause`, as fetch does;
 * redirects are not followed (a Nexus server never sends one).
 */
export async function httpCall(url: URL, init: HttpCallInit): Promise<HttpAnswer> {
  const send: Requester = url.protocol === 'https:' ? (await import('node:https')).request : plainRequest;
  const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => reject(new Error('request failed', { cause: error }));
    let request: ReturnType<typeof plainRequest>;
    try {
      request = send(url, {
        method: init.method,
        headers: { ...init.headers, ...(body === undefined ? {} : { 'content-length': String(body.length) }) },
        signal: init.signal,
      }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('end', () => {
          const headers = response.headers;
          resolve({
            status: response.statusCode ?? 0,
            header: (name) => {
              const value = headers[name.toLowerCase()];
              return Array.isArray(value) ? value.join(', ') : value;
            },
            text: new TextDecoder().decode(Buffer.concat(chunks)),
          });
        });
      });
    } catch (error) {
      // An invalid header value (a token with a line break) throws before anything is sent.
      fail(error);
      return;
    }
    request.on('error', fail);
    request.end(body);
  });
}
