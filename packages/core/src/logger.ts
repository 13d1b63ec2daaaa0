/** The logging surface core needs; any structured logger (winston, pino) fits behind it. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

function serialise(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

/**
 * JSON lines on stderr. Stderr, because stdout belongs to results (CLI) and protocol
 * messages (MCP stdio).
 */
export function createJsonLogger(
  options: { level?: LogLevel; bindings?: Record<string, unknown>; write?: (line: string) => void } = {},
): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const bindings = options.bindings ?? {};
  const emit = (level: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < threshold) return;
    const record: Record<string, unknown> = { level, time: new Date().toISOString(), message, ...bindings };
    if (fields) for (const [key, value] of Object.entries(fields)) record[key] = serialise(value);
    write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (extra) => createJsonLogger({ ...options, bindings: { ...bindings, ...extra } }),
  };
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

/**
 * A logger bound to one request id. One small object per call instead of a child logger's
 * closures: it only adds the id when something is actually logged.
 */
export class RequestLogger implements Logger {
  constructor(
    private readonly parent: Logger,
    private readonly requestId: string,
  ) {}
  debug(message: string, fields?: Record<string, unknown>): void {
    this.parent.debug(message, { requestId: this.requestId, ...fields });
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.parent.info(message, { requestId: this.requestId, ...fields });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.parent.warn(message, { requestId: this.requestId, ...fields });
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.parent.error(message, { requestId: this.requestId, ...fields });
  }
  child(bindings: Record<string, unknown>): Logger {
    return this.parent.child({ requestId: this.requestId, ...bindings });
  }
}
