// Baseline: the same route, payload and response shape written by hand on bare Express 5.
import express from 'express';

const app = express();
app.use(express.json());
app.post('/workflows/:name/execute', (req, res) => {
  const started = performance.now();
  res.json({ result: { message: req.body.inputs.message }, requestId: req.get('x-request-id') ?? 'none', executionTimeMs: performance.now() - started });
});
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
