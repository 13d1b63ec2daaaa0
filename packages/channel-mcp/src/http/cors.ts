import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import { resolveCorsPolicy } from '@nexus/core';
import type { CorsOptions } from '@nexus/core';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Wraps the listener's handler with the `cors` package when CORS is configured: preflights are
 * answered here (204), other requests get the allow and expose headers and go on. Off: unchanged.
 */
export function withCors(options: CorsOptions | undefined, methods: readonly string[], handler: Handler): Handler {
  const policy = resolveCorsPolicy(options);
  if (policy === undefined) return handler;
  const middleware = cors({
    origin: policy.origins === '*' ? '*' : [...policy.origins],
    credentials: policy.credentials,
    exposedHeaders: [...policy.exposedHeaders],
    maxAge: policy.maxAgeSeconds,
    methods: [...methods],
    optionsSuccessStatus: 204,
  });
  return (req, res) => middleware(req as never, res as never, () => handler(req, res));
}
