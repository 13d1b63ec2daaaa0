// A minimal identity provider's key endpoint: one RSA key, served as a JWKS.
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench-key', alg: 'RS256', use: 'sig' };
const body = JSON.stringify({ keys: [jwk] });
const server = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port, privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }) })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
