// The platform ceiling: node:http alone, reading and parsing the same JSON body, same response shape.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const server = createServer((req, res) => {
  const started = performance.now();
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let message;
    try {
      message = JSON.parse(Buffer.concat(chunks).toString('utf8')).inputs.message;
    } catch {
      res.writeHead(400).end();
      return;
    }
    const requestId = req.headers['x-request-id'] ?? randomUUID();
    const body = JSON.stringify({ result: { message }, requestId, executionTimeMs: performance.now() - started });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId }).end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
