import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';

// winston costs a start-up about as much CPU as Node itself; only the `logging` backend (and a
// winston transport the app brings) uses it, so an app auditing to a file or a function (an
// in-process CLI, a server with an audit file) should not load it.
const SINK = new URL('../dist/audit/sink.js', import.meta.url).href;
const CONFIG = new URL('../dist/audit/config.js', import.meta.url).href;

function winstonLoadedWith(backend: string): boolean {
  const script = `
    import { createRequire } from 'node:module';
    import { createSink } from '${SINK}';
    import { resolveAuditConfig } from '${CONFIG}';
    const hooks = { dropped() {}, recovered() {} };
    const sink = createSink(resolveAuditConfig({ backend: ${backend}, path: '/tmp/nexus-lazy-winston-test.log' }), hooks);
    await sink.close();
    const cache = createRequire(import.meta.url).cache;
    process.stdout.write(String(Object.keys(cache).some((file) => file.includes('/winston/'))));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  expect(child.stderr).toBe('');
  return child.stdout === 'true';
}

describe('audit sinks load winston only when they use it', () => {
  it('a file or function backend does not load winston', () => {
    expect(winstonLoadedWith("'file'")).toBe(false);
    expect(winstonLoadedWith('() => {}')).toBe(false);
  });

  it('the logging backend does', () => {
    expect(winstonLoadedWith("'logging'")).toBe(true);
  });
});
