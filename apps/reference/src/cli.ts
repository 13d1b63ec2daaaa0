#!/usr/bin/env node
import { createJsonLogger } from '@nexus/core';
import { createCli } from '@nexus/channel-cli';
import { createReferenceApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

/**
 * The reference app's own command line: the same operations, run in this process through the
 * same pipeline, with the credential from --token / NEXUS_TOKEN verified like any other.
 */
try {
  const config = loadConfig();
  if (config.mode === 'dev') {
    process.stderr.write('nexus-reference: set NEXUS_JWT_SECRET or NEXUS_JWKS_URL so tokens can be verified; dev mode makes up a new secret every run.\n');
  }
  // The audit backend stays `logging`: createCli's main() keeps stdout for the result itself.
  // With Redis a short-lived command must not take the deployment's jobs (it would leave them mid-run).
  const { app } = await createReferenceApp(config, { logger: createJsonLogger({ level: 'warn' }), worker: config.redisUrl === undefined });
  await createCli(app, { scriptName: 'nexus-reference', description: 'Run the reference app\'s operations in-process.' }).main();
} catch (error) {
  process.stderr.write(`nexus-reference: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof ConfigError ? 78 : 70;
}
