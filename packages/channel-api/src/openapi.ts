import type { OperationDefinition } from '@nexus/core';

/** Title and version shown in `/openapi.json`. */
export interface OpenApiInfo {
  readonly title?: string;
  readonly version?: string;
  readonly description?: string;
}

type Json = Record<string, unknown>;
const PROBLEM_REF = { $ref: '#/components/responses/Problem' };
const ERROR_STATUSES = ['400', '401', '403', '404', '413', '415', '429', '500', '503', '504'];

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * zod emits local `$defs` and `#/$defs/...` references; embedded in a larger document those
 * would point at its root, so definitions move to `components.schemas` under the operation's name.
 */
function hoist(operation: string, schema: Readonly<Json>, components: Json): Json {
  const defs = schema.$defs as Record<string, unknown> | undefined;
  if (defs === undefined && !JSON.stringify(schema).includes('"#"')) return schema as Json;
  const prefix = safeName(operation);
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (typeof value !== 'object' || value === null) return value;
    const out: Json = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$defs') continue;
      if (key === '$ref' && typeof inner === 'string') {
        out[key] = inner === '#' ? `#/components/schemas/${prefix}` : inner.replace(/^#\/\$defs\/(.+)$/, (_m, def: string) => `#/components/schemas/${prefix}.${safeName(def)}`);
      } else out[key] = rewrite(inner);
    }
    return out;
  };
  for (const [def, value] of Object.entries(defs ?? {})) components[`${prefix}.${safeName(def)}`] = rewrite(value);
  const root = rewrite(schema) as Json;
  components[prefix] = root;
  return root;
}

function errorResponses(): Json {
  return Object.fromEntries(ERROR_STATUSES.map((status) => [status, PROBLEM_REF]));
}

function executePath(definition: OperationDefinition, schemas: Json): Json {
  const input = hoist(definition.name, definition.inputSchema, schemas);
  return {
    post: {
      operationId: `execute_${definition.name}`,
      summary: definition.description,
      tags: definition.tags.length > 0 ? [...definition.tags] : [definition.kind === 'workflow' ? 'workflows' : 'handlers'],
      'x-nexus-permission': definition.permission,
      'x-nexus-kind': definition.kind,
      security: definition.public ? [] : [{ bearerAuth: [] }],
      parameters: [{ $ref: '#/components/parameters/RequestId' }, { $ref: '#/components/parameters/TenantId' }],
      requestBody: {
        required: false,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: { inputs: input, parameters: { ...input, description: 'Alias of inputs.' } },
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'The operation ran.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['result', 'requestId', 'executionTimeMs'],
                properties: {
                  result: definition.kind === 'workflow' ? { type: 'object', description: 'Outputs by node id.' } : {},
                  requestId: { type: 'string' },
                  executionTimeMs: { type: 'number' },
                },
              },
            },
          },
        },
        ...errorResponses(),
      },
    },
  };
}

function simpleGet(operationId: string, summary: string, schema: Json, secured: boolean, extra: Json = {}): Json {
  return {
    get: {
      operationId,
      summary,
      ...(secured ? {} : { security: [] }),
      ...extra,
      responses: { '200': { description: summary, content: { 'application/json': { schema } } }, ...errorResponses() },
    },
  };
}

/** An OpenAPI 3.1 document with one path per operation and its input schema. */
export function buildOpenApi(operations: readonly OperationDefinition[], info: OpenApiInfo, metrics: boolean): Json {
  const schemas: Json = {
    Problem: {
      type: 'object',
      required: ['type', 'title', 'status', 'code', 'detail'],
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        code: { type: 'string' },
        detail: { type: 'string' },
        requestId: { type: 'string' },
        errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
        retryAfter: { type: 'integer' },
      },
    },
  };
  const paths: Json = {
    '/workflows': simpleGet('list_workflows', 'Operations the caller may execute.', { type: 'object', properties: { workflows: { type: 'array' } } }, true),
    '/workflows/{name}': simpleGet('describe_workflow', 'One operation the caller may execute.', { type: 'object' }, true, {
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
    }),
    '/health': simpleGet('health', 'Aggregated health checks.', { type: 'object' }, false),
    '/health/live': simpleGet('health_live', 'Liveness probe.', { type: 'object' }, false),
    '/health/ready': simpleGet('health_ready', 'Readiness probe.', { type: 'object' }, false),
    '/openapi.json': simpleGet('openapi', 'This document.', { type: 'object' }, false),
  };
  if (metrics) {
    paths['/metrics'] = {
      get: { operationId: 'metrics', summary: 'Prometheus metrics.', security: [], responses: { '200': { description: 'Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } } } },
    };
  }
  for (const definition of [...operations].sort((a, b) => a.name.localeCompare(b.name))) {
    paths[`/workflows/${definition.name}/execute`] = executePath(definition, schemas);
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title ?? 'Nexus API', version: info.version ?? '1.0.0', ...(info.description ? { description: info.description } : {}) },
    paths,
    components: {
      schemas,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      parameters: {
        RequestId: { name: 'X-Request-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' } },
        TenantId: { name: 'X-Tenant-ID', in: 'header', required: false, schema: { type: 'string' } },
      },
      responses: {
        Problem: { description: 'RFC 9457 problem details.', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    },
    security: [{ bearerAuth: [] }],
  };
}
