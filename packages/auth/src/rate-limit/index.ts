export { createRateLimiter } from './limiter.js';
export type { RateLimiterHandle, RateLimiterInternals } from './limiter.js';
export type { RateLimitConfig, RouteLimit } from './config.js';
