import winston from 'winston';
import type { AuditLogLevel, AuditRecord, ResolvedAuditConfig } from './config.js';
import { BatchedFileTransport } from './file-transport.js';

/** Where records go. `write` never throws and never waits; `close` flushes what is pending. */
export interface AuditSink {
  write(level: AuditLogLevel, record: AuditRecord): void;
  close(): Promise<void>;
}

const FLUSH_TIMEOUT_MS = 5_000;
const MESSAGE = Symbol.for('message');

// Records are built here from plain, already redacted and cycle-free copies, so plain
// JSON.stringify is safe and cheaper than the cycle-safe stringify of format.json().
const jsonLine = winston.format((info) => {
  (info as unknown as Record<symbol, string>)[MESSAGE] = JSON.stringify(info);
  return info;
});

function bounded(promise: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, FLUSH_TIMEOUT_MS).unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

function functionSink(fn: (record: AuditRecord) => void | Promise<void>, onError: (error: unknown) => void): AuditSink {
  const pending = new Set<Promise<void>>();
  return {
    write(_level, record) {
      try {
        const result = fn(record);
        if (result instanceof Promise) {
          const tracked: Promise<void> = result.then(
            () => undefined,
            (error: unknown) => onError(error),
          ).finally(() => pending.delete(tracked));
          pending.add(tracked);
        }
      } catch (error) {
        onError(error);
      }
    },
    close: () => bounded(Promise.all(pending)),
  };
}

function winstonSink(transport: winston.transport, level: AuditLogLevel, onError: (error: unknown) => void): AuditSink {
  const logger = winston.createLogger({
    level,
    levels: winston.config.npm.levels,
    format: jsonLine(),
    transports: [transport],
    exitOnError: false,
  });
  logger.on('error', onError);
  transport.on('error', onError);
  let closed = false;
  return {
    write(recordLevel, record) {
      if (closed) return;
      logger.write({ level: recordLevel, message: 'audit', ...record });
    },
    async close() {
      if (closed) return;
      closed = true;
      // Ending the logger ends the transport; a file transport finishes once its file stream has.
      const finished = new Promise<void>((resolve) => {
        transport.once('finish', () => resolve());
        transport.once('close', () => resolve());
      });
      logger.end();
      await bounded(finished);
    },
  };
}

/** Builds the sink for the configured backend. */
export function createSink(config: ResolvedAuditConfig, onError: (error: unknown) => void): AuditSink {
  const backend = config.backend;
  if (typeof backend === 'function') return functionSink(backend, onError);
  if (backend === 'file') return winstonSink(new BatchedFileTransport({ filename: config.path! }), config.logLevel, onError);
  if (backend === 'logging') {
    // Stream transport on stdout: JSON lines with no console formatting in the way.
    return winstonSink(new winston.transports.Stream({ stream: process.stdout }), config.logLevel, onError);
  }
  return winstonSink(backend, config.logLevel, onError);
}
