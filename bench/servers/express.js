// Baseline: what a team writes by hand. Same route, payload and response shape as the API channel.
import express from 'express';

const app = express();
app.use(express.json());
app.post('/workflows/echo/execute', (req, res) => {
  const started = performance.now();
  res.json({ result: { message: req.body.inputs.message }, requestId: req.get('x-request-id') ?? 'none', executionTimeMs: performance.now() - started });
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
