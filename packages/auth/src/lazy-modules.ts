import { createRequire } from 'node:module';
import type * as IORedis from 'ioredis';
import type JwksRsa from 'jwks-rsa';

const require = createRequire(import.meta.url);

/**
 * Drivers only some configurations need, loaded on first use: an app without Redis or JWKS (an
 * in-process CLI, say) starts about 150 ms sooner without them. Both are CommonJS, so a
 * synchronous require keeps their construction where it is.
 */
export const loadIoredis = (): typeof IORedis => require('ioredis') as typeof IORedis;
export const loadJwksRsa = (): typeof JwksRsa => require('jwks-rsa') as typeof JwksRsa;
