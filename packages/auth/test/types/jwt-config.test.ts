import { describe, expect, it } from '@jest/globals';
import type { JWTConfig } from '../../src/index.js';

// Checked by the typecheck step: each expect-error directive fails the build if the union stops refusing the config.
describe('JWTConfig', () => {
  it('takes exactly one key: a secret, a public key or a JWKS URL', () => {
    const configs: JWTConfig[] = [
      { secret: 'a-secret-of-at-least-thirty-two-bytes!!' },
      { publicKey: '-----BEGIN PUBLIC KEY-----', algorithm: 'RS256' },
      { jwksUrl: 'https://idp.example/jwks.json', issuer: 'https://idp.example' },
    ];
    // @ts-expect-error no key at all
    const none: JWTConfig = { issuer: 'x' };
    // @ts-expect-error two keys
    const both: JWTConfig = { secret: 'a-secret-of-at-least-thirty-two-bytes!!', jwksUrl: 'https://idp.example/jwks.json' };
    expect([...configs, none, both]).toHaveLength(5);
  });
});
