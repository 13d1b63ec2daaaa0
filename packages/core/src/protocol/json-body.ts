import { InvalidInputError, PayloadTooLargeError } from './errors.js';

/** Nesting deeper than this is refused: recursive validators and renderers would overflow first. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

export interface JsonBodyOptions {
  /** Largest accepted body in bytes; more is PAYLOAD_TOO_LARGE (and reading stops). */
  readonly limit: number;
  /** Deepest accepted nesting of arrays and objects (64); deeper is INVALID_INPUT. */
  readonly maxDepth?: number;
}

const decoder = new TextDecoder();

/** True when `text` nests arrays/objects deeper than `maxDepth` (brackets inside strings do not count). */
function tooDeep(text: string, maxDepth: number): boolean {
  // Fewer characters than the depth limit cannot hold that many open brackets.
  if (text.length <= maxDepth) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Parses JSON text a caller sent: malformed or too deeply nested is INVALID_INPUT. Empty text is `undefined`. */
export function parseJsonText(text: string, maxDepth = DEFAULT_MAX_JSON_DEPTH): unknown {
  if (text === '') return undefined;
  if (tooDeep(text, maxDepth)) throw new InvalidInputError(`The request body nests deeper than ${maxDepth} levels.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidInputError('The request body is not valid JSON.');
  }
}

/**
 * Collects a body chunk by chunk for transports that deliver events rather than an async
 * iterable: `push` throws PAYLOAD_TOO_LARGE as soon as the limit is passed, `end` parses.
 * One buffer, concatenated only when the body arrives in several chunks.
 */
export class JsonBodyCollector {
  private first: Uint8Array | undefined;
  private chunks: Uint8Array[] | undefined;
  private size = 0;

  constructor(private readonly options: JsonBodyOptions) {}

  /** Refuses a declared length (Content-Length) over the limit before a byte is read. */
  declare(length: number): void {
    if (length > this.options.limit) throw tooLarge(this.options.limit);
  }

  push(chunk: Uint8Array): void {
    this.size += chunk.byteLength;
    if (this.size > this.options.limit) throw tooLarge(this.options.limit);
    if (this.first === undefined) this.first = chunk;
    else (this.chunks ??= [this.first]).push(chunk);
  }

  end(): unknown {
    if (this.first === undefined) return undefined;
    let bytes = this.first;
    if (this.chunks !== undefined) {
      bytes = new Uint8Array(this.size);
      let offset = 0;
      for (const chunk of this.chunks) {
        bytes.set(chunk, offset);
        offset += chunk.byteLength;
      }
    }
    return parseJsonText(decoder.decode(bytes), this.options.maxDepth);
  }
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`The request body exceeds ${limit} bytes.`);
}

/**
 * Reads and parses a JSON body from any async iterable of bytes (a Node request, a web stream):
 * more than `limit` bytes is PAYLOAD_TOO_LARGE, malformed or nested deeper than `maxDepth` is
 * INVALID_INPUT, no bytes at all is `undefined`. Reading stops at the limit without destroying
 * the source, so the caller can still answer 413 on the same connection.
 * @example const body = await readJsonBody(req, { limit: 1024 * 1024 });
 */
export async function readJsonBody(source: AsyncIterable<Uint8Array>, options: JsonBodyOptions): Promise<unknown> {
  const collector = new JsonBodyCollector(options);
  // Iterated by hand: `for await` + throw would call return() and destroy a Node request.
  const iterator = source[Symbol.asyncIterator]();
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) break;
    collector.push(next.value);
  }
  return collector.end();
}
