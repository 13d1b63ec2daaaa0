// Runs one autocannon load in its own process, so the load generator never shares a core's
// event loop with the server it measures. Prints one JSON line of results.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const spec = JSON.parse(process.argv[2]);
// A token pool (one token a line): every request carries the next one, so a verified-token
// cache smaller than the pool never hits. Rotating costs the load process, not the server.
const pool = spec.tokenFile ? readFileSync(spec.tokenFile, 'utf8').split('\n').filter(Boolean).map((token) => `Bearer ${token}`) : undefined;
let next = 0;
const pooled = (request) => {
  request.headers = { ...request.headers, authorization: pool[next++ % pool.length] };
  return request;
};
// A mix (the soak): each connection cycles through these requests; `pool: true` ones take the
// next token of the pool, the others carry their own headers (a denied role, a bad token...).
const mix = spec.mix?.map((entry) => ({ method: 'POST', headers: entry.headers, body: entry.body, ...(entry.pool ? { setupRequest: pooled } : {}) }));
const result = await autocannon({
  url: spec.url,
  method: spec.method ?? 'POST',
  headers: spec.headers,
  body: spec.body,
  connections: spec.connections,
  ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration }),
  pipelining: 1,
  ...(mix ? { requests: mix } : pool ? { requests: [{ setupRequest: pooled }] } : {}),
});
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count])),
  })}\n`,
);
