import type { IncomingMessage } from 'node:http';
import { CancelledError, InvalidInputError, PayloadTooLargeError } from '@nexus/core';

/** 1 MiB: the default execute body limit. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** A request the channel refuses before the pipeline: wrong media type, too large, or not JSON. */
export class BodyError extends Error {
  constructor(
    readonly error: InvalidInputError | PayloadTooLargeError | CancelledError,
    /** The HTTP status when it differs from the error code's (415). */
    readonly status: number,
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

function tooLarge(limit: number): BodyError {
  return new BodyError(new PayloadTooLargeError(`The request body exceeds ${limit} bytes.`), 413);
}

/**
 * Reads and parses a JSON body with a size cap: one buffer (concatenated only when the body
 * arrives in several chunks) and one `JSON.parse`. Resolves `undefined` for a request without a body.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) {
    return Promise.resolve(undefined);
  }
  const refused = mediaTypeError(req.headers['content-type']);
  if (refused !== undefined) return Promise.reject(refused);
  if (length !== undefined && Number(length) > limit) return Promise.reject(tooLarge(limit));

  return new Promise((resolve, reject) => {
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(tooLarge(limit));
      } else if (first === undefined) first = chunk;
      else (chunks ??= [first]).push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (first === undefined) return resolve(undefined);
      const text = (chunks === undefined ? first : Buffer.concat(chunks, size)).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new BodyError(new InvalidInputError('The request body is not valid JSON.'), 400));
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
