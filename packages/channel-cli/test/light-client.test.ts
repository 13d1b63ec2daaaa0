import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;

/** Every module specifier the file imports at run time (type imports are gone from the build). */
function imports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => (match[1] ?? match[2])!);
}

/** The packages the remote `nexus` bin loads, following its relative imports. */
function packagesLoadedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of imports(file)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return packages;
}

describe('the remote nexus bin', () => {
  it("loads core's protocol module only, not core's runtime (zod, prom-client)", () => {
    const loaded = packagesLoadedBy(resolve(dist, 'bin/nexus.js'));
    expect(loaded.has('@nexus/core/protocol')).toBe(true);
    expect([...loaded].filter((name) => name === '@nexus/core' || name === 'zod' || name === 'prom-client')).toEqual([]);
  });
});
