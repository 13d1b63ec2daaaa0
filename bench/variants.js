// The variants `pnpm bench` compares, and how to start and load each one.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, waitForHttp } from './harness.js';
import { hs256Pool, rs256Pool, signHs256, signRs256 } from './tokens.js';

const REFERENCE_MAIN = new URL('../apps/reference/dist/main.js', import.meta.url).pathname;
// A twin of a variant (`--against`) runs the same file from another checkout of this repository.
const referenceMain = (variant) => (variant.checkout === undefined ? REFERENCE_MAIN : join(variant.checkout, 'apps/reference/dist/main.js'));
const scriptOf = (variant) => (variant.checkout === undefined ? variant.script : join(variant.checkout, 'bench', variant.script));
export const SECRET = randomBytes(48).toString('base64url');
const ECHO_BODY = JSON.stringify({ inputs: { message: 'hello, nexus' } });
const MCP_BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hello, nexus' } } });
const JSON_HEADERS = { 'content-type': 'application/json' };
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
/** fast-jwt's verified-token cache, when on: the same size as ours (10,000) and its TTL (60 s). */
const FAST_JWT_CACHE = 10_000;
const STACK = 'HS256 + RBAC + tenant + memory limiter + file audit';

// kind: script (a file in servers/), reference (the reference app), stack (servers/fastify-stack.js).
// auth: hs256 | jwks; pool: every request a different token; quick: part of `--quick` (CI).
export const VARIANTS = [
  { id: 'node-http', label: 'bare node:http, JSON echo (the ceiling)', kind: 'script', script: 'servers/node-http.js', quick: true },
  { id: 'express', label: 'bare Express 5 + express.json()', kind: 'script', script: 'servers/express.js', quick: true },
  { id: 'fastify', baseline: 'express', label: 'bare Fastify 5', kind: 'script', script: 'servers/fastify.js' },
  { id: 'api', baseline: 'express', label: 'API channel, no plugins', kind: 'script', script: 'servers/api.js', quick: true },
  { id: 'enterprise', baseline: 'express', label: `enterprise stack: ${STACK}`, kind: 'reference', auth: 'hs256', quick: true },
  { id: 'fastify-stack', baseline: 'express', label: `Fastify 5 stack: ${STACK}, fast-jwt cache off`, kind: 'stack', auth: 'hs256', quick: true },
  { id: 'fastify-stack-cache', baseline: 'express', label: 'Fastify 5 stack, fast-jwt cache on', kind: 'stack', auth: 'hs256', cache: FAST_JWT_CACHE },
  { id: 'enterprise-pool', baseline: 'express', label: 'enterprise stack, HS256, a different token every request', kind: 'reference', auth: 'hs256', pool: true },
  { id: 'fastify-stack-pool', baseline: 'express', label: 'Fastify 5 stack, HS256, a different token every request, cache off', kind: 'stack', auth: 'hs256', pool: true },
  { id: 'fastify-stack-pool-cache', baseline: 'express', label: 'Fastify 5 stack, HS256, a different token every request, cache on', kind: 'stack', auth: 'hs256', pool: true, cache: FAST_JWT_CACHE },
  { id: 'enterprise-jwks', baseline: 'express', label: 'enterprise stack, RS256 via JWKS', kind: 'reference', auth: 'jwks' },
  { id: 'enterprise-jwks-pool', baseline: 'express', label: 'enterprise stack, RS256 via JWKS, a different token every request', kind: 'reference', auth: 'jwks', pool: true },
  { id: 'fastify-stack-jwks-pool', baseline: 'express', label: 'Fastify 5 stack, RS256 via JWKS, a different token every request, cache off', kind: 'stack', auth: 'jwks', pool: true },
  { id: 'fastify-stack-jwks-pool-cache', baseline: 'express', label: 'Fastify 5 stack, RS256 via JWKS, a different token every request, cache on', kind: 'stack', auth: 'jwks', pool: true, cache: FAST_JWT_CACHE },
  { id: 'enterprise-redis', baseline: 'express', label: 'enterprise stack, Redis limiter', kind: 'reference', auth: 'hs256', redis: true },
  { id: 'mcp-bare', label: 'bare MCP SDK stateless server (new server per request)', kind: 'script', script: 'servers/mcp-bare.js', mcp: true, quick: true },
  { id: 'fastmcp', baseline: 'mcp-bare', label: 'FastMCP, stateless HTTP stream, `authenticate` verifying the HS256 JWT', kind: 'script', script: 'servers/fastmcp.js', auth: 'hs256', mcp: true },
  { id: 'mcp', baseline: 'mcp-bare', label: 'MCP channel through the full enterprise stack', kind: 'reference', auth: 'hs256', mcp: true, quick: true },
];

// One identity provider and one token pool per algorithm, shared by the variants that use them.
const shared = { files: [] };
async function identityProvider() {
  shared.idp ??= startServer({ script: 'servers/jwks.js' });
  const idp = await shared.idp;
  return { url: `http://127.0.0.1:${idp.info.port}/jwks.json`, privateKey: idp.info.privateKey };
}
async function credentials(variant) {
  if (variant.auth === 'jwks') {
    const idp = await identityProvider();
    if (variant.pool) shared.rsPool ??= rs256Pool(idp.privateKey);
    return { env: { jwksUrl: idp.url }, token: signRs256(idp.privateKey), tokenFile: variant.pool ? shared.rsPool : undefined };
  }
  if (variant.pool) shared.hsPool ??= hs256Pool(SECRET);
  return { env: { secret: SECRET }, token: signHs256(SECRET), tokenFile: variant.pool ? shared.hsPool : undefined };
}

/** Stops the shared identity provider and removes the token pools. */
export async function stopShared() {
  if (shared.idp) await (await shared.idp).stop();
  for (const file of [shared.hsPool, shared.rsPool]) if (file) rmSync(file, { force: true });
}

/** Stopping a server also removes its audit file: a long run writes hundreds of megabytes. */
function withCleanup(server, file) {
  return { ...server, stop: async () => {
    await server.stop();
    rmSync(file, { force: true });
  } };
}

const auditFile = (variant) => join(tmpdir(), `nexus-bench-audit-${variant.id}-${process.pid}.log`);

function loadSpec(variant, base, auth) {
  const authorization = auth ? { authorization: `Bearer ${auth.token}` } : {};
  return variant.mcp
    ? { url: `${base}/mcp`, headers: { ...MCP_HEADERS, ...authorization }, body: MCP_BODY }
    : { url: `${base}/workflows/echo/execute`, headers: { ...JSON_HEADERS, ...authorization }, body: ECHO_BODY, ...(auth?.tokenFile ? { tokenFile: auth.tokenFile } : {}) };
}

async function startReference(variant, auth) {
  const env = {
    NEXUS_HOST: '127.0.0.1',
    NEXUS_API_PORT: String(await freePort()),
    NEXUS_MCP_PORT: String(await freePort()),
    // Limits on, but out of reach of one benchmark principal: the limiter runs on every call.
    NEXUS_RATE_LIMIT_RPM: String(variant.rpm ?? 10_000_000),
    NEXUS_AUDIT_FILE: auditFile(variant),
    REDIS_URL: variant.redis ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : '',
    NEXUS_JWT_SECRET: auth.env.secret ?? '',
    NEXUS_JWKS_URL: auth.env.jwksUrl ?? '',
  };
  const server = withCleanup(await startServer({ script: referenceMain(variant), env, execArgv: variant.execArgv, ready: () => waitForHttp(`http://127.0.0.1:${env.NEXUS_API_PORT}/health/ready`) }), env.NEXUS_AUDIT_FILE);
  const port = variant.mcp ? env.NEXUS_MCP_PORT : env.NEXUS_API_PORT;
  return { ...server, token: auth.token, tokenFile: auth.tokenFile, mcpUrl: `http://127.0.0.1:${env.NEXUS_MCP_PORT}/mcp`, apiUrl: `http://127.0.0.1:${env.NEXUS_API_PORT}`, load: loadSpec(variant, `http://127.0.0.1:${port}`, auth) };
}

export async function startVariant(variant) {
  const auth = variant.auth ? await credentials(variant) : undefined;
  if (variant.kind === 'reference') return startReference(variant, auth);
  const env = {
    BENCH_JWT_SECRET: auth?.env.secret ?? '',
    BENCH_JWKS_URL: auth?.env.jwksUrl ?? '',
    BENCH_JWT_CACHE: String(variant.cache ?? 0),
    BENCH_AUDIT_FILE: auditFile(variant),
  };
  const server = withCleanup(await startServer({ script: variant.kind === 'stack' ? 'servers/fastify-stack.js' : scriptOf(variant), env, execArgv: variant.execArgv }), env.BENCH_AUDIT_FILE);
  return { ...server, load: loadSpec(variant, `http://127.0.0.1:${server.info.port}`, auth) };
}
