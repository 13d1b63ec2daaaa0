import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FieldError, Nexus, NexusErrorCode } from '@nexus/core';
import type { ChannelUnderTest, ConformanceCall, ConformanceDriver, ConformanceOutcome } from '@nexus/core/testing';
import { EXIT_CODES } from '../../src/exit-codes.js';
import { IN_PROCESS_BIN, NEXUS_BIN, runNode } from './spawn.js';
import type { Exited } from './spawn.js';

type Failure = Extract<ConformanceOutcome, { ok: false }>;

function lastJsonLine(text: string): Record<string, unknown> | undefined {
  const line = text.trim().split('\n').pop();
  try {
    return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a spawned CLI's answer the way a script would: exit status, stdout result, stderr problem. */
function outcomeOf(exited: Exited): ConformanceOutcome {
  const raw = `${exited.stdout}${exited.stderr}`;
  if (exited.code === 0) {
    const facts = lastJsonLine(exited.stderr);
    const requestId = typeof facts?.requestId === 'string' ? facts.requestId : undefined;
    return { ok: true, value: JSON.parse(exited.stdout), ...(requestId === undefined ? {} : { requestId }), raw };
  }
  const problem = lastJsonLine(exited.stderr);
  if (!problem || typeof problem.code !== 'string') throw new Error(`exit ${exited.code} without a problem object: ${raw}`);
  const code = problem.code as NexusErrorCode;
  if (EXIT_CODES[code] !== exited.code) throw new Error(`exit ${exited.code} does not match ${code}: ${raw}`);
  return {
    ok: false,
    code,
    ...(typeof problem.requestId === 'string' ? { requestId: problem.requestId } : {}),
    ...(Array.isArray(problem.errors) ? { errors: problem.errors as FieldError[] } : {}),
    ...(typeof problem.retryAfter === 'number' ? { retryAfter: problem.retryAfter } : {}),
    raw,
  };
}

function callArgs(call: { token?: string; requestId?: string }): string[] {
  return [...(call.token === undefined ? [] : ['--token', call.token]), ...(call.requestId === undefined ? [] : ['--request-id', call.requestId])];
}

function driverFor(script: string, base: readonly string[], env: Record<string, string>, close: () => Promise<void>): ConformanceDriver {
  return {
    async invoke(call: ConformanceCall) {
      const args = [...base, '--output', 'json', '--verbose', ...callArgs(call), 'run', call.operation, '--input', JSON.stringify(call.input ?? {})];
      // The suite aborts only once the handler started; runNode sends the Ctrl-C.
      return outcomeOf(await runNode(script, args, { env, ...(call.signal === undefined ? {} : { signal: call.signal }) }));
    },
    // `--input @file`: the text reaches the CLI byte for byte, at any size an argument could not carry.
    async invokeRaw(call) {
      const dir = await mkdtemp(join(tmpdir(), 'nexus-cli-raw-'));
      try {
        const file = join(dir, 'input.json');
        await writeFile(file, call.json, 'utf8');
        return outcomeOf(await runNode(script, [...base, '--output', 'json', ...callArgs(call), 'run', call.operation, '--input', `@${file}`], { env }));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async list(call) {
      const outcome = outcomeOf(await runNode(script, [...base, '--output', 'json', ...callArgs(call), 'list'], { env }));
      if (!outcome.ok) return outcome as Failure;
      return { ok: true, names: (outcome.value as { name: string }[]).map((operation) => operation.name) };
    },
    close,
  };
}

/** The `nexus` bin against a server in this process: the very app the suite built. */
export function remoteCliUnderTest(start: (app: Nexus) => Promise<{ url: string; close(): Promise<void> }>): ChannelUnderTest {
  return {
    name: 'cli (remote, spawned bin)',
    // The server's: the HTTP channel reads bodies up to 1 MiB.
    maxInputBytes: 1024 * 1024,
    async connect(app) {
      const server = await start(app);
      return driverFor(NEXUS_BIN, ['--url', server.url], {}, server.close);
    },
  };
}

/** An app's own bin (`createCli`), spawned per call: each call builds the conformance app anew. */
export function inProcessCliUnderTest(env: Record<string, string> = {}): ChannelUnderTest {
  return {
    name: 'cli (in-process, spawned bin)',
    sharedApp: false,
    // createCli's maxInputBytes default: the same limit the HTTP channel puts on a body.
    maxInputBytes: 1024 * 1024,
    async connect() {
      return driverFor(IN_PROCESS_BIN, [], env, async () => {});
    },
  };
}
