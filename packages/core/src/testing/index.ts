export { runChannelConformance } from './conformance.js';
export type { ConformanceOptions, TestApi } from './conformance.js';
export type { ChannelUnderTest, ConformanceCall, ConformanceDriver, ConformanceOutcome, RawConformanceCall } from './driver.js';
export { CONFORMANCE_LIMITED_CALLS, CONFORMANCE_SECRET, createConformanceApp } from './fixtures.js';
export type { ConformanceApp, ConformanceAuditRecord, ConformanceAuth, ConformanceProbe } from './fixtures.js';
export { createMemoryChannel, memoryChannelUnderTest } from './memory-channel.js';
export type { MemoryChannel } from './memory-channel.js';
export { runIdempotencyConformance } from './idempotency.js';
export type { IdempotencyConformanceOptions } from './idempotency.js';
