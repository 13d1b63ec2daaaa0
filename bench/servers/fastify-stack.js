// The hand-glued Fastify 5 stack a team would pick instead of Nexus: @fastify/jwt verifying every
// request (HS256, or RS256 with keys from a JWKS via get-jwks), @fastify/rate-limit keyed by
// tenant and principal, RBAC and tenant checks as hooks, a JSON-schema-validated body and one pino
// audit line per request (authorization redacted) to a file.
// Env: BENCH_JWT_SECRET or BENCH_JWKS_URL; BENCH_JWT_CACHE (fast-jwt verified-token cache size,
// 0 = off, its default); BENCH_AUDIT_FILE.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import fastifyJwt from '@fastify/jwt';
import rateLimit from '@fastify/rate-limit';
import buildGetJwks from 'get-jwks';
import pino from 'pino';

const ROLES = { admin: ['*'], developer: ['read:*', 'write:*', 'execute:*'], operator: ['read:*', 'execute:monitoring'] };
const cacheSize = Number(process.env.BENCH_JWT_CACHE ?? 0);
const audit = pino(
  { base: undefined, redact: { paths: ['headers.authorization', 'headers.cookie'], censor: '[REDACTED]' } },
  pino.destination({ dest: process.env.BENCH_AUDIT_FILE, sync: false, mkdir: true }),
);

function allowed(roles, permission) {
  for (const role of Array.isArray(roles) ? roles : []) {
    for (const granted of ROLES[role] ?? []) {
      if (granted === '*' || granted === permission) return true;
      if (granted.endsWith(':*') && permission.startsWith(granted.slice(0, -1))) return true;
    }
  }
  return false;
}

const app = Fastify({ logger: false, genReqId: (req) => req.headers['x-request-id'] ?? randomUUID(), bodyLimit: 1_048_576, ajv: { customOptions: { coerceTypes: false } } });
const jwks = process.env.BENCH_JWKS_URL ? new URL(process.env.BENCH_JWKS_URL) : undefined;
const getJwks = jwks ? buildGetJwks({ jwksPath: jwks.pathname, max: 100, ttl: 600_000 }) : undefined;
await app.register(fastifyJwt, {
  secret: getJwks ? (request, token) => getJwks.getPublicKey({ kid: token.header.kid, alg: token.header.alg, domain: jwks.origin }) : process.env.BENCH_JWT_SECRET,
  decode: { complete: Boolean(getJwks) },
  verify: { algorithms: [getJwks ? 'RS256' : 'HS256'], ...(cacheSize > 0 ? { cache: cacheSize, cacheTTL: 60_000 } : {}) },
});

app.addHook('onRequest', async (request, reply) => {
  request.startedAt = performance.now();
  reply.header('x-request-id', request.id);
  try {
    await request.jwtVerify();
  } catch {
    request.outcome = 'unauthenticated';
    return reply.code(401).send({ error: 'unauthorized' });
  }
  const { tenant_id: tenant, roles, sub } = request.user;
  if (typeof sub !== 'string' || typeof tenant !== 'string') {
    request.outcome = 'denied';
    return reply.code(403).send({ error: 'forbidden' });
  }
  const asked = request.headers['x-tenant-id'];
  if (asked !== undefined && asked !== tenant && !roles?.includes('admin')) {
    request.outcome = 'denied';
    return reply.code(403).send({ error: 'tenant mismatch' });
  }
  request.tenant = asked ?? tenant;
  reply.header('x-tenant-id', request.tenant);
});
await app.register(rateLimit, {
  max: Number(process.env.BENCH_RATE_LIMIT_RPM ?? 10_000_000),
  timeWindow: 60_000,
  hook: 'preValidation',
  keyGenerator: (request) => `${request.tenant}:${request.user.sub}`,
});

app.addHook('onResponse', async (request, reply) => {
  audit.info({
    requestId: request.id,
    channel: 'api',
    operation: request.routeOptions.config.operation ?? null,
    status: reply.statusCode,
    outcome: request.outcome ?? (reply.statusCode < 400 ? 'allowed' : 'error'),
    principal: request.user?.sub ?? null,
    roles: request.user?.roles ?? [],
    tenant: request.tenant ?? null,
    clientAddress: request.ip,
    durationMs: performance.now() - request.startedAt,
    method: request.method,
    path: request.url,
    headers: request.headers,
  });
});

const schema = {
  body: {
    type: 'object',
    required: ['inputs'],
    additionalProperties: false,
    properties: { inputs: { type: 'object', required: ['message'], additionalProperties: false, properties: { message: { type: 'string', maxLength: 10_000 } } } },
  },
};
app.post('/workflows/echo/execute', {
  schema,
  config: { operation: 'echo' },
  preHandler: async (request, reply) => {
    if (!allowed(request.user.roles, 'execute:echo')) {
      request.outcome = 'denied';
      return reply.code(403).send({ error: 'forbidden' });
    }
  },
}, async (request) => {
  const started = performance.now();
  return { result: { message: request.body.inputs.message }, requestId: request.id, executionTimeMs: performance.now() - started };
});

await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ port: app.server.address().port })}\n`);
process.on('SIGTERM', () => app.close().then(() => { audit.flush(); process.exit(0); }));
