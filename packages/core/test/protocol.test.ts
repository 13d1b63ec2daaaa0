import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { validateHeaderValue } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CLI_EXIT_CODE,
  ERROR_CODES,
  ERROR_TITLE,
  HTTP_STATUS,
  JSONRPC_CODE,
  NexusError,
  RateLimitedError,
  codeFromHttpStatus,
  encodeHeaderValue,
  parseCredential,
  problem,
  readJsonBody,
  requestIdFrom,
  wwwAuthenticate,
} from '@nexus/core/protocol';
import type { NexusErrorCode } from '@nexus/core/protocol';
import { ERROR_STATUS, NexusError as MainNexusError } from '@nexus/core';

const protocolDist = new URL('../dist/protocol', import.meta.url).pathname;

describe('@nexus/core/protocol', () => {
  it('imports nothing outside itself (no zod, prom-client or node: modules), so light clients can load it', () => {
    const files = readdirSync(protocolDist).filter((name) => name.endsWith('.js'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const source = readFileSync(join(protocolDist, file), 'utf8');
      const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => match[1]!);
      expect(specifiers.filter((specifier) => !/^\.\/[\w-]+\.js$/.test(specifier))).toEqual([]);
    }
  });

  it('is the same error class and table the main entry exports', () => {
    expect(MainNexusError).toBe(NexusError);
    expect(ERROR_STATUS).toBe(HTTP_STATUS);
  });

  it.each([
    ['HTTP_STATUS', HTTP_STATUS],
    ['CLI_EXIT_CODE', CLI_EXIT_CODE],
    ['JSONRPC_CODE', JSONRPC_CODE],
    ['ERROR_TITLE', ERROR_TITLE],
  ] as const)('%s maps every error code', (_name, table) => {
    expect(Object.keys(table).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each(ERROR_CODES.map((code) => [code]))('codeFromHttpStatus reads %s back as a code with the same status', (code) => {
    expect(HTTP_STATUS[codeFromHttpStatus(HTTP_STATUS[code])]).toBe(HTTP_STATUS[code]);
  });

  it.each([
    [403, 'FORBIDDEN'],
    [502, 'UNAVAILABLE'],
    [415, 'INVALID_INPUT'],
    [418, 'INVALID_INPUT'],
    [599, 'INTERNAL'],
  ] as const)('codeFromHttpStatus(%i) is %s', (status, code) => {
    expect(codeFromHttpStatus(status)).toBe(code);
  });

  it('builds the same problem from an error and from hand-given fields', () => {
    const error = new RateLimitedError(3, { extensions: { limit: 10 } });
    expect(problem(error, 'req-1')).toEqual(error.toProblem('req-1'));
    expect(problem({ code: 'RATE_LIMITED', detail: error.message, requestId: 'req-1', retryAfter: 3, extensions: { limit: 10 } })).toEqual(error.toProblem('req-1'));
    expect(problem({ code: 'TIMEOUT' })).toEqual({ type: 'urn:nexus:error:TIMEOUT', title: 'Timed out', status: 504, code: 'TIMEOUT', detail: 'Timed out' });
  });

  it('does not let extensions replace the standard fields', () => {
    const built = problem({ code: 'CONFLICT', detail: 'd', extensions: { status: 200, code: 'OK', title: 'x' } });
    expect([built.status, built.code, built.title]).toEqual([409, 'CONFLICT', 'Conflict']);
  });
});

describe('parseCredential', () => {
  it.each([
    ['Bearer abc.def', { kind: 'bearer', token: 'abc.def' }],
    ['bearer abc', { kind: 'bearer', token: 'abc' }],
    ['BEARER   abc  ', { kind: 'bearer', token: 'abc' }],
    [['Bearer abc'], { kind: 'bearer', token: 'abc' }],
  ] as const)('reads Authorization %j as a bearer token', (authorization, expected) => {
    expect(parseCredential({ authorization })).toEqual(expected);
  });

  it.each([
    ['abc'],
    ['Basic dXNlcjpwYXNz'],
    ['Bearer'],
    ['Bearer '],
    ['Bearer a b'],
    ['Bearerabc'],
    [''],
    [['Bearer a', 'Bearer b']],
  ] as const)('refuses Authorization %j as invalid, never as anonymous', (authorization) => {
    expect(parseCredential({ authorization, 'x-api-key': 'key-1' })).toEqual({ kind: 'invalid' });
  });

  it('reads X-API-Key when there is no Authorization header', () => {
    expect(parseCredential({ 'x-api-key': 'key-1' })).toEqual({ kind: 'api-key', key: 'key-1' });
    expect(parseCredential({ 'x-api-key': ['key-1', 'key-2'] })).toEqual({ kind: 'invalid' });
    expect(parseCredential({ 'x-api-key': '' })).toEqual({ kind: 'invalid' });
  });

  it('is none without either header', () => {
    expect(parseCredential({})).toEqual({ kind: 'none' });
    expect(parseCredential({ authorization: [] })).toEqual({ kind: 'none' });
  });
});

describe('wwwAuthenticate', () => {
  it('names the realm and says invalid_token only when a token was sent', () => {
    expect(wwwAuthenticate({ realm: 'nexus', tokenWasSent: false })).toBe('Bearer realm="nexus"');
    expect(wwwAuthenticate({ realm: 'nexus', tokenWasSent: true })).toBe('Bearer realm="nexus", error="invalid_token"');
    expect(wwwAuthenticate({ resourceMetadata: 'http://h/.well-known/oauth-protected-resource', tokenWasSent: true })).toBe(
      'Bearer error="invalid_token", resource_metadata="http://h/.well-known/oauth-protected-resource"',
    );
  });

  it('quotes a realm with quotes or non-ASCII characters into a writable header', () => {
    const value = wwwAuthenticate({ realm: 'a "q" ünï', tokenWasSent: false });
    expect(value).toBe('Bearer realm="a%20\\"q\\"%20%C3%BCn%C3%AF"');
    expect(wwwAuthenticate({ realm: 'My "API"', tokenWasSent: false })).toBe('Bearer realm="My \\"API\\""');
    expect(() => validateHeaderValue('www-authenticate', value)).not.toThrow();
  });
});

describe('encodeHeaderValue', () => {
  it.each([['plain-value 1'], ['tenant/ä'], ['日本語'], ['line\r\nbreak'], ['nul\u0000'], ['emoji 🚀'], ['lone \ud800 surrogate'], ['100%']])(
    'makes %j writable by Node and decodable',
    (value) => {
      const encoded = encodeHeaderValue(value);
      expect(() => validateHeaderValue('x-test', encoded)).not.toThrow();
      if (!value.includes('\ud800') && encoded !== value) expect(decodeURIComponent(encoded)).toBe(value);
    },
  );

  it('leaves printable ASCII alone', () => {
    expect(encodeHeaderValue('tenant-a')).toBe('tenant-a');
  });
});

describe('requestIdFrom', () => {
  it('keeps a safe id and replaces an unsafe or missing one', () => {
    expect(requestIdFrom({ 'x-request-id': 'abc-1' })).toBe('abc-1');
    expect(requestIdFrom({ 'x-request-id': ['abc-2', 'x'] })).toBe('abc-2');
    expect(requestIdFrom({ 'x-request-id': 'bad id!' })).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom({})).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('readJsonBody', () => {
  const chunks = (...parts: string[]) => Readable.from(parts.map((part) => Buffer.from(part)));
  const codeOf = async (promise: Promise<unknown>): Promise<NexusErrorCode | 'ok'> =>
    promise.then(
      () => 'ok',
      (error: unknown) => (error as NexusError).code,
    );

  it('parses a body that arrives in several chunks', async () => {
    await expect(readJsonBody(chunks('{"a":', '[1,', '"é"]}'), { limit: 100 })).resolves.toEqual({ a: [1, 'é'] });
  });

  it('reads no bytes as undefined', async () => {
    await expect(readJsonBody(chunks(), { limit: 100 })).resolves.toBeUndefined();
  });

  it('refuses more than the limit with PAYLOAD_TOO_LARGE and leaves the source open to answer on', async () => {
    const source = chunks('{"a":"', 'x'.repeat(50), '"}');
    expect(await codeOf(readJsonBody(source, { limit: 20 }))).toBe('PAYLOAD_TOO_LARGE');
    expect(source.destroyed).toBe(false);
    expect(await codeOf(readJsonBody(chunks('{"a":1}'), { limit: 7 }))).toBe('ok');
  });

  it('refuses malformed JSON with INVALID_INPUT', async () => {
    expect(await codeOf(readJsonBody(chunks('{"a":'), { limit: 100 }))).toBe('INVALID_INPUT');
  });

  it('refuses nesting deeper than 64 levels with INVALID_INPUT and accepts 64', async () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(await codeOf(readJsonBody(chunks(nested(64)), { limit: 1000 }))).toBe('ok');
    expect(await codeOf(readJsonBody(chunks(nested(65)), { limit: 1000 }))).toBe('INVALID_INPUT');
    expect(await codeOf(readJsonBody(chunks(`{"a":"${'['.repeat(100)}"}`), { limit: 1000 }))).toBe('ok');
    expect(await codeOf(readJsonBody(chunks(`{"a":"\\"${'['.repeat(100)}"}`), { limit: 1000 }))).toBe('ok');
    expect(await codeOf(readJsonBody(chunks(nested(5)), { limit: 1000, maxDepth: 4 }))).toBe('INVALID_INPUT');
  });
});
