import type winston from 'winston';
import { loadWinston } from '../lazy-modules.js';
import type { AuditLogLevel, AuditRecord, ResolvedAuditConfig } from './config.js';
import { AuditFileWriter } from './file-writer.js';
import type { FileWriterHooks } from './file-writer.js';

export type { AuditDropReason } from './file-writer.js';

/**
 * Where records go. `write` never throws and never waits; a record that cannot be written is
 * reported through the hooks (`dropped`), never lost silently. `close` flushes what is pending.
 */
export interface AuditSink {
  write(level: AuditLogLevel, record: AuditRecord): void;
  close(): Promise<void>;
  /** Reopens the file (log rotation); other sinks have nothing to reopen. */
  reopen(): Promise<void>;
  /** What failed, while records cannot be written; undefined while they can. */
  readonly failure: string | undefined;
}

export type SinkHooks = FileWriterHooks;

const FLUSH_TIMEOUT_MS = 5_000;
const MESSAGE = Symbol.for('message');

// Records are built here from plain, already redacted and cycle-free copies, so plain
// JSON.stringify is safe and cheaper than the cycle-safe stringify of format.json().
let jsonLineFormat: winston.Logform.FormatWrap | undefined;
const jsonLine = (): winston.Logform.Format =>
  (jsonLineFormat ??= loadWinston().format((info) => {
    (info as unknown as Record<symbol, string>)[MESSAGE] = JSON.stringify(info);
    return info;
  }))();

function bounded(promise: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, FLUSH_TIMEOUT_MS).unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Tracks failure for sinks that report success and failure per record. */
function failureState(hooks: SinkHooks) {
  let failure: string | undefined;
  return {
    get failure() {
      return failure;
    },
    failed(error: unknown) {
      failure = 'sink_error';
      hooks.dropped('sink_error', 1, error);
    },
    succeeded() {
      if (failure === undefined) return;
      failure = undefined;
      hooks.recovered();
    },
  };
}

function functionSink(fn: (record: AuditRecord) => void | Promise<void>, hooks: SinkHooks): AuditSink {
  const pending = new Set<Promise<void>>();
  const state = failureState(hooks);
  let closed = false;
  return {
    write(_level, record) {
      if (closed) return hooks.dropped('closed', 1);
      try {
        const result = fn(record);
        if (!(result instanceof Promise)) return state.succeeded();
        const tracked: Promise<void> = result
          .then(() => state.succeeded(), (error: unknown) => state.failed(error))
          .finally(() => pending.delete(tracked));
        pending.add(tracked);
      } catch (error) {
        state.failed(error);
      }
    },
    async close() {
      closed = true;
      await bounded(Promise.all(pending));
    },
    reopen: async () => {},
    get failure() {
      return state.failure;
    },
  };
}

function winstonSink(transport: winston.transport, level: AuditLogLevel, hooks: SinkHooks): AuditSink {
  const { createLogger, config } = loadWinston();
  const logger = createLogger({
    level,
    levels: config.npm.levels,
    format: jsonLine(),
    transports: [transport],
    exitOnError: false,
  });
  const state = failureState(hooks);
  // A transport reports failures as 'error' events (the logger re-emits them; one per lost
  // record at best) and success as 'logged'.
  logger.on('error', (error: unknown) => state.failed(error));
  transport.on('logged', () => state.succeeded());
  let closed = false;
  return {
    write(recordLevel, record) {
      if (closed) return hooks.dropped('closed', 1);
      logger.write({ level: recordLevel, message: 'audit', ...record });
    },
    async close() {
      if (closed) return;
      closed = true;
      const finished = new Promise<void>((resolve) => {
        transport.once('finish', () => resolve());
        transport.once('close', () => resolve());
      });
      logger.end();
      await bounded(finished);
    },
    reopen: async () => {},
    get failure() {
      return state.failure;
    },
  };
}

// The line winston would write: level and message first, then the record. The record is a
// fresh object that always has fields, so its own JSON after the opening brace follows them;
// no merged copy of every record is made to serialise it.
const fileLine = (level: AuditLogLevel, record: AuditRecord): string => `{"level":"${level}","message":"audit",${JSON.stringify(record).slice(1)}\n`;

function fileSink(path: string, hooks: SinkHooks): AuditSink {
  const writer = new AuditFileWriter(path, hooks);
  return {
    write: (level, record) => writer.write(fileLine(level, record)),
    close: () => bounded(writer.close()),
    reopen: () => writer.reopen(),
    get failure() {
      return writer.failure;
    },
  };
}

/** Builds the sink for the configured backend. */
export function createSink(config: ResolvedAuditConfig, hooks: SinkHooks): AuditSink {
  const backend = config.backend;
  if (typeof backend === 'function') return functionSink(backend, hooks);
  if (backend === 'file') return fileSink(config.path!, hooks);
  if (backend === 'logging') {
    // Stream transport on stdout: JSON lines with no console formatting in the way.
    return winstonSink(new (loadWinston().transports.Stream)({ stream: process.stdout }), config.logLevel, hooks);
  }
  return winstonSink(backend, config.logLevel, hooks);
}
