// Where the enterprise path's CPU goes: the reference server runs under `--cpu-prof` for one
// load, and the profile's self time is grouped by where the code lives, in µs per request.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMicros, load } from './harness.js';
import { startVariant } from './variants.js';

// First match wins: the URL (or function name) of a frame decides its group.
const GROUPS = [
  [/\(garbage collector\)/, 'garbage collection'],
  [/^\(idle\)$/, undefined],
  [/^(writev|writeBuffer|writeString|writeUtf8String|writeLatin1String)$/, 'socket and file writes (native write calls)'],
  [/\(program\)|\(root\)/, 'native code outside JavaScript (libuv, syscalls, V8)'],
  [/packages\/auth\/.*\/jwt\/|jsonwebtoken|\/jws@|\/jwa@|fast-jwt|@fastify\+jwt|get-jwks|jwk-to-pem|asn1/, 'token verification'],
  [/packages\/auth\/.*\/rate-limit\/|@fastify\+rate-limit|toad-cache/, 'rate limiter'],
  [/packages\/auth\/.*\/audit\/|\/pino@|sonic-boom|@pinojs|fast-redact/, 'audit record and file write'],
  [/packages\/auth\/|fastify-stack\.js/, 'RBAC, tenant and the rest of the auth glue'],
  [/packages\/channel-api\/|\/fastify@|find-my-way|@fastify\+|light-my-request|avvio|secure-json-parse|fast-json-stringify/, 'HTTP framework (routing, body, hooks, response)'],
  [/packages\/core\//, 'Nexus core pipeline (context, stages, handler)'],
  [/node_modules\/.*zod|\/ajv@/, 'input validation (zod / ajv)'],
  [/node:_http|node:http|_http_|node:net|node:stream|node:internal\/streams|node:internal\/http|stream_base_commons/, 'node:http, sockets and streams'],
  [/node:internal\/modules|node:internal\/vm|^(compileSourceTextModule|wrapSafe)$/, 'start-up: module loading and compiling'],
  [/node:internal\/abort_controller|node:internal\/event_target/, 'AbortSignal and EventTarget (per-request cancellation)'],
  [/node:internal\/timers|node:timers/, 'timers (per-request deadlines)'],
  [/node:internal\/process\/task_queues|^runMicrotasks$/, 'promise and nextTick queues'],
  [/node:crypto|node:internal\/crypto/, 'node:crypto'],
  [/node:fs|node:internal\/fs/, 'node:fs'],
  [/^node:/, 'other Node internals'],
  [/node_modules/, 'other dependencies'],
  [/.*/, 'other (native and unattributed)'],
];

function groupOf(frame) {
  const where = frame.url || frame.functionName;
  // Matched by URL when there is one, else by function name (native frames have no URL).
  return GROUPS.find(([pattern]) => pattern.test(where))[1];
}

/** Runs the enterprise variant under the profiler; returns [group, µs per request] by cost. */
export async function profileVariant(variant, { connections, duration, keep }) {
  const dir = mkdtempSync(join(tmpdir(), 'nexus-bench-prof-'));
  const server = await startVariant({ ...variant, execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  let requests;
  let cpu;
  try {
    const warm = await load(server, { ...server.load, connections, duration: Math.min(duration, 3) });
    requests = warm.requests + (await load(server, { ...server.load, connections, duration })).requests;
    cpu = cpuMicros(server.child.pid);
  } finally {
    await server.stop();
  }
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  // `keep`: where to copy the raw profile (for a flame graph or a per-function look).
  if (keep !== undefined) writeFileSync(keep, JSON.stringify(profile));
  rmSync(dir, { recursive: true, force: true });
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map();
  // The profile covers start-up too, amortised over every request (a few µs at most); time the
  // process sat idle waiting for the network is not a cost of the request and is left out.
  profile.samples.forEach((id, index) => {
    const group = groupOf(byId.get(id).callFrame);
    if (group === undefined) return;
    totals.set(group, (totals.get(group) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  // Samples are wall time on the main thread (a descheduled thread still samples its frame), so
  // shares are scaled to the CPU time the kernel counted for the process (all threads, start-up
  // included): µs per request that add up to the process's CPU per request.
  const sampled = [...totals.values()].reduce((sum, us) => sum + us, 0);
  const groups = [...totals].map(([group, us]) => [group, us / sampled, (us / sampled) * (cpu / requests)]).sort((a, b) => b[1] - a[1]);
  return { requests, cpuPerRequest: cpu / requests, groups };
}
