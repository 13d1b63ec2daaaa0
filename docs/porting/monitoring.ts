// Enterprise Monitoring & Observability › Monitoring with Nexus
import { NexusAuthPlugin } from '@nexus/auth';
import { createApiChannel } from '@nexus/channel-api';
import { createMcpChannel } from '@nexus/channel-mcp';
import { Nexus } from '@nexus/core';
import { z } from 'zod';

// Enable monitoring and audit logging
const auth = NexusAuthPlugin.basicAuth({
  jwt: { secret: process.env.JWT_SECRET! },
});

const app = new Nexus({
  enableMonitoring: true, // Built-in Nexus monitoring: GET /metrics
  apiPort: Number(process.env.API_PORT ?? 8000),
  mcpPort: Number(process.env.MCP_PORT ?? 3001),
  logStartup: true,
});
app.addPlugin(auth);

// Register health-check handler
app.handler('system_status', { description: 'Get system status', input: z.object({}) }, async () => {
  const health = await app.healthCheck();
  return { status: 'healthy', health };
});

app.addChannel(createApiChannel()).addChannel(createMcpChannel());
await app.start();

// For production observability, deploy alongside:
// - Prometheus: Scrape /metrics endpoint
// - Grafana: Dashboard visualization
// - Elasticsearch + Kibana: Log aggregation
// - Jaeger/Zipkin: Distributed tracing (each call accepts a W3C traceparent)
//
// Configure these as infrastructure (Docker Compose, Kubernetes)
// rather than in application code.
