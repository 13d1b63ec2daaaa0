import type { IncomingMessage } from 'node:http';
import { CancelledError, InvalidInputError, MAX_INPUT_DEPTH, isNexusError } from '@nexus/core';
import type { NexusError } from '@nexus/core';
import { HTTP_STATUS, JsonBodyCollector } from '@nexus/core/protocol';

/** 1 MiB: the default execute body limit. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** A request the channel refuses before the pipeline: wrong media type, too large, or not JSON. */
export class BodyError extends Error {
  constructor(
    readonly error: NexusError,
    /** The HTTP status when it differs from the error code's (415). */
    readonly status: number = HTTP_STATUS[error.code],
  ) {
    super(error.message);
  }
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

function mediaTypeError(contentType: string | undefined): BodyError | undefined {
  if (contentType === undefined || !JSON_TYPE.test(contentType)) {
    return new BodyError(new InvalidInputError('The request body must be application/json.'), 415);
  }
  const charset = CHARSET.exec(contentType)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return new BodyError(new InvalidInputError('The request body must be UTF-8 encoded JSON.'), 415);
  }
  return undefined;
}

const asBodyError = (error: unknown): unknown => (isNexusError(error) ? new BodyError(error) : error);

/**
 * Reads and parses a JSON body with core's bounds (size, nesting depth). Events rather than
 * async iteration: no promise per chunk on the hot path. Resolves `undefined` for a request without a body.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) {
    return Promise.resolve(undefined);
  }
  const refused = mediaTypeError(req.headers['content-type']);
  if (refused !== undefined) return Promise.reject(refused);
  // The {"inputs": ...} wrapper is one level more than the input, whose depth core's input rules judge.
  const body = new JsonBodyCollector({ limit, maxDepth: MAX_INPUT_DEPTH + 1 });
  try {
    if (length !== undefined) body.declare(Number(length));
  } catch (error) {
    return Promise.reject(asBodyError(error));
  }

  return new Promise((resolve, reject) => {
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
    };
    const onData = (chunk: Buffer) => {
      try {
        body.push(chunk);
      } catch (error) {
        cleanup();
        reject(asBodyError(error));
      }
    };
    const onEnd = () => {
      cleanup();
      try {
        resolve(body.end());
      } catch (error) {
        reject(asBodyError(error));
      }
    };
    const onAbort = () => {
      cleanup();
      reject(new BodyError(new CancelledError('The client went away while sending the body.'), 499));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  });
}
