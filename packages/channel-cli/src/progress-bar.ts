import type { JobRecord } from '@nexus/core';
import type { Output } from './render.js';

const BAR_WIDTH = 24;
const CLEAR_LINE = '\r\x1b[K';

/** One line for a job's state: `report [######------] 3/12 25% step 3`, never wider than the terminal. */
export function progressLine(record: JobRecord, width?: number): string {
  // A pseudo-terminal may report no size (0).
  const columns = width !== undefined && width >= 20 ? width : 80;
  const parts: string[] = [record.operation];
  const progress = record.progress;
  if (progress === undefined) {
    parts.push(record.status);
  } else if (progress.total !== undefined && progress.total > 0) {
    const ratio = Math.min(1, Math.max(0, progress.current / progress.total));
    const filled = Math.round(ratio * BAR_WIDTH);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`, `${progress.current}/${progress.total}`, `${Math.round(ratio * 100)}%`);
  } else {
    parts.push(String(progress.current));
  }
  // A handler's message is shown as text: control characters would move the cursor.
  if (progress?.message) parts.push(progress.message.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' '));
  const line = parts.join(' ');
  // One column short of the width: a full line would wrap, and \r would then redraw the wrong row.
  return line.length < columns ? line : `${line.slice(0, Math.max(0, columns - 2))}…`;
}

export interface ProgressBar {
  /** Whether updates are drawn (stderr is a terminal). */
  readonly drawn: boolean;
  update(record: JobRecord): void;
  /** Erases the line, before anything else is written. */
  clear(): void;
}

/** Redraws one stderr line per change when stderr is a terminal; otherwise does nothing, so piped or logged stderr stays clean. */
export function createProgressBar(stderr: Output): ProgressBar {
  if (stderr.isTTY !== true) return { drawn: false, update() {}, clear() {} };
  let drawn = '';
  return {
    drawn: true,
    update(record) {
      const line = progressLine(record, stderr.columns);
      if (line === drawn) return;
      stderr.write(`${CLEAR_LINE}${line}`);
      drawn = line;
    },
    clear() {
      if (drawn === '') return;
      stderr.write(CLEAR_LINE);
      drawn = '';
    },
  };
}
