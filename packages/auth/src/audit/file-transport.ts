import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import winston from 'winston';

const MESSAGE = Symbol.for('message');
type Info = Record<string | symbol, unknown>;
// winston exports its transport base class as `Transport` at run time; its typings call it `transport`.
const TransportStream = (winston as unknown as { Transport: new () => winston.transport }).Transport;

/**
 * Appends audit lines to a file, one write per event-loop turn however many records the turn
 * produced. winston's File transport writes every record on its own; under load its queue
 * outgrew the disk and memory rose without bound. Pending bytes are capped: past the cap
 * records are dropped and reported as transport errors, never held until the process dies.
 */
export class BatchedFileTransport extends TransportStream {
  private readonly file: WriteStream;
  private readonly maxPendingBytes: number;
  private batch: string[] = [];
  private scheduled = false;

  constructor(options: { filename: string; maxPendingBytes?: number }) {
    super();
    this.maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
    this.file = createWriteStream(options.filename, { flags: 'a' });
    this.file.on('error', (error) => this.emit('error', error));
  }

  override log(info: Info, callback: () => void): void {
    if (this.file.writableLength > this.maxPendingBytes) {
      this.emit('error', new Error('audit file is not keeping up; record dropped'));
    } else {
      this.batch.push(`${String(info[MESSAGE])}\n`);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    }
    callback();
  }

  // Runs when the logger ends: everything batched reaches the file before 'finish' is emitted.
  override _final(callback: (error?: Error | null) => void): void {
    this.flush();
    this.file.end(() => callback());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.batch.length === 0) return;
    const chunk = this.batch.join('');
    this.batch = [];
    this.file.write(chunk);
  }
}
