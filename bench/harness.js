// Process plumbing for the benchmark: start servers, read their CPU time and memory from /proc,
// and run loads from a separate process.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const here = new URL('.', import.meta.url).pathname;

export async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Server CPU time (user + system) in microseconds, from the kernel's own accounting. */
export function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / CLK_TCK) * 1e6;
}

export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

export function openFiles(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Starts a server process; resolves once it prints its first JSON line (or `ready` says so). */
export async function startServer({ script, args = [], env = {}, ready, execArgv = [] }) {
  const child = spawn(process.execPath, [...execArgv, script, ...args], {
    cwd: here,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = [];
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${script} exited with ${code}: ${Buffer.concat(stderr).toString().slice(-2000)}`);
  });
  // The first line that is a JSON object; some peers (FastMCP) log a banner on stdout first.
  const firstJson = new Promise((resolve) => {
    lines.on('line', function onLine(line) {
      if (!line.startsWith('{')) return;
      lines.off('line', onLine);
      resolve(JSON.parse(line));
    });
  });
  const info = await Promise.race([
    ready ? ready(child).then(() => ({})) : firstJson,
    exited,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${script} did not start in 20 s`)), 20_000)),
  ]);
  exited.catch(() => {});
  return { child, info, stop: () => stop(child) };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await once(child, 'exit');
  clearTimeout(timer);
}

export async function waitForHttp(url, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One autocannon run from its own process; returns its figures plus the server's CPU µs/request. */
export async function load(server, spec) {
  const before = cpuMicros(server.child.pid);
  const child = spawn(process.execPath, [`${here}load.js`, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  await once(child, 'exit');
  const after = cpuMicros(server.child.pid);
  const result = JSON.parse(out);
  return { ...result, cpuUsPerRequest: result.requests > 0 ? (after - before) / result.requests : NaN, ...memory(server.child.pid) };
}

export function median(values) {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
