export { createMcpChannel } from './channel.js';
export type { McpChannel, McpChannelOptions } from './channel.js';
export { METADATA_PATH, McpHttpServer } from './http/server.js';
export type { McpHttpOptions } from './http/options.js';
export { serveMcpStdio } from './stdio.js';
export type { McpStdioOptions, McpStdioServer } from './stdio.js';
export { META_ERROR, META_RATE_LIMIT, META_REQUEST_ID } from './render.js';
