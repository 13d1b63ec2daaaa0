import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dist = new URL('../dist', import.meta.url).pathname;
const FORBIDDEN = /^(express|yargs|@modelcontextprotocol\/.*|node:http|http|node:https|https|winston|ioredis|jsonwebtoken)(\/.*)?$/;

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? jsFiles(join(dir, entry.name)) : entry.name.endsWith('.js') ? [join(dir, entry.name)] : [],
  );
}

function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push((match[1] ?? match[2] ?? match[3])!);
  }
  return found;
}

describe('@nexus/core build output', () => {
  const files = jsFiles(dist);

  it('exists (the build ran)', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files.map((file) => [file.slice(dist.length + 1), file]))('%s imports no framework or transport', (_name, file) => {
    const offending = specifiers(readFileSync(file, 'utf8')).filter((specifier) => FORBIDDEN.test(specifier));
    expect(offending).toEqual([]);
  });

  it('detects a forbidden import when one is present', () => {
    expect(specifiers("import express from 'express';\nconst h = await import('node:http');").filter((s) => FORBIDDEN.test(s))).toEqual(['express', 'node:http']);
  });
});
