import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { resolveJwtConfig } from '../../src/jwt/config.js';
import type { JWTConfig, JwtAlgorithm } from '../../src/jwt/config.js';
import { CredentialRejected } from '../../src/jwt/errors.js';
import { createVerifier } from '../../src/jwt/verifier.js';
import { oracleVerify } from './jsonwebtoken-oracle.js';

/**
 * Tokens are verified with node:crypto behind the pinned-algorithm policy; jsonwebtoken 9 did
 * it before. Every token of a large corpus (valid, expired, forged, malformed, confused,
 * unsigned, odd claims, odd signatures, for every algorithm family) must get the same answer
 * from both: the same principal, or a refusal with the same reason word.
 */
const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!';
const NOW = 1_800_000_000;
const ISS = 'https://id.example.com';
const AUD = 'nexus-api';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
const ec = { ES256: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }), ES384: generateKeyPairSync('ec', { namedCurve: 'secp384r1' }), ES512: generateKeyPairSync('ec', { namedCurve: 'secp521r1' }) };
const rsaPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const HASH = { '256': 'sha256', '384': 'sha384', '512': 'sha512' } as const;

/** Signs any header and payload text the way a JWS signer would, so odd tokens still carry valid signatures. */
function signed(alg: string, key: KeyObject | string, header: unknown, payload: unknown): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const hash = HASH[alg.slice(2) as keyof typeof HASH] ?? 'sha256';
  let signature: Buffer;
  if (alg.startsWith('HS')) signature = createHmac(hash, key).update(input).digest();
  else if (alg.startsWith('ES')) signature = sign(hash, Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else signature = sign(hash, Buffer.from(input), key as KeyObject);
  return `${input}.${signature.toString('base64url')}`;
}

interface Setup {
  readonly name: string;
  readonly config: JWTConfig;
  readonly alg: JwtAlgorithm;
  readonly signKey: KeyObject | string;
}

const SETUPS: Setup[] = [
  { name: 'HS256 with issuer and audience', config: { secret: SECRET, issuer: ISS, audience: AUD }, alg: 'HS256', signKey: SECRET },
  { name: 'HS256 with lists, leeway and maxTokenAge', config: { secret: SECRET, issuer: [ISS, 'https://b.example.com'], audience: ['a', AUD], leeway: 30, maxTokenAge: 300 }, alg: 'HS256', signKey: SECRET },
  { name: 'HS384 without exp required', config: { secret: `${SECRET}${SECRET}`, algorithm: 'HS384', verifyExp: false, rolesClaim: 'groups' }, alg: 'HS384', signKey: `${SECRET}${SECRET}` },
  { name: 'HS512', config: { secret: `${SECRET}${SECRET}`, algorithm: 'HS512' }, alg: 'HS512', signKey: `${SECRET}${SECRET}` },
  { name: 'RS256 with issuer', config: { publicKey: rsaPem, algorithm: 'RS256', issuer: ISS }, alg: 'RS256', signKey: rsa.privateKey },
  { name: 'RS512', config: { publicKey: rsa.publicKey, algorithm: 'RS512' }, alg: 'RS512', signKey: rsa.privateKey },
  { name: 'RS256 with an RSA-PSS key', config: { publicKey: pss.publicKey, algorithm: 'RS256' }, alg: 'RS256', signKey: pss.privateKey },
  { name: 'ES256', config: { publicKey: ec.ES256.publicKey, algorithm: 'ES256', audience: AUD }, alg: 'ES256', signKey: ec.ES256.privateKey },
  { name: 'ES384', config: { publicKey: ec.ES384.publicKey, algorithm: 'ES384' }, alg: 'ES384', signKey: ec.ES384.privateKey },
  { name: 'ES512', config: { publicKey: ec.ES512.publicKey, algorithm: 'ES512', leeway: 5 }, alg: 'ES512', signKey: ec.ES512.privateKey },
  { name: 'ES256 with a P-384 key', config: { publicKey: ec.ES384.publicKey, algorithm: 'ES256' }, alg: 'ES256', signKey: ec.ES384.privateKey },
];

const good = { sub: 'alice', iss: ISS, aud: AUD, iat: NOW, exp: NOW + 600, roles: ['dev', 'ops'], groups: ['g1'] };
const PAYLOADS: [string, unknown][] = [
  ['valid claims', good],
  ['expired', { ...good, exp: NOW - 1 }],
  ['exp at now', { ...good, exp: NOW }],
  ['exp 30 s ago', { ...good, exp: NOW - 30 }],
  ['exp 29 s ago', { ...good, exp: NOW - 29 }],
  ['exp as a string', { ...good, exp: String(NOW + 600) }],
  ['exp null', { ...good, exp: null }],
  ['no exp', { ...good, exp: undefined }],
  ['fractional exp', { ...good, exp: NOW + 0.5 }],
  ['nbf in the future', { ...good, nbf: NOW + 1 }],
  ['nbf 30 s ahead', { ...good, nbf: NOW + 30 }],
  ['nbf 31 s ahead', { ...good, nbf: NOW + 31 }],
  ['nbf as a string', { ...good, nbf: 'soon' }],
  ['nbf now', { ...good, nbf: NOW }],
  ['no iat', { ...good, iat: undefined }],
  ['iat as a string', { ...good, iat: 'then' }],
  ['iat 300 s ago', { ...good, iat: NOW - 300 }],
  ['iat 330 s ago', { ...good, iat: NOW - 330 }],
  ['iat 331 s ago', { ...good, iat: NOW - 331 }],
  ['another issuer', { ...good, iss: 'https://evil.example.com' }],
  ['the second listed issuer', { ...good, iss: 'https://b.example.com' }],
  ['no issuer', { ...good, iss: undefined }],
  ['issuer as a list', { ...good, iss: [ISS] }],
  ['audience list holding ours', { ...good, aud: ['x', AUD] }],
  ['audience list without ours', { ...good, aud: ['x', 'y'] }],
  ['another audience', { ...good, aud: 'other' }],
  ['no audience', { ...good, aud: undefined }],
  ['the other listed audience', { ...good, aud: 'a' }],
  ['no subject', { ...good, sub: undefined }],
  ['an empty subject', { ...good, sub: '' }],
  ['a numeric subject', { ...good, sub: 42 }],
  ['a lone surrogate subject', { ...good, sub: 'vic\ud800' }],
  ['a control character subject', { ...good, sub: 'a\u0007' }],
  ['roles as a string', { ...good, roles: 'admin' }],
  ['roles as an object', { ...good, roles: { admin: true } }],
  ['an array payload', [good]],
  ['a number payload', 123],
  ['a string payload', '"alice"'],
  ['a null payload', 'null'],
  ['a payload that is not JSON', 'not json {'],
  ['an empty payload', ''],
  ['a payload with a BOM', `\ufeff${JSON.stringify(good)}`],
];

type Header = Record<string, unknown> | unknown[] | string;
const headersFor = (alg: string): [string, Header][] => [
  ['alg only', { alg }],
  ['typ JWT', { alg, typ: 'JWT' }],
  ['typ jwt lower case', { alg, typ: 'jwt' }],
  ['a string kid', { alg, kid: 'k1' }],
  ['a numeric kid', { alg, kid: 5 }],
  ['alg none', { alg: 'none' }],
  ['alg None', { alg: 'None', typ: 'JWT' }],
  ['alg in lower case', { alg: alg.toLowerCase() }],
  ['another algorithm of the family', { alg: alg.endsWith('256') ? `${alg.slice(0, 2)}384` : `${alg.slice(0, 2)}256` }],
  ['HS256 (key confusion)', { alg: 'HS256' }],
  ['RS256', { alg: 'RS256' }],
  ['ES256', { alg: 'ES256' }],
  ['PS256', { alg: 'PS256' }],
  ['crit', { alg, crit: ['b64'], b64: false }],
  ['a list header', [alg]],
  ['a null header', 'null'],
  ['a header that is not JSON', `{"alg":"${alg}"`],
  ['alg as a list', { alg: [alg] }],
];

interface Case {
  readonly setup: Setup;
  readonly label: string;
  readonly token: string;
}

function corpus(setup: Setup): Case[] {
  const cases: Case[] = [];
  const add = (label: string, token: string) => cases.push({ setup, label, token });
  for (const [headerName, header] of headersFor(setup.alg)) {
    const alg = typeof header === 'object' && !Array.isArray(header) && typeof header.alg === 'string' ? header.alg : setup.alg;
    for (const [payloadName, payload] of PAYLOADS) {
      // Signed with the configured key whatever the header claims; HS headers on RS/ES setups also signed with the public key PEM.
      add(`${headerName} / ${payloadName}`, signed(setup.alg, setup.signKey, header, payload));
      if (alg.startsWith('HS') && !setup.alg.startsWith('HS')) add(`${headerName} / ${payloadName} / HMAC with the public key PEM`, signed(alg, rsaPem, header, payload));
    }
  }
  const valid = signed(setup.alg, setup.signKey, { alg: setup.alg, typ: 'JWT' }, good);
  const [h, p, s] = valid.split('.') as [string, string, string];
  const flip = (text: string, at: number) => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
  add('a valid token', valid);
  add('a flipped signature character', `${h}.${p}.${flip(s, 3)}`);
  add('a flipped last signature character', `${h}.${p}.${flip(s, s.length - 1)}`);
  add('a signature with its last character in unused bits changed', `${h}.${p}.${s.slice(0, -1)}${String.fromCharCode(s.charCodeAt(s.length - 1) ^ 1)}`);
  add('a truncated signature', `${h}.${p}.${s.slice(0, -4)}`);
  add('a signature with one more character', `${h}.${p}.${s}A`);
  add('a signature with four more characters', `${h}.${p}.${s}AAAA`);
  add('a one-character signature', `${h}.${p}.A`);
  add('no signature', `${h}.${p}.`);
  add('two segments', `${h}.${p}`);
  add('four segments', `${valid}.${s}`);
  add('padding in the signature', `${h}.${p}.${s}==`);
  add('base64 (not url) characters', `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}+`);
  add('a flipped payload character', `${h}.${flip(p, 5)}.${s}`);
  add('whitespace', ` ${valid}`);
  add('an empty token', '');
  add('a signature by another key', signed(setup.alg, setup.alg.startsWith('HS') ? `${SECRET}-other` : setup.alg.startsWith('RS') ? otherRsa.privateKey : ec.ES256.privateKey, { alg: setup.alg }, good));
  if (setup.alg.startsWith('ES')) {
    const input = `${h}.${p}`;
    const der = sign(HASH[setup.alg.slice(2) as keyof typeof HASH], Buffer.from(input), setup.signKey as KeyObject);
    add('a DER-encoded ECDSA signature', `${input}.${der.toString('base64url')}`);
    add('an ECDSA signature one byte short', `${input}.${Buffer.from(s, 'base64url').subarray(1).toString('base64url')}`);
    add('an all-zero ECDSA signature', `${input}.${Buffer.alloc(Buffer.from(s, 'base64url').length).toString('base64url')}`);
  }
  if (setup.alg.startsWith('RS')) add('an RSA signature one byte short', `${h}.${p}.${Buffer.from(s, 'base64url').subarray(1).toString('base64url')}`);
  add('a token over the length limit', `${h}.${p}.${'A'.repeat(9000)}`);
  return cases;
}

beforeAll(() => {
  jest.useFakeTimers({ now: NOW * 1000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
});
afterAll(() => {
  jest.useRealTimers();
});

async function answer(verify: (token: string) => Promise<{ id: string; roles: readonly string[] }>, token: string): Promise<string> {
  try {
    const principal = await verify(token);
    return `principal:${principal.id}:${principal.roles.join(',')}`;
  } catch (error) {
    if (error instanceof CredentialRejected) return `refused:${error.reason}`;
    throw error;
  }
}

describe.each(SETUPS.map((setup) => [setup.name, setup] as const))('%s: the same answer as jsonwebtoken 9', (_name, setup) => {
  it('for every token of the corpus', async () => {
    const resolved = resolveJwtConfig({ ...setup.config, tokenCacheSize: 0 } as JWTConfig);
    const verifier = createVerifier(resolved);
    const cases = corpus(setup);
    const differences: string[] = [];
    const answers = new Set<string>();
    for (const { label, token } of cases) {
      const expected = oracleVerify(resolved, resolved.staticKey!, token, NOW);
      const actual = await answer((t) => verifier.verify(t), token);
      answers.add(expected);
      if (actual !== expected) differences.push(`${label}: ${actual}, jsonwebtoken ${expected}`);
    }
    expect(differences).toEqual([]);
    // The corpus reaches both sides of the policy: accepted tokens and several refusal reasons.
    expect([...answers].some((text) => text.startsWith('principal:'))).toBe(setup.name !== 'RS256 with an RSA-PSS key' && setup.name !== 'ES256 with a P-384 key');
    expect([...answers].filter((text) => text.startsWith('refused:')).length).toBeGreaterThan(4);
    verifier.close();
  });
});
