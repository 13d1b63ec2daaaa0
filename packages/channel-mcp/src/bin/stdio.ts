#!/usr/bin/env node
// Serves an app over MCP stdio: `nexus-mcp-stdio ./app.js`, where the module exports `app`
// (or a default export) that is a Nexus instance. NEXUS_TOKEN / NEXUS_TENANT are the caller.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Nexus } from '@nexus/core';
import { serveMcpStdio } from '../stdio.js';
import { claimStdout } from '../stdout-claim.js';

// stdout carries protocol messages only, from the first line on: the app module may log while it loads.
claimStdout();

const modulePath = process.argv[2];
if (modulePath === undefined) {
  process.stderr.write('usage: nexus-mcp-stdio <module exporting a Nexus app>\n');
  process.exit(64);
}
const loaded = (await import(pathToFileURL(resolve(modulePath)).href)) as { app?: Nexus; default?: Nexus };
const app = loaded.app ?? loaded.default;
if (!app || typeof app.invoke !== 'function' || typeof app.dispatch !== 'function') {
  process.stderr.write(`${modulePath} exports no Nexus app (export const app = new Nexus(...))\n`);
  process.exit(64);
}
await app.ready();
const server = serveMcpStdio(app);
const shutdown = async () => {
  await server.close();
  await app.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
await server.closed;
await shutdown();
