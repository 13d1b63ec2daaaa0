// `pnpm --filter @nexus/channel-api bench`: bare Express 5 vs the API channel, same machine, same run,
// same payload. Each server runs in its own process; autocannon loads it from this one.
// Rounds alternate the order so drift on a shared machine favours neither side; medians are reported.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
  },
});
const here = new URL('.', import.meta.url).pathname;
const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
// Server CPU time from the kernel's accounting: a steadier figure than req/s on a shared machine.
const cpuMicros = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / ticks) * 1e6;
};
const body = JSON.stringify({ inputs: { message: 'hello, world' } });
const variants = [
  { id: 'express', label: 'bare Express 5 + express.json()', script: 'server-express.js' },
  { id: 'api', label: '@nexus/channel-api, no plugins', script: 'server-api.js' },
  { id: 'api-native', label: '@nexus/channel-api + a no-op native middleware', script: 'server-api.js', env: { BENCH_NATIVE_MIDDLEWARE: '1' } },
];

async function start(variant) {
  const child = spawn(process.execPath, [`${here}${variant.script}`], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...variant.env } });
  const [line] = await Promise.race([
    once(createInterface({ input: child.stdout }), 'line'),
    once(child, 'exit').then(() => Promise.reject(new Error(`${variant.script} exited`))),
  ]);
  return { child, url: `http://127.0.0.1:${line.trim()}/workflows/echo/execute` };
}

function load(url, duration) {
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: Number(values.connections),
    duration,
  });
}

const median = (numbers) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];
const servers = new Map();
try {
  for (const variant of variants) servers.set(variant.id, await start(variant));
  for (const variant of variants) await load(servers.get(variant.id).url, 3);
  const samples = new Map(variants.map((variant) => [variant.id, []]));
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
      const server = servers.get(variant.id);
      const before = cpuMicros(server.child.pid);
      const result = await load(server.url, Number(values.duration));
      result.cpuPerRequest = (cpuMicros(server.child.pid) - before) / result.requests.total;
      if (result.non2xx > 0 || result.errors > 0) console.warn(`${variant.id}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      samples.get(variant.id).push(result);
      console.log(`round ${round + 1} ${variant.id}: ${Math.round(result.requests.average)} req/s, ${Math.round(result.cpuPerRequest)} µs CPU/req`);
    }
  }
  const rows = variants.map((variant) => {
    const runs = samples.get(variant.id);
    return {
      label: variant.label,
      rps: median(runs.map((run) => run.requests.average)),
      p50: median(runs.map((run) => run.latency.p50)),
      p99: median(runs.map((run) => run.latency.p99)),
      cpu: median(runs.map((run) => run.cpuPerRequest)),
    };
  });
  const baseline = rows[0];
  console.log(`\n${values.connections} connections, ${values.duration} s x ${values.rounds} rounds, medians`);
  console.log('| server | req/s | p50 ms | p99 ms | ratio (req/s) | server CPU µs/req | ratio (CPU efficiency) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const ratio = (row.rps / baseline.rps).toFixed(3);
    const efficiency = (baseline.cpu / row.cpu).toFixed(3);
    console.log(`| ${row.label} | ${Math.round(row.rps)} | ${row.p50} | ${row.p99} | ${ratio} | ${Math.round(row.cpu)} | ${efficiency} |`);
  }
} finally {
  for (const { child } of servers.values()) {
    child.kill('SIGTERM');
    await Promise.race([once(child, 'exit'), new Promise((resolve) => setTimeout(resolve, 3_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
