import { resolveServerLimits } from '@nexus/core';
import type { Channel, ChannelAddress, Nexus } from '@nexus/core';
import { METADATA_PATH, McpHttpServer } from './http/server.js';
import type { McpHttpOptions } from './http/server.js';
import { serveMcpStdio } from './stdio.js';
import type { McpStdioOptions, McpStdioServer } from './stdio.js';

export type McpChannelOptions =
  | ({ readonly transport?: 'http' } & McpHttpOptions)
  | ({ readonly transport: 'stdio' } & McpStdioOptions);

/** A Nexus channel speaking MCP; `address()` reports where the HTTP transport listens. */
export interface McpChannel extends Channel {
  address(): { host: string; port: number; url: string } | undefined;
}

/**
 * The MCP channel: one tool per operation, served over Streamable HTTP (default) or stdio.
 * @example
 * app.addChannel(createMcpChannel());               // http://127.0.0.1:3001/mcp
 * app.addChannel(createMcpChannel({ port: 0 }));    // a free port; see address()
 * app.addChannel(createMcpChannel({ transport: 'stdio' }));
 */
export function createMcpChannel(options: McpChannelOptions = {}): McpChannel {
  // Bad listener limits fail here, at set-up, not when the app starts.
  if (options.transport !== 'stdio') resolveServerLimits(options);
  let http: McpHttpServer | undefined;
  let stdio: McpStdioServer | undefined;
  let stdioOpen = false;
  let attached: Nexus | undefined;
  const attach = (app: Nexus) => {
    if (attached === app) return;
    attached = app;
    // /health reports a listener that is down, as the API channel does for its own.
    app.addHealthCheck('channel:mcp', () => {
      if (options.transport === 'stdio') return stdioOpen ? { status: 'healthy' } : { status: 'unhealthy', detail: 'stdio closed' };
      return http?.listening ? { status: 'healthy' } : { status: 'unhealthy', detail: 'not listening' };
    });
  };
  return {
    name: 'mcp',
    attach,
    routes() {
      if (options.transport === 'stdio') return [];
      const path = options.path ?? '/mcp';
      return [path, METADATA_PATH, `${METADATA_PATH}${path}`];
    },
    async start(app: Nexus): Promise<ChannelAddress | undefined> {
      attach(app);
      if (options.transport === 'stdio') {
        const server = serveMcpStdio(app, options);
        stdio = server;
        stdioOpen = true;
        void server.closed.then(() => {
          if (stdio === server) stdioOpen = false;
        });
        return undefined;
      }
      http = new McpHttpServer(app, options);
      await http.listen();
      const address = http.address();
      return address === undefined ? undefined : { channel: 'mcp', url: address.url };
    },
    async stop({ graceMs }) {
      stdioOpen = false;
      await stdio?.close();
      await http?.close(graceMs);
    },
    address: () => http?.address(),
  };
}
