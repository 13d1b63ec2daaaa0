#!/usr/bin/env node
import { createJsonLogger } from '@nexus/core';
import { createApiChannel } from '@nexus/channel-api';
import { createMcpChannel } from '@nexus/channel-mcp';
import { createReferenceApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { devBanner } from './dev-mode.js';

/** The reference server: API and MCP over HTTP, or MCP on stdio with `--mcp-stdio`. */
async function main(argv: readonly string[]): Promise<void> {
  const stdio = argv.includes('--mcp-stdio');
  const worker = argv.includes('--worker');
  const unknown = argv.filter((arg) => arg !== '--mcp-stdio' && arg !== '--worker');
  if (unknown.length > 0) throw new ConfigError(`unknown argument ${unknown[0]}; the options are --mcp-stdio and --worker (configuration comes from the environment)`);
  if (stdio && worker) throw new ConfigError('--mcp-stdio and --worker cannot be combined');
  const config = loadConfig();
  // In-process jobs live only in the server that took them; a separate worker could never see one.
  if (worker && config.redisUrl === undefined) throw new ConfigError('--worker needs REDIS_URL: jobs reach workers through Redis');
  if (stdio && config.mode === 'dev') {
    // A made-up secret no client knows would make every stdio call fail; say so instead.
    throw new ConfigError('--mcp-stdio needs NEXUS_JWT_SECRET (or NEXUS_JWKS_URL) and a NEXUS_TOKEN signed with it; dev mode has no secret a client could know');
  }
  const logger = createJsonLogger({ bindings: { service: 'nexus-reference' } });
  // On SIGTERM both listeners keep accepting for the drain delay while readiness is 503 (one drain in core).
  // A server works jobs unless NEXUS_JOBS_WORKER=0 (the app's default): only --worker forces it.
  const { app } = await createReferenceApp(config, { logger, auditToStderr: stdio, drainDelayMs: stdio || worker ? 0 : config.drainDelayMs, ...(worker ? { worker } : {}) });
  // SIGTERM and SIGINT start one drain however often they come. Installed before anything is
  // served: a signal that lands right after start-up would otherwise kill the process undrained.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('stop failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // logrotate's postrotate sends SIGHUP: reopen the audit file. Node's default for SIGHUP is to
  // exit, so the handler goes in before anything is served.
  process.on('SIGHUP', () => {
    logger.info('reopening files', { signal: 'SIGHUP' });
    void app.reopen();
  });

  if (worker) {
    // No listeners: this process only works jobs; SIGTERM (above) lets running jobs finish first.
    await app.ready();
    await app.jobs.startWorker();
    logger.info('working jobs', { concurrency: config.workerConcurrency, store: config.redisUrl ? 'redis' : 'memory' });
  } else if (stdio) {
    app.addChannel(createMcpChannel({ transport: 'stdio' }));
  } else {
    const trustProxy = config.trustProxy.length > 0 ? { trustProxy: config.trustProxy } : {};
    const cors = config.corsOrigins.length > 0 ? { cors: { origins: config.corsOrigins } } : {};
    // Scrapes and the docs page are neither audited nor rate limited: the routes say so themselves.
    const api = createApiChannel({ ...trustProxy, ...cors, routePolicy: { metrics: { audit: false, limitGroup: false }, docs: { audit: false, limitGroup: false } } });
    const mcp = createMcpChannel({
      ...trustProxy,
      ...cors,
      ...(config.issuer ? { issuer: config.issuer } : {}),
      ...(config.mcpAllowedHosts.length > 0 ? { allowedHosts: config.mcpAllowedHosts } : {}),
      ...(config.publicMcpUrl ? { publicUrl: config.publicMcpUrl } : {}),
    });
    app.addChannel(api).addChannel(mcp);
    await app.start();
    const apiAddress = api.address();
    const mcpAddress = mcp.address();
    // A wildcard bind is reachable on loopback; print an address a reader can paste.
    const printableHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const apiUrl = `http://${printableHost}:${apiAddress?.port ?? config.apiPort}`;
    logger.info('listening', { mode: config.mode, api: apiUrl, mcp: mcpAddress?.url, rateLimits: config.redisUrl ? 'redis' : 'memory' });
    if (config.mode === 'dev') process.stderr.write(`\n${devBanner(config, apiUrl, mcpAddress?.url)}\n`);
  }
  if (stdio) await app.start();

}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`nexus-reference: cannot start: ${message}\n`);
  process.exit(error instanceof ConfigError ? 78 : 1);
});
