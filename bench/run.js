// `pnpm bench`: every variant side by side in one run on this machine, interleaved rounds,
// medians, ratios against bare Express (HTTP) and the bare MCP SDK (MCP). Writes RESULTS.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { measureCli } from './cli-timing.js';
import { load, median, memory, openFiles } from './harness.js';
import { profileVariant } from './profile.js';
import { targets } from './targets.js';
import { SECRET, VARIANTS, startVariant, stopShared } from './variants.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    soak: { type: 'boolean', default: false },
    out: { type: 'string', default: new URL('./RESULTS.md', import.meta.url).pathname },
  },
});
const quick = args.quick;
const duration = quick ? 1 : Number(args.duration);
const warmup = quick ? 1 : Number(args.warmup);
const rounds = quick ? 1 : Number(args.rounds);
const connections = Number(args.connections);
const only = args.only?.split(',');
const selected = VARIANTS.filter((variant) => (only ? only.includes(variant.id) : !quick || variant.quick));
const SOAK_HEADING = '## Soak (`pnpm bench --soak`)';

const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');

/** The soak section of the current RESULTS.md: a normal run keeps it, a soak run replaces it. */
function soakSection() {
  if (!existsSync(args.out)) return '';
  const text = readFileSync(args.out, 'utf8');
  const at = text.indexOf(SOAK_HEADING);
  return at < 0 ? '' : text.slice(at).trimEnd();
}

async function soak() {
  const variant = VARIANTS.find((candidate) => candidate.id === 'enterprise');
  const server = await startVariant(variant);
  let section;
  try {
    // Both samples are taken after the same idle pause, so a collection in flight does not decide the figure.
    const settled = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      return { ...memory(server.child.pid), fds: openFiles(server.child.pid) };
    };
    await load(server, { ...server.load, connections, duration: 20 });
    const warm = await settled();
    const result = await load(server, { ...server.load, connections, amount: 1_000_000 });
    const end = await settled();
    section = [
      SOAK_HEADING,
      `${new Date().toISOString()}: one million requests through the enterprise stack (HS256, RBAC, tenant, memory limiter, audit to a file), ${connections} connections, after a 20 s warm-up; memory and descriptors sampled after a 5 s idle pause each time:`,
      `${fmt(result.requests)} requests at ${fmt(result.rps)} req/s, ${result.non2xx} non-2xx, ${result.errors} errors; RSS ${fmt(warm.rssMb, 1)} MB after warm-up, ${fmt(end.rssMb, 1)} MB at the end (${fmt((end.rssMb / warm.rssMb - 1) * 100, 1)}%); open file descriptors ${warm.fds} and ${end.fds}.`,
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

async function main() {
  if (args.soak) return soak();
  console.log(`starting ${selected.length} variants: ${selected.map((variant) => variant.id).join(', ')}`);
  const servers = new Map();
  const samples = new Map(selected.map((variant) => [variant.id, []]));
  let cli;
  let profile;
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
    if (!quick && enterprise) cli = await measureCli({ secret: SECRET, apiUrl: enterprise.apiUrl });
  } finally {
    for (const server of servers.values()) await server.stop();
  }
  if (!quick && servers.has('enterprise')) profile = await profileVariant(VARIANTS.find((variant) => variant.id === 'enterprise'), { connections, duration });
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
    'Baselines: bare Express 5 + express.json() for HTTP rows, the bare MCP SDK stateless server for MCP rows.',
    '"A different token every request": a pool of 12,000 distinct principals sent round-robin, larger than the verified-token caches (10,000), so every verification misses.',
    '',
    ...table,
    '',
    ...targets(byId, cli, fmt),
    ...(profile
      ? [
          '',
          '## Where the enterprise path\'s CPU goes',
          `The enterprise variant (HS256, one token) under \`node --cpu-prof\`, ${fmt(profile.requests)} requests; self time grouped by where the code lives, µs per request (idle time left out; the profiler itself adds some):`,
          '',
          '| where | µs/req |',
          '|---|---:|',
          ...profile.groups.map(([group, us]) => `| ${group} | ${fmt(us, 1)} |`),
          `| total | ${fmt(profile.groups.reduce((sum, [, us]) => sum + us, 0), 1)} |`,
        ]
      : []),
  ].join('\n');
  console.log(`\n${report}`);
  if (!quick) {
    const soakText = soakSection();
    writeFileSync(args.out, `${report}\n${soakText ? `\n${soakText}\n` : ''}`);
  }
}

await main();
