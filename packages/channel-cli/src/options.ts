import type { Options } from 'yargs';
import { InputError } from './input.js';
import { isValidRequestId, problem } from '@nexus/core/protocol';
import type { OutputMode } from './render.js';

/** Every network call has a deadline, help and completion included: a silent server never hangs the shell. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Parser settings shared by both passes: values stay text unless an option says otherwise. */
export const PARSER_CONFIG = { 'parse-numbers': false, 'parse-positional-numbers': false } as const;

/** Global options; `url` only exists in remote mode. */
export function globalOptions(remote: boolean): Record<string, Options> {
  return {
    ...(remote ? { url: { type: 'string', describe: 'Base URL of the Nexus API [env NEXUS_URL, default http://127.0.0.1:8000]', requiresArg: true } } : {}),
    token: { type: 'string', describe: 'Bearer token [env NEXUS_TOKEN]', requiresArg: true },
    tenant: { type: 'string', describe: 'Tenant to act in (needs the admin role unless it is your own) [env NEXUS_TENANT]', requiresArg: true },
    'request-id': { type: 'string', describe: 'Request id to correlate logs and audit records', requiresArg: true },
    output: { choices: ['json', 'pretty'], describe: 'Results: json (one line) or pretty (indented) [default: pretty on a terminal, else json]; json also prints errors as JSON', requiresArg: true },
    timeout: { type: 'string', describe: `Give up on each network call after this many seconds (exit 75; 69 while only fetching help) [env NEXUS_TIMEOUT, default ${DEFAULT_TIMEOUT_MS / 1000}]`, requiresArg: true },
    verbose: { type: 'boolean', describe: 'Print the request id, duration and rate limit to stderr' },
  };
}

/** Options of `run`, besides those derived from the operation's schema. */
export const RUN_OPTIONS: Record<string, Options> = {
  input: { type: 'string', describe: "Input: JSON text, @file.json, or - for standard input", requiresArg: true },
  'idempotency-key': {
    type: 'string',
    describe: 'A retry with the same key and input prints the first result instead of running again (1-255 visible ASCII characters)',
    requiresArg: true,
  },
  yes: { type: 'boolean', describe: 'Run a destructive operation without asking (only a terminal is asked)' },
  async: { type: 'boolean', describe: 'Run it as a job and print {operationId, status} at once; follow it with "operations get <id>"' },
  wait: { type: 'boolean', describe: 'Run it as a job and wait for the result, with a progress bar when stderr is a terminal (the default for long-running operations)' },
  param: { type: 'string', array: true, describe: 'key=value (value JSON-decoded, else a string; dots for nested keys); repeatable', requiresArg: true },
};

/** Names a schema field may not take as an option (and their camel-case forms). */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'idempotency-key', 'idempotencyKey',
  'url', 'token', 'tenant', 'request-id', 'requestId', 'output', 'timeout', 'verbose', 'input', 'param', 'yes', 'async', 'wait', 'help', 'version', 'h', 'name',
]);

export interface CallerSettings {
  readonly url?: URL;
  readonly token?: string;
  readonly tenant?: string;
  readonly requestId?: string;
  readonly timeoutMs: number;
  readonly idempotencyKey?: string;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const usage = (message: string) => new InputError(problem({ code: 'INVALID_INPUT', detail: message }));
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Options and environment, checked; flags win over the environment. */
export function callerSettings(args: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>, remote: boolean): CallerSettings {
  const requestId = text(args['request-id']);
  if (requestId !== undefined && !isValidRequestId(requestId)) throw usage('--request-id must be 1-128 characters of A-Z a-z 0-9 . _ -');
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  const rawTimeout = text(args.timeout) ?? text(env.NEXUS_TIMEOUT);
  if (rawTimeout !== undefined) {
    const seconds = Number(rawTimeout);
    if (!Number.isFinite(seconds) || seconds <= 0) throw usage(`${text(args.timeout) === undefined ? 'NEXUS_TIMEOUT' : '--timeout'} must be a positive number of seconds, got "${rawTimeout}".`);
    timeoutMs = Math.round(seconds * 1000);
  }
  let url: URL | undefined;
  if (remote) {
    const raw = text(args.url) ?? text(env.NEXUS_URL) ?? 'http://127.0.0.1:8000';
    try {
      url = new URL(raw);
    } catch {
      throw usage(`--url "${raw}" is not a valid URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usage(`--url "${raw}" must be an http or https URL.`);
  }
  const idempotencyKey = args['idempotency-key'];
  // Checked here too: an HTTP header cannot carry other characters, so remote mode would fail before any server could say why.
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(idempotencyKey))) {
    throw usage('--idempotency-key must be 1-255 visible ASCII characters (no spaces).');
  }
  const token = text(args.token) ?? text(env.NEXUS_TOKEN);
  const tenant = text(args.tenant) ?? text(env.NEXUS_TENANT);
  return {
    ...(url === undefined ? {} : { url }),
    ...(token === undefined ? {} : { token }),
    ...(tenant === undefined ? {} : { tenant }),
    ...(requestId === undefined ? {} : { requestId }),
    timeoutMs,
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  };
}

/** The `--output` given on the command line, if any; read from raw argv because usage errors need it before the full parse. */
function requestedOutput(argv: readonly string[]): OutputMode | undefined {
  for (let i = argv.length - 1; i >= 0; i--) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg.startsWith('--output=')) {
      const value = arg.slice('--output='.length);
      if (value === 'json' || value === 'pretty') return value;
    }
    if (arg === '--output' && (argv[i + 1] === 'json' || argv[i + 1] === 'pretty')) return argv[i + 1] as OutputMode;
  }
  return undefined;
}

/**
 * How results (stdout) and errors and facts (stderr) are rendered. Results are JSON when piped so
 * scripts can parse them; stderr stays on the user's terminal when stdout is piped, so it is text
 * unless `--output json` asks for the problem object.
 */
export function outputModesOf(argv: readonly string[], isTTY: boolean | undefined): { result: OutputMode; diagnostics: OutputMode } {
  const requested = requestedOutput(argv);
  return { result: requested ?? (isTTY ? 'pretty' : 'json'), diagnostics: requested === 'json' ? 'json' : 'pretty' };
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The closest known option to an unknown one, when it is close enough to be a typo. */
export function suggestOption(unknown: string, known: readonly string[]): string | undefined {
  let best: { name: string; score: number } | undefined;
  for (const name of known) {
    const score = distance(unknown.toLowerCase(), name.toLowerCase());
    if (score <= Math.max(2, Math.floor(name.length / 3)) && (!best || score < best.score)) best = { name, score };
  }
  return best?.name;
}
