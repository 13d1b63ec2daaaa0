import net from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { underCI } from './ci.js';
import { sharedRedisUrl } from './rate-limit-support.js';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('underCI', () => {
  it.each(['true', 'TRUE', '1', 'yes', 'on'])('reads CI=%s as CI', (value) => {
    expect(underCI({ CI: value })).toBe(true);
  });

  it.each(['', 'false', 'False', '0', 'no', 'off'])('reads CI=%s as not CI', (value) => {
    expect(underCI({ CI: value })).toBe(false);
  });

  it('reads an unset CI as not CI', () => {
    expect(underCI({})).toBe(false);
  });

  it('refuses a value that is no boolean', () => {
    expect(() => underCI({ CI: 'maybe' })).toThrow('CI must be a boolean');
  });
});

describe('sharedRedisUrl without a Redis', () => {
  const saved = { CI: process.env.CI, REDIS_URL: process.env.REDIS_URL };
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('fails under CI instead of skipping', async () => {
    process.env.REDIS_URL = `redis://127.0.0.1:${await closedPort()}`;
    process.env.CI = 'true';
    await expect(sharedRedisUrl()).rejects.toThrow('Redis is required in CI');
  });

  it('skips (undefined) outside CI, also with CI=false', async () => {
    process.env.REDIS_URL = `redis://127.0.0.1:${await closedPort()}`;
    process.env.CI = 'false';
    await expect(sharedRedisUrl()).resolves.toBeUndefined();
  });
});
