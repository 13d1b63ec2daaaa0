// `pnpm bench`: every variant side by side in one run on this machine, interleaved rounds,
// medians, ratios against bare Express (HTTP) and the bare MCP SDK (MCP). Writes RESULTS.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measureCli } from './cli-timing.js';
import { load, median, memory, openFiles } from './harness.js';
import { JOBS_HEADING, jobsSection, measureJobs, redisAnswers } from './jobs.js';
import { profileVariant } from './profile.js';
import { targets } from './targets.js';
import { signHs256 } from './tokens.js';
import { SECRET, VARIANTS, startVariant, stopShared } from './variants.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    focus: { type: 'boolean', default: false },
    against: { type: 'string' },
    cli: { type: 'boolean', default: false },
    profile: { type: 'string' },
    soak: { type: 'boolean', default: false },
    jobs: { type: 'boolean', default: false },
    'jobs-count': { type: 'string', default: '1000' },
    'jobs-in-flight': { type: 'string', default: '32' },
    'jobs-warmup': { type: 'string', default: '1000' },
    'soak-requests': { type: 'string', default: '1000000' },
    'soak-warmup': { type: 'string', default: '200000' },
    out: { type: 'string', default: new URL('./RESULTS.md', import.meta.url).pathname },
  },
});
const quick = args.quick;
const duration = quick ? 1 : Number(args.duration);
const warmup = quick ? 1 : Number(args.warmup);
const rounds = quick ? 1 : Number(args.rounds);
const connections = Number(args.connections);
const only = args.only?.split(',');
// `--against <checkout>` implies `--focus`: a before/after comparison is not a result to keep.
const focus = args.focus || args.against !== undefined;
const against = args.against === undefined ? undefined : resolve(args.against);
const chosen = VARIANTS.filter((variant) => (only ? only.includes(variant.id) : !quick || variant.quick));
// Nexus variants (the reference app and servers/api.js) get a twin running the other
// checkout's build, measured in the same interleaved rounds; each row's ratios are then this
// checkout against its twin.
const twinned = (variant) => variant.kind === 'reference' || variant.id === 'api';
const selected = against === undefined
  ? chosen
  : chosen.flatMap((variant) => (twinned(variant)
    ? [{ ...variant, baseline: `${variant.id}@against` }, { ...variant, id: `${variant.id}@against`, label: `${variant.label} [${against}]`, baseline: undefined, checkout: against }]
    : [variant]));
const SOAK_HEADING = '## Soak (`pnpm bench --soak`)';

const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');

/** The soak section of the current RESULTS.md: a normal run keeps it, a soak run replaces it. */
function soakSection() {
  if (!existsSync(args.out)) return '';
  const text = readFileSync(args.out, 'utf8');
  const at = text.indexOf(SOAK_HEADING);
  return at < 0 ? '' : text.slice(at).trimEnd();
}

/** The jobs row, measured in its own interleaved rounds (see jobs.js); quick runs a small check. */
function runJobs() {
  return measureJobs({
    secret: SECRET,
    jobs: quick ? 50 : Number(args['jobs-count']),
    rounds: quick ? 1 : rounds,
    // The enterprise side has far more code to optimise than bare BullMQ: after 200 jobs its
    // first round still ran at half the speed of the later ones.
    warmup: quick ? 10 : Number(args['jobs-warmup']),
    inFlight: Number(args['jobs-in-flight']),
  });
}

/** `--jobs`: only the jobs row; its section of RESULTS.md is replaced, the rest kept. */
async function jobsOnly() {
  const section = jobsSection(await runJobs(), fmt);
  console.log(`\n${section}`);
  const text = existsSync(args.out) ? readFileSync(args.out, 'utf8') : '';
  const at = text.indexOf(JOBS_HEADING);
  const soakAt = text.indexOf(SOAK_HEADING);
  const before = (at >= 0 ? text.slice(0, at) : soakAt >= 0 ? text.slice(0, soakAt) : text).trimEnd();
  const after = soakAt >= 0 ? `\n\n${text.slice(soakAt).trimEnd()}` : '';
  writeFileSync(args.out, `${before}\n\n${section}${after}\n`);
}

// The soak mix, per connection in turn: a new principal allowed, one hot principal over its
// limit (429), a role without the permission (403), an input the schema refuses (400) and a
// token that does not verify (401, then 429 once the address has spent its failures).
function soakMix(server) {
  const body = (message) => JSON.stringify({ inputs: { message } });
  const bearer = (token) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });
  const denied = signHs256(SECRET, '2h', ['executive']);
  return [
    { pool: true, headers: bearer('pooled'), body: body('allowed') },
    { headers: bearer(server.token), body: body('hot') },
    { headers: bearer(denied), body: body('denied') },
    { pool: true, headers: bearer('pooled'), body: body(1) },
    { headers: bearer('not.a.token'), body: body('invalid') },
  ];
}

async function soak() {
  const variant = { ...VARIANTS.find((candidate) => candidate.id === 'enterprise'), id: 'soak', pool: true, rpm: 600 };
  const server = await startVariant(variant);
  let section;
  try {
    const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer pooled' };
    const call = (message) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message } } });
    const http = { url: server.apiUrl + '/workflows/echo/execute', tokenFile: server.tokenFile, mix: soakMix(server) };
    const mcp = { url: server.mcpUrl, tokenFile: server.tokenFile, mix: [{ pool: true, headers: mcpHeaders, body: call('allowed') }, { pool: true, headers: mcpHeaders, body: call(1) }] };
    const both = (amounts) => Promise.all([load(server, { ...http, connections: Math.max(1, connections - 10), ...amounts.http }), load(server, { ...mcp, connections: 10, ...amounts.mcp })]);
    // Both samples are taken after the same idle pause, so a collection in flight does not decide the figure.
    const settled = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      return { ...memory(server.child.pid), fds: openFiles(server.child.pid) };
    };
    const total = Number(args['soak-requests']);
    // Warm-up by requests, not seconds: 12,000 principals' limiter buckets, cached tokens and
    // audit buffers take a few hundred thousand requests to reach their steady size.
    const warmFor = Number(args['soak-warmup']);
    await both({ http: { amount: Math.round(warmFor * 0.8) }, mcp: { amount: Math.round(warmFor * 0.2) } });
    const warm = await settled();
    const results = await both({ http: { amount: Math.round(total * 0.8) }, mcp: { amount: Math.round(total * 0.2) } });
    const end = await settled();
    const requests = results.reduce((sum, result) => sum + result.requests, 0);
    const codes = (result) => Object.entries(result.statusCodes).map(([code, count]) => `${code}: ${fmt(count)}`).join(', ');
    section = [
      SOAK_HEADING,
      `${new Date().toISOString()}: ${fmt(total)} requests through the enterprise stack (HS256, RBAC, tenant, memory limiter at 600/min per principal, audit to a file), HTTP and MCP at once (${connections} connections), after a warm-up of ${fmt(warmFor)} requests of the same mix; memory and descriptors sampled after a 5 s idle pause each time.`,
      'HTTP, each connection in turn: a new principal allowed, one hot principal over its limit, a role without the permission, an input the schema refuses, a token that does not verify. MCP: tools/call by new principals, allowed and with an invalid argument.',
      '',
      `${fmt(requests)} requests (HTTP ${codes(results[0])}; MCP ${codes(results[1])}; ${results[0].errors + results[1].errors} transport errors); RSS ${fmt(warm.rssMb, 1)} MB after warm-up, ${fmt(end.rssMb, 1)} MB at the end (${fmt((end.rssMb / warm.rssMb - 1) * 100, 1)}%); open file descriptors ${warm.fds} and ${end.fds}.`,
    ].join('\n');
  } finally {
    await server.stop();
    await stopShared();
  }
  console.log(section);
  const text = existsSync(args.out) ? readFileSync(args.out, 'utf8') : '';
  const at = text.indexOf(SOAK_HEADING);
  writeFileSync(args.out, `${(at < 0 ? text : text.slice(0, at)).trimEnd()}\n\n${section}\n`);
}

/** CLI start-up medians of a focused run (`--cli`), each against `node -e 0`. */
function cliLines(cli) {
  if (cli === undefined) return [];
  const line = (name, ms) => `- ${name}: ${fmt(ms)} ms, ${fmt(ms / cli.node, 2)}× \`node -e 0\` (${fmt(cli.node)} ms)`;
  return [
    `CLI start-up, medians of ${cli.runs} interleaved runs:`,
    line('in-process `cli.js run echo`', cli.inProcess),
    ...(cli.inProcessAgainst === undefined ? [] : [line(`in-process \`cli.js run echo\` [${against}]`, cli.inProcessAgainst)]),
    line('remote `nexus run echo`', cli.remote),
  ];
}

/** `--profile <id>`: that variant alone under the profiler; prints where its CPU goes and keeps the profile. */
async function profileOnly(id) {
  const variant = VARIANTS.find((candidate) => candidate.id === id);
  if (variant === undefined) throw new Error(`unknown variant ${id}; one of ${VARIANTS.map((candidate) => candidate.id).join(', ')}`);
  const keep = join(tmpdir(), `nexus-bench-${id}-${process.pid}.cpuprofile`);
  try {
    const result = await profileVariant(variant, { connections, duration, keep });
    console.log(`${id}: ${fmt(result.requests)} requests, ${fmt(result.cpuPerRequest)} µs CPU/req under the profiler; profile kept in ${keep}`);
    for (const [group, share, us] of result.groups) console.log(`${fmt(us, 1).padStart(7)} µs ${fmt(share * 100, 1).padStart(5)}%  ${group}`);
  } finally {
    await stopShared();
  }
}

async function main() {
  if (args.soak) return soak();
  if (args.profile !== undefined) return profileOnly(args.profile);
  if (args.jobs) return jobsOnly();
  console.log(`starting ${selected.length} variants: ${selected.map((variant) => variant.id).join(', ')}`);
  const servers = new Map();
  const samples = new Map(selected.map((variant) => [variant.id, []]));
  let cli;
  let profile;
  let jobs;
  try {
  try {
    // Inside the try: a variant that fails to start must not leave the others running.
    for (const variant of selected) servers.set(variant.id, await startVariant(variant));
    for (const variant of selected) await load(servers.get(variant.id), { ...servers.get(variant.id).load, connections, duration: warmup });
    for (let round = 0; round < rounds; round++) {
      // A/B/B/A: alternate the order so drift on a shared machine does not favour one side.
      const order = round % 2 === 0 ? selected : [...selected].reverse();
      for (const variant of order) {
        const result = await load(servers.get(variant.id), { ...servers.get(variant.id).load, connections, duration });
        if (result.non2xx > 0 || result.errors > 0) console.warn(`${variant.id}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        samples.get(variant.id).push(result);
        console.log(`round ${round + 1} ${variant.id}: ${fmt(result.rps)} req/s, p99 ${result.p99} ms, ${fmt(result.cpuUsPerRequest)} µs CPU/req`);
      }
    }
    // The remote CLI needs a running server: the enterprise one, while it is still up.
    const enterprise = servers.get('enterprise');
    if (!quick && enterprise && (!focus || args.cli)) cli = await measureCli({ secret: SECRET, apiUrl: enterprise.apiUrl, against });
  } finally {
    for (const server of servers.values()) await server.stop();
  }
  if (!quick && !focus && servers.has('enterprise')) {
    const profileOf = (id) => profileVariant(VARIANTS.find((variant) => variant.id === id), { connections, duration });
    profile = { ours: await profileOf('enterprise'), peer: servers.has('fastify-stack') ? await profileOf('fastify-stack') : undefined };
  }
  // The jobs row needs Redis: a full run measures it; --quick checks it runs when Redis answers.
  if (!only && !focus && (!quick || process.env.CI === 'true' || (await redisAnswers()))) jobs = await runJobs();
  } finally {
    await stopShared();
  }

  const rows = selected.map((variant) => {
    const runs = samples.get(variant.id);
    return {
      variant,
      rps: median(runs.map((run) => run.rps)),
      p50: median(runs.map((run) => run.p50)),
      p99: median(runs.map((run) => run.p99)),
      cpu: median(runs.map((run) => run.cpuUsPerRequest)),
      peakRss: Math.max(...runs.map((run) => run.peakRssMb)),
      bad: runs.reduce((sum, run) => sum + run.non2xx + run.errors, 0),
    };
  });
  const byId = new Map(rows.map((row) => [row.variant.id, row]));
  const table = [
    '| variant | req/s | p50 ms | p99 ms | CPU µs/req | peak RSS MB | × baseline req/s | × baseline CPU | p99 × baseline | non-2xx+errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((row) => {
      const base = byId.get(row.variant.baseline);
      const ratio = (a, b) => (base ? fmt(a / b, 2) : '');
      return `| ${row.variant.label} | ${fmt(row.rps)} | ${fmt(row.p50, 1)} | ${fmt(row.p99, 1)} | ${fmt(row.cpu)} | ${fmt(row.peakRss)} | ${ratio(row.rps, base?.rps)} | ${ratio(base?.cpu, row.cpu)} | ${ratio(row.p99, base?.p99)} | ${row.bad} |`;
    }),
  ];
  const report = [
    '# Benchmark results',
    '',
    `${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ${fmt(totalmem() / 2 ** 30, 0)} GiB · Node ${process.version}`,
    `autocannon from a separate process, ${connections} connections, ${duration} s per run, ${rounds} interleaved rounds (A/B/B/A), medians; warm-up ${warmup} s each.`,
    'Ratios: × baseline req/s = ours ÷ baseline; × baseline CPU = baseline CPU µs/req ÷ ours (higher is better for both); p99 × baseline = ours ÷ baseline (lower is better).',
    against === undefined
      ? 'Baselines: bare Express 5 + express.json() for HTTP rows, the bare MCP SDK stateless server for MCP rows.'
      : `Baselines: each Nexus row against its twin built from ${against} (same run, interleaved); the other rows against bare Express / the bare MCP SDK.`,
    '"A different token every request": a pool of 12,000 distinct principals sent round-robin, larger than the verified-token caches (10,000), so every verification misses.',
    'The Fastify RS256 rows follow @fastify/jwt\'s documented JWKS recipe (get-jwks): the key is fetched once and cached as a JWK, then converted to PEM for every verification.',
    '',
    ...table,
    '',
    ...(focus ? cliLines(cli) : targets(byId, cli, fmt)),
    ...(profile
      ? [
          '',
          '## Where the enterprise path\'s CPU goes',
          `The enterprise variant (HS256, one token)${profile.peer ? ' and the Fastify stack (cache off)' : ''} once more, each alone under \`node --cpu-prof\`: ours ${fmt(profile.ours.requests)} requests at ${fmt(profile.ours.cpuPerRequest)} µs of process CPU per request${profile.peer ? `, Fastify ${fmt(profile.peer.requests)} at ${fmt(profile.peer.cpuPerRequest)} µs` : ''} (the profiler adds some). Each sample's own frame is grouped by where its code lives; shares of the samples (idle left out) are scaled to that CPU figure.`,
          '',
          `| where | ours: share | ours: µs/req |${profile.peer ? ' Fastify stack: share | Fastify stack: µs/req |' : ''}`,
          `|---|---:|---:|${profile.peer ? '---:|---:|' : ''}`,
          ...profile.ours.groups.map(([group, share, us]) => {
            const peer = profile.peer?.groups.find(([name]) => name === group);
            return `| ${group} | ${fmt(share * 100, 1)}% | ${fmt(us, 1)} |${profile.peer ? ` ${fmt((peer?.[1] ?? 0) * 100, 1)}% | ${fmt(peer?.[2] ?? 0, 1)} |` : ''}`;
          }),
          ...(profile.peer?.groups.filter(([group]) => !profile.ours.groups.some(([name]) => name === group)).map(([group, share, us]) => `| ${group} | 0.0% | 0.0 | ${fmt(share * 100, 1)}% | ${fmt(us, 1)} |`) ?? []),
        ]
      : []),
    ...(jobs ? ['', jobsSection(jobs, fmt)] : []),
  ].join('\n');
  console.log(`\n${report}`);
  if (!quick && !focus) {
    const soakText = soakSection();
    writeFileSync(args.out, `${report}\n${soakText ? `\n${soakText}\n` : ''}`);
  }
}

await main();
