export { RETRYABLE, createNdjsonChannel } from './ndjson-channel.js';
export type { NdjsonChannelOptions, NdjsonRequest } from './ndjson-channel.js';
