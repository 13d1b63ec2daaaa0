import { open, stat, statfs } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Why records were lost; a small fixed set, so it can label a metric. */
export type AuditDropReason = 'no_space' | 'write_error' | 'overflow' | 'sink_error' | 'closed';

export interface FileWriterHooks {
  /** `count` records were lost for `reason`; never called for records that reached the file. */
  dropped(reason: AuditDropReason, count: number, error?: unknown): void;
  /** Writing works again after a failure. */
  recovered(): void;
}

export interface FileWriterOptions {
  /** Records waiting for the disk beyond this many bytes are dropped, not held (64 MiB). */
  readonly maxPendingBytes?: number;
  /** How often the path is compared with the open file, to notice a rename or delete (1 s). */
  readonly checkIntervalMs?: number;
  /** While failing, how often the writer tries to reopen and looks for room (1 s). */
  readonly retryIntervalMs?: number;
}

const NEWLINE = 0x0a;
// Room the filesystem must have again before a failing writer calls itself recovered.
const MIN_FREE_BYTES = 64 * 1024;
// Bounds of the buffer kept between batches for encoding them.
const SCRATCH_MIN_BYTES = 64 * 1024;
const SCRATCH_MAX_BYTES = 1024 * 1024;

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
const reasonOf = (error: unknown): AuditDropReason => (['ENOSPC', 'EDQUOT', 'EFBIG'].includes(codeOf(error)) ? 'no_space' : 'write_error');

function countLines(buffer: Buffer): number {
  let count = 0;
  for (let at = buffer.indexOf(NEWLINE); at >= 0; at = buffer.indexOf(NEWLINE, at + 1)) count++;
  return count;
}

/**
 * Appends audit lines to a file, one write per event-loop turn however many records the turn
 * produced. A record either reaches the file as a complete line or is reported dropped: a
 * write cut short by a full disk is truncated back to its last complete line. After a failure
 * the file is reopened (a remounted, recreated or freed filesystem is picked up by itself);
 * a renamed or deleted file is noticed and a new one created at the path; `reopen()` is what
 * SIGHUP calls after logrotate moved the file.
 */
export class AuditFileWriter {
  private handle: FileHandle | undefined;
  private identity: { dev: number; ino: number } | undefined;
  private batch: string[] = [];
  private batchBytes = 0;
  private scratch: Buffer | undefined;
  private draining: Promise<void> | undefined;
  private reopenWanted = false;
  private probeWanted = false;
  private lastChecked = 0;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private failureCode: string | undefined;
  private readonly maxPendingBytes: number;
  private readonly checkIntervalMs: number;
  private readonly retryIntervalMs: number;

  constructor(private readonly path: string, private readonly hooks: FileWriterHooks, options: FileWriterOptions = {}) {
    this.maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
    this.checkIntervalMs = options.checkIntervalMs ?? 1_000;
    this.retryIntervalMs = options.retryIntervalMs ?? 1_000;
  }

  /** The error code of the last failed write or open, while writing fails; undefined when it works. */
  get failure(): string | undefined {
    return this.failureCode;
  }

  write(line: string): void {
    if (this.closed) return this.hooks.dropped('closed', 1);
    if (this.batchBytes > this.maxPendingBytes) return this.hooks.dropped('overflow', 1);
    this.batch.push(line);
    this.batchBytes += line.length;
    this.schedule();
  }

  /** Resolves once every record written so far has reached the file or been counted as dropped. */
  async flush(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  /** Closes the current file after what is pending; later records go to a file opened at the path. */
  reopen(): Promise<void> {
    this.reopenWanted = true;
    this.schedule();
    return this.draining ?? Promise.resolve();
  }

  /** Writes what is pending, then closes the file. Later records are dropped as `closed`. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopRetrying();
    await this.draining;
    await this.release();
  }

  private schedule(): void {
    this.draining ??= this.drain();
  }

  private async drain(): Promise<void> {
    // Let the rest of this turn's records join the batch: one write for all of them.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.batch.length > 0 || this.reopenWanted || this.probeWanted) {
        if (this.reopenWanted) {
          this.reopenWanted = false;
          await this.release();
        }
        if (this.probeWanted) {
          this.probeWanted = false;
          await this.probe();
        }
        const lines = this.batch;
        this.batch = [];
        this.batchBytes = 0;
        if (lines.length > 0) await this.append(lines);
      }
    } finally {
      this.draining = undefined;
    }
    if (this.batch.length > 0 || this.reopenWanted || this.probeWanted) this.schedule();
  }

  private async append(lines: string[]): Promise<void> {
    let handle: FileHandle;
    try {
      await this.followPath();
      handle = await this.ensureOpen();
    } catch (error) {
      return this.failed(error, lines.length);
    }
    const buffer = this.encode(lines);
    let written = 0;
    try {
      // The file is opened for appending, so each write lands at its current end (also after copytruncate).
      while (written < buffer.length) {
        const { bytesWritten } = await handle.write(buffer, written, buffer.length - written);
        if (bytesWritten === 0) throw Object.assign(new Error('the audit file accepted no bytes'), { code: 'EIO' });
        written += bytesWritten;
      }
    } catch (error) {
      const complete = buffer.subarray(0, written).lastIndexOf(NEWLINE) + 1;
      if (written > complete) {
        // Never leave half a record: the next complete line would be glued to it.
        try {
          const { size } = await handle.stat();
          await handle.truncate(Math.max(0, size - (written - complete)));
        } catch {
          // The line stays cut; the reader sees one unparsable line, and the record is still counted.
        }
      }
      await this.release();
      return this.failed(error, lines.length - countLines(buffer.subarray(0, complete)));
    }
    this.succeeded();
  }

  /**
   * The batch as UTF-8, each line encoded straight into one reused buffer: no joined copy of
   * the batch as a string first. Only one write is ever in flight, so the buffer is free again
   * once append() returns. A batch that might not fit (after the disk stalled) gets an
   * exactly sized buffer of its own, as before.
   */
  private encode(lines: readonly string[]): Buffer {
    let chars = 0;
    for (const line of lines) chars += line.length;
    // A UTF-16 code unit never takes more than three bytes in UTF-8.
    const room = chars * 3;
    if (room > SCRATCH_MAX_BYTES) return Buffer.from(lines.join(''));
    let target = this.scratch;
    if (target === undefined || target.length < room) target = this.scratch = Buffer.allocUnsafeSlow(Math.max(room, SCRATCH_MIN_BYTES));
    let at = 0;
    for (const line of lines) at += target.write(line, at);
    return target.subarray(0, at);
  }

  private async ensureOpen(): Promise<FileHandle> {
    if (this.handle !== undefined) return this.handle;
    const handle = await open(this.path, 'a');
    const { dev, ino } = await handle.stat();
    this.handle = handle;
    this.identity = { dev, ino };
    this.lastChecked = Date.now();
    return handle;
  }

  /** Closes the file when the path now names another file or none (renamed or deleted under us). */
  private async followPath(): Promise<void> {
    if (this.handle === undefined || Date.now() - this.lastChecked < this.checkIntervalMs) return;
    this.lastChecked = Date.now();
    const current = await stat(this.path).catch(() => undefined);
    if (current === undefined || current.ino !== this.identity?.ino || current.dev !== this.identity.dev) await this.release();
  }

  private async release(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.identity = undefined;
    await handle?.close().catch(() => {});
  }

  private failed(error: unknown, lost: number): void {
    this.failureCode = codeOf(error);
    if (lost > 0) this.hooks.dropped(reasonOf(error), lost, error);
    this.retry ??= setInterval(() => {
      this.probeWanted = true;
      this.schedule();
    }, this.retryIntervalMs).unref();
  }

  private succeeded(): void {
    if (this.failureCode === undefined) return;
    this.failureCode = undefined;
    this.stopRetrying();
    this.hooks.recovered();
  }

  /**
   * While failing and no record comes to try the disk: the file opens again and its
   * filesystem has room, so the next record will most likely land. Writing a real record is
   * what confirms it; a failure puts the writer back into the failing state.
   */
  private async probe(): Promise<void> {
    if (this.failureCode === undefined || this.closed) return;
    try {
      await this.release();
      await this.ensureOpen();
      const { bavail, bsize } = await statfs(dirname(this.path));
      if (bavail * bsize >= MIN_FREE_BYTES) this.succeeded();
    } catch (error) {
      this.failureCode = codeOf(error);
    }
  }

  private stopRetrying(): void {
    clearInterval(this.retry);
    this.retry = undefined;
  }
}
