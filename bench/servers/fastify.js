// Bare Fastify 5: the same route, payload and response shape, no auth, limits, schema or audit.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/workflows/echo/execute', async (request) => {
  const started = performance.now();
  return { result: { message: request.body.inputs.message }, requestId: request.id, executionTimeMs: performance.now() - started };
});
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ port: app.server.address().port })}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
