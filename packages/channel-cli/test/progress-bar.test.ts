import { describe, expect, it } from '@jest/globals';
import type { JobRecord } from '@nexus/core';
import { createProgressBar, progressLine } from '../src/progress-bar.js';

const job = (patch: Partial<JobRecord>): JobRecord => ({ operationId: 'id-1', operation: 'report', status: 'running', createdAt: '2026-01-01T00:00:00.000Z', ...patch });

describe('the progress line', () => {
  it.each([
    [job({ status: 'queued' }), 'report queued'],
    [job({ progress: { current: 3, total: 12, message: 'step 3' } }), 'report [######------------------] 3/12 25% step 3'],
    [job({ progress: { current: 7 } }), 'report 7'],
    [job({ progress: { current: 5, total: 4 } }), 'report [########################] 5/4 100%'],
    [job({ progress: { current: 1, total: 2, message: 'a\x1b[2Jb\nc' } }), 'report [############------------] 1/2 50% a [2Jb c'],
  ])('renders %j as %j', (record, line) => {
    expect(progressLine(record, 100)).toBe(line);
  });

  it('stays one column short of the terminal width, so it never wraps', () => {
    const line = progressLine(job({ progress: { current: 1, total: 2, message: 'x'.repeat(200) } }), 40);
    expect(line.length).toBeLessThan(40);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('the progress bar', () => {
  const output = (isTTY: boolean) => ({ text: '', isTTY, columns: 80, write(chunk: string) { this.text += chunk; return true; } });

  it('redraws one line per change on a terminal and erases it', () => {
    const stderr = output(true);
    const bar = createProgressBar(stderr);
    bar.update(job({ progress: { current: 1, total: 2 } }));
    bar.update(job({ progress: { current: 1, total: 2 } }));
    bar.update(job({ progress: { current: 2, total: 2 } }));
    bar.clear();
    expect(stderr.text).toBe('\r\x1b[Kreport [############------------] 1/2 50%\r\x1b[Kreport [########################] 2/2 100%\r\x1b[K');
  });

  it('writes nothing when stderr is not a terminal', () => {
    const stderr = output(false);
    const bar = createProgressBar(stderr);
    bar.update(job({ progress: { current: 1, total: 2 } }));
    bar.clear();
    expect(stderr.text).toBe('');
  });
});
