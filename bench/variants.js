// The variants `pnpm bench` compares, and how to start and load each one.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { freePort, median, startServer, waitForHttp } from './harness.js';

const REFERENCE_MAIN = new URL('../apps/reference/dist/main.js', import.meta.url).pathname;
const REFERENCE_CLI = new URL('../apps/reference/dist/cli.js', import.meta.url).pathname;
const SECRET = randomBytes(48).toString('base64url');
const ECHO_BODY = JSON.stringify({ inputs: { message: 'hello, nexus' } });
const MCP_BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'hello, nexus' } } });
const JSON_HEADERS = { 'content-type': 'application/json' };
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** A developer (execute:*) in tenant "bench"; a fresh subject per run keeps Redis budgets apart. */
const claims = () => ({ sub: `bench-${randomUUID()}`, roles: ['developer'], tenant_id: 'bench' });

export const VARIANTS = [
  { id: 'express', baseline: undefined, label: 'bare Express 5 + express.json()', kind: 'script', script: 'servers/express.js' },
  { id: 'api', baseline: 'express', label: 'API channel, no plugins', kind: 'script', script: 'servers/api.js' },
  { id: 'enterprise', baseline: 'express', label: 'enterprise stack: HS256 + RBAC + tenant + memory limiter + file audit', kind: 'reference', auth: 'hs256' },
  { id: 'enterprise-jwks', baseline: 'express', label: 'enterprise stack, RS256 via JWKS', kind: 'reference', auth: 'jwks' },
  { id: 'enterprise-redis', baseline: 'express', label: 'enterprise stack, Redis limiter', kind: 'reference', auth: 'hs256', redis: true },
  { id: 'mcp-bare', baseline: undefined, label: 'bare MCP SDK stateless server (new server per request)', kind: 'script', script: 'servers/mcp-bare.js', mcp: true },
  { id: 'mcp', baseline: 'mcp-bare', label: 'MCP channel through the full enterprise stack', kind: 'reference', auth: 'hs256', mcp: true },
];

async function startReference(variant) {
  const extra = [];
  const env = {
    NEXUS_HOST: '127.0.0.1',
    NEXUS_API_PORT: String(await freePort()),
    NEXUS_MCP_PORT: String(await freePort()),
    // Limits on, but out of reach of one benchmark principal: the limiter runs on every call.
    NEXUS_RATE_LIMIT_RPM: '10000000',
    NEXUS_AUDIT_FILE: join(tmpdir(), `nexus-bench-audit-${variant.id}-${process.pid}.log`),
    REDIS_URL: variant.redis ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : '',
    NEXUS_JWT_SECRET: '',
    NEXUS_JWKS_URL: '',
  };
  let token;
  if (variant.auth === 'jwks') {
    const idp = await startServer({ script: 'servers/jwks.js' });
    extra.push(idp);
    env.NEXUS_JWKS_URL = `http://127.0.0.1:${idp.info.port}/jwks.json`;
    token = jwt.sign(claims(), idp.info.privateKey, { algorithm: 'RS256', keyid: 'bench-key', expiresIn: '2h' });
  } else {
    env.NEXUS_JWT_SECRET = SECRET;
    token = jwt.sign(claims(), SECRET, { algorithm: 'HS256', expiresIn: '2h' });
  }
  const server = await startServer({
    script: REFERENCE_MAIN,
    env,
    ready: () => waitForHttp(`http://127.0.0.1:${env.NEXUS_API_PORT}/health/ready`),
  });
  const port = variant.mcp ? env.NEXUS_MCP_PORT : env.NEXUS_API_PORT;
  return {
    ...server,
    token,
    stop: async () => {
      await server.stop();
      for (const process of extra) await process.stop();
    },
    load: variant.mcp
      ? { url: `http://127.0.0.1:${port}/mcp`, headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` }, body: MCP_BODY }
      : { url: `http://127.0.0.1:${port}/workflows/echo/execute`, headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` }, body: ECHO_BODY },
  };
}

export async function startVariant(variant) {
  if (variant.kind === 'reference') return startReference(variant);
  const server = await startServer({ script: variant.script });
  const base = `http://127.0.0.1:${server.info.port}`;
  return {
    ...server,
    load: variant.mcp
      ? { url: `${base}/mcp`, headers: MCP_HEADERS, body: MCP_BODY }
      : { url: `${base}/workflows/echo/execute`, headers: JSON_HEADERS, body: ECHO_BODY },
  };
}

/** Wall time of the in-process CLI: a new process per call, as a shell script would run it. */
export async function measureCli(runs = 7) {
  const token = jwt.sign(claims(), SECRET, { algorithm: 'HS256', expiresIn: '1h' });
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const child = spawn(process.execPath, [REFERENCE_CLI, 'run', 'echo', '--input', '{"message":"hello"}', '--output', 'json'], {
      env: { ...process.env, NEXUS_JWT_SECRET: SECRET, NEXUS_TOKEN: token, REDIS_URL: '', NEXUS_AUDIT_FILE: join(tmpdir(), 'nexus-bench-cli-audit.log') },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const [code] = await once(child, 'exit');
    if (code !== 0) throw new Error(`the CLI exited with ${code}`);
    times.push(performance.now() - started);
  }
  return { medianMs: median(times), runs };
}
