// FastMCP, the framework a team would pick for an MCP server: its HTTP stream transport,
// stateless, with its `authenticate` hook verifying the same HS256 JWT on every request.
import { createServer } from 'node:net';
import { once } from 'node:events';
import { FastMCP } from 'fastmcp';
import jwt from 'jsonwebtoken';
import { z } from 'zod';

const secret = process.env.BENCH_JWT_SECRET;
const unauthorized = () => new Response(null, { status: 401, statusText: 'Unauthorized' });

const server = new FastMCP({
  name: 'fastmcp-bench',
  version: '1.0.0',
  authenticate: async (request) => {
    const header = request.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) throw unauthorized();
    try {
      const claims = jwt.verify(header.slice(7), secret, { algorithms: ['HS256'] });
      return { sub: claims.sub, roles: claims.roles, tenant: claims.tenant_id };
    } catch {
      throw unauthorized();
    }
  },
});
server.addTool({
  name: 'echo',
  description: 'Echo',
  parameters: z.object({ message: z.string() }),
  execute: async ({ message }) => JSON.stringify({ message }),
});

// FastMCP takes a port, not 0: pick a free one first.
const probe = createServer().listen(0, '127.0.0.1');
await once(probe, 'listening');
const { port } = probe.address();
await new Promise((resolve) => probe.close(resolve));
await server.start({ transportType: 'httpStream', httpStream: { port, host: '127.0.0.1', endpoint: '/mcp', stateless: true } });
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => server.stop().then(() => process.exit(0)));
