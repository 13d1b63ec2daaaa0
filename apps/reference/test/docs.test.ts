import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

/**
 * What users read must stand on its own: the READMEs, docs and source comments that ship or
 * that users open never send them to a document outside the repository, and every option of
 * the public config types is in the package README.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function files(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((path) => !/(^|\/)(node_modules|dist)\//.test(path) && keep(path));
}

const self = relative(root, fileURLToPath(import.meta.url));
const readable = ['packages', 'apps', 'examples', 'docs'].flatMap((dir) => files(dir, (path) => /\.(md|ts|js|mjs)$/.test(path) && path !== self));

describe('docs stand alone', () => {
  it('never cite the design contract or the shared folder', () => {
    const citing = readable.filter((path) => /DESIGN\b|\.\.\/shared|(?<!RFC \d+ )§/.test(readFileSync(join(root, path), 'utf8')));
    expect(citing).toEqual([]);
  });

  /** Option names of an exported interface, read from its source. */
  function options(source: string, name: string): string[] {
    const text = readFileSync(join(root, source), 'utf8');
    const body = text.slice(text.indexOf(`export interface ${name}`)).split('\n}')[0]!;
    return [...body.matchAll(/^ {2}readonly (\w+)\??:/gm)].map((match) => match[1]!);
  }

  it.each([
    // JWTConfig is the union JwtKeyConfig & JwtVerificationOptions; the key fields are documented with the union.
    ['packages/auth/src/jwt/config.ts', 'JwtVerificationOptions', 'packages/auth/README.md'],
    ['packages/auth/src/tenant/config.ts', 'TenantConfig', 'packages/auth/README.md'],
    ['packages/auth/src/rate-limit/config.ts', 'RateLimitConfig', 'packages/auth/README.md'],
    ['packages/auth/src/audit/config.ts', 'AuditConfig', 'packages/auth/README.md'],
    ['packages/auth/src/tokens.ts', 'AccessTokenOptions', 'packages/auth/README.md'],
    ['packages/core/src/nexus-options.ts', 'NexusOptions', 'packages/core/README.md'],
    ['packages/core/src/policy.ts', 'PolicyOptions', 'packages/core/README.md'],
    ['packages/channel-api/src/channel.ts', 'ApiChannelOptions', 'packages/channel-api/README.md'],
    ['packages/channel-cli/src/create-cli.ts', 'CliOptions', 'packages/channel-cli/README.md'],
  ])('%s: every option of %s is in %s', (source, name, readme) => {
    const text = readFileSync(join(root, readme), 'utf8');
    const names = options(source, name);
    expect(names.length).toBeGreaterThan(0);
    // `name` or `name(...)` as the README writes methods.
    expect(names.filter((option) => !new RegExp(`\`${option}[\`(]`).test(text))).toEqual([]);
  });
});
