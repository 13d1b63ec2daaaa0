import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Nexus } from '@nexus/core';
import { createMcpChannel } from '../src/index.js';
import { createTestApp } from './support/apps.js';

const inspector = fileURLToPath(new URL('../node_modules/@modelcontextprotocol/inspector-cli/build/cli.js', import.meta.url));
const bin = fileURLToPath(new URL('../dist/bin/stdio.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/conformance-app.mjs', import.meta.url));
// The Inspector CLI looks for its package.json at "../package.json" relative to the working
// directory, so it runs from a folder whose parent holds one.
const cwd = fileURLToPath(new URL('.', import.meta.url));

function runInspector(args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [inspector, '--cli', ...args], { cwd, timeout: 20_000, env: { PATH: process.env.PATH ?? '' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`inspector failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

describe('the MCP Inspector CLI as a client', () => {
  let app: Nexus;
  let url: string;
  beforeAll(async () => {
    app = createTestApp();
    const channel = createMcpChannel({ port: 0 });
    app.addChannel(channel);
    await app.start();
    url = channel.address()!.url;
  });
  afterAll(() => app.stop());

  it('lists and calls tools over Streamable HTTP', async () => {
    const listed = (await runInspector([url, '--transport', 'http', '--method', 'tools/list'])) as { tools: { name: string; inputSchema: unknown }[] };
    expect(listed.tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'public_ping']));
    const called = (await runInspector([url, '--transport', 'http', '--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', 'message=from the inspector'])) as { structuredContent: unknown };
    expect(called.structuredContent).toEqual({ message: 'from the inspector' });
  });

  it('calls a tool over stdio, spawning the server itself', async () => {
    const called = (await runInspector([process.execPath, bin, fixture, '--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', 'message=over stdio'])) as { structuredContent: unknown };
    expect(called.structuredContent).toEqual({ message: 'over stdio' });
  });
});
