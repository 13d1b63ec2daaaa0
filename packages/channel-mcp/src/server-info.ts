/** How the server names itself in the MCP handshake. */
export const SERVER_INFO = { name: 'nexus', version: '0.1.0' } as const;
