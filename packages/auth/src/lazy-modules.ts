import { createRequire } from 'node:module';
import type * as IORedis from 'ioredis';
import type Jsonwebtoken from 'jsonwebtoken';
import type JwksRsa from 'jwks-rsa';
import type Winston from 'winston';
import type * as RateLimiterFlexible from 'rate-limiter-flexible';

const require = createRequire(import.meta.url);

/**
 * Drivers only some configurations need, loaded on first use: an app without Redis or JWKS (an
 * in-process CLI, say) starts about 150 ms sooner without them, one auditing to a file or a
 * function about 80 ms sooner without winston, and one that has refused no credential yet
 * without rate-limiter-flexible; verifying tokens needs no jsonwebtoken (node:crypto does it),
 * only minting one does. All are CommonJS, so a synchronous require keeps
 * their construction where it is.
 */
export const loadIoredis = (): typeof IORedis => require('ioredis') as typeof IORedis;
export const loadJwksRsa = (): typeof JwksRsa => require('jwks-rsa') as typeof JwksRsa;
export const loadWinston = (): typeof Winston => require('winston') as typeof Winston;
export const loadRateLimiterFlexible = (): typeof RateLimiterFlexible => require('rate-limiter-flexible') as typeof RateLimiterFlexible;
export const loadJsonwebtoken = (): typeof Jsonwebtoken => require('jsonwebtoken') as typeof Jsonwebtoken;
