import { readFile } from 'node:fs/promises';
import type { ProblemDetails } from '@nexus/core';
import { problem } from '@nexus/core/protocol';

/** A command-line mistake found before anything runs; rendered without a request id. */
export class InputError extends Error {
  constructor(readonly problem: ProblemDetails) {
    super(problem.detail);
  }
}

const usage = (message: string) => new InputError(problem({ code: 'INVALID_INPUT', detail: message }));

/** Parses JSON, or says where it broke: line, column and the text around it. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message);
    const reasonOnly = message.replace(/, ".*" is not valid JSON$/s, '');
    // V8 gives no position for some errors; then the reason is all we can honestly say.
    if (!at && !/end of JSON input/.test(message)) throw usage(`${source} is not valid JSON: ${reasonOnly}`);
    const position = at ? Number(at[1]) : text.length;
    const before = text.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    const lineText = text.split('\n')[line - 1] ?? '';
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/^Unexpected end of JSON input$/, 'Unexpected end of input');
    throw usage(`${source} is not valid JSON: ${reason} at line ${line}, column ${column}\n  ${lineText}\n  ${' '.repeat(Math.max(0, column - 1))}^`);
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function withinLimit(text: string, limit: number | undefined): string {
  if (limit !== undefined && (text.length > limit || Buffer.byteLength(text) > limit)) {
    throw new InputError(problem({ code: 'PAYLOAD_TOO_LARGE', detail: `The input exceeds ${limit} bytes.` }));
  }
  return text;
}

/**
 * `--input '{...}'`, `--input @file.json` or `--input -` (standard input). Text over `limit`
 * bytes is refused unparsed (PAYLOAD_TOO_LARGE), as a channel refuses a request over its limit.
 */
export async function readInput(value: string, stdin: NodeJS.ReadableStream, limit?: number): Promise<unknown> {
  if (value === '-') return parseJson(withinLimit(await readStream(stdin), limit), 'standard input');
  if (value.startsWith('@')) {
    const path = value.slice(1);
    if (path === '') throw usage('--input @ needs a file name, e.g. --input @input.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new InputError(problem({ code: 'NOT_FOUND', detail: `Input file "${path}" does not exist.` }));
      throw usage(`Cannot read input file "${path}" (${code ?? 'unknown error'}).`);
    }
    return parseJson(withinLimit(text, limit), `Input file "${path}"`);
  }
  return parseJson(withinLimit(value, limit), '--input');
}

/** JSON-decodes a value when it parses (numbers, booleans, null, arrays, objects); else keeps the string. */
export function decodeValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Sets `a.b.c` in a plain object, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown, option: string): void {
  const keys = path.split('.');
  if (keys.some((key) => key === '')) throw usage(`${option}: "${path}" is not a valid key (empty segment).`);
  if (keys.some((key) => FORBIDDEN_KEYS.has(key))) throw usage(`${option}: "${path}" is not an allowed key.`);
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === undefined) node = node[key] = {};
    else if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
    else throw usage(`${option}: "${path}" goes through "${key}", which is not an object.`);
  }
  node[keys[keys.length - 1]!] = value;
}

/** Lays `--<field>` options over the base input. */
export function mergeFields(base: unknown, fields: Record<string, unknown>): unknown {
  if (Object.keys(fields).length === 0) return base;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) throw usage('Field options need --input to be a JSON object.');
  return { ...(base as Record<string, unknown>), ...fields };
}

/** Whether the JSON Schema at `keys` accepts only text, so `--param k=5` stays "5". */
function textOnly(schema: Readonly<Record<string, unknown>> | undefined, keys: readonly string[]): boolean {
  let node: unknown = schema;
  for (const key of keys) {
    const properties = (node as { properties?: Record<string, unknown> } | undefined)?.properties;
    node = properties !== undefined && Object.hasOwn(properties, key) ? properties[key] : undefined;
  }
  const at = node as { type?: unknown; enum?: unknown; anyOf?: unknown; oneOf?: unknown } | undefined;
  if (at === undefined) return false;
  if (Array.isArray(at.enum)) return at.enum.every((value) => typeof value === 'string');
  const members = (at.anyOf ?? at.oneOf) as Record<string, unknown>[] | undefined;
  if (Array.isArray(members)) return members.length > 0 && members.every((member) => textOnly(member, []));
  return at.type === 'string';
}

/**
 * Applies repeated `--param key=value` over the base input. Values are JSON-decoded unless the
 * operation's schema (when known) says the field is text, so `--param message=5` sends "5".
 */
export function applyParams(base: unknown, params: readonly string[], schema?: Readonly<Record<string, unknown>>): unknown {
  if (params.length === 0) return base;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) throw usage('--param needs --input to be a JSON object.');
  const input = base as Record<string, unknown>;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) throw usage(`--param "${param}" needs the form key=value.`);
    const path = param.slice(0, eq);
    const raw = param.slice(eq + 1);
    setPath(input, path, textOnly(schema, path.split('.')) ? raw : decodeValue(raw), '--param');
  }
  return input;
}
