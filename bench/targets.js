// The issue's targets as same-run ratios, each with the figures it comes from.
const row = (byId, id) => byId.get(id);

function line(name, value, goal, holds, detail, fmt) {
  if (!Number.isFinite(value)) return `| ${name} | n/a | ${goal} | not measured | ${detail} |`;
  return `| ${name} | ${fmt(value, 2)} | ${goal} | ${holds(value) ? 'met' : '**missed**'} | ${detail} |`;
}

/** Markdown lines: one row per target that this run measured the variants for. */
export function targets(byId, cli, fmt) {
  const out = [];
  const cpuRatio = (peer, ours) => {
    const a = row(byId, peer);
    const b = row(byId, ours);
    return a && b ? [a.cpu / b.cpu, `${fmt(a.cpu)} ÷ ${fmt(b.cpu)} µs CPU/req`] : undefined;
  };
  const add = (name, pair, goal, holds) => pair && out.push(line(name, pair[0], goal, holds, pair[1], fmt));
  const atLeast = (goal) => (value) => value >= goal;
  const atMost = (goal) => (value) => value <= goal;

  add('Fastify stack (cache off) CPU ÷ ours, one token', cpuRatio('fastify-stack', 'enterprise'), '≥ 1.1', atLeast(1.1));
  add('Fastify stack (cache on) CPU ÷ ours, one token', cpuRatio('fastify-stack-cache', 'enterprise'), '≥ 1.1', atLeast(1.1));
  add('Fastify stack (cache off) CPU ÷ ours, HS256 token pool', cpuRatio('fastify-stack-pool', 'enterprise-pool'), '≥ 1.1', atLeast(1.1));
  add('Fastify stack (cache on) CPU ÷ ours, HS256 token pool', cpuRatio('fastify-stack-pool-cache', 'enterprise-pool'), '≥ 1.1', atLeast(1.1));
  add('Fastify stack (cache off) CPU ÷ ours, RS256/JWKS token pool', cpuRatio('fastify-stack-jwks-pool', 'enterprise-jwks-pool'), '≥ 1.1', atLeast(1.1));
  add('Fastify stack (cache on) CPU ÷ ours, RS256/JWKS token pool', cpuRatio('fastify-stack-jwks-pool-cache', 'enterprise-jwks-pool'), '≥ 1.1', atLeast(1.1));
  const mcp = row(byId, 'mcp');
  const fastmcp = row(byId, 'fastmcp');
  if (mcp && fastmcp) {
    add('MCP channel (full stack) ÷ FastMCP, req/s', [mcp.rps / fastmcp.rps, `${fmt(mcp.rps)} ÷ ${fmt(fastmcp.rps)} req/s`], '≥ 5', atLeast(5));
    add('FastMCP CPU ÷ MCP channel (full stack)', cpuRatio('fastmcp', 'mcp'), '≥ 5', atLeast(5));
  }
  const rps = (ours, base) => {
    const a = row(byId, ours);
    const b = row(byId, base);
    return a && b ? [a.rps / b.rps, `${fmt(a.rps)} ÷ ${fmt(b.rps)} req/s`] : undefined;
  };
  add('API channel, no plugins ÷ bare node:http, req/s', rps('api', 'node-http'), '≥ 0.5', atLeast(0.5));
  add('enterprise stack ÷ bare Express, req/s', rps('enterprise', 'express'), '≥ 2.0', atLeast(2));
  add('enterprise stack ÷ bare Express, CPU', cpuRatio('express', 'enterprise'), '≥ 2.0', atLeast(2));
  const redis = row(byId, 'enterprise-redis');
  const memory = row(byId, 'enterprise');
  if (redis && memory) add('Redis limiter p99 ÷ memory limiter p99', [redis.p99 / memory.p99, `${fmt(redis.p99, 1)} ÷ ${fmt(memory.p99, 1)} ms`], '≤ 1.1', atMost(1.1));
  if (cli) {
    add('remote `nexus run echo --param message=hi` ÷ `node -e 0`, wall', [cli.remote / cli.node, `${fmt(cli.remote)} ÷ ${fmt(cli.node)} ms`], '≤ 2', atMost(2));
    add('in-process `cli.js run echo` ÷ `node -e 0`, wall', [cli.inProcess / cli.node, `${fmt(cli.inProcess)} ÷ ${fmt(cli.node)} ms`], '≤ 3', atMost(3));
  }
  if (out.length === 0) return [];
  return [
    '## Targets',
    `Same-run ratios${cli ? `; CLI rows: median wall time of ${cli.runs} interleaved runs each, a new process per call` : ''}.`,
    '',
    '| target | measured | goal | | from |',
    '|---|---:|---|---|---|',
    ...out,
  ];
}
