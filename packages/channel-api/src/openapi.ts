import type { OperationDefinition } from '@nexus/core';
import { admittedHeaders, components, errorResponses } from './openapi-components.js';
import type { ErrorStatus } from './openapi-components.js';
import { acceptedResponse, operationsPaths, withJobComponents } from './openapi-jobs.js';
import type { RateLimitHeaderStyle } from './render.js';

/** What `/openapi.json` says about the API besides its routes. */
export interface OpenApiInfo {
  readonly title?: string;
  readonly version?: string;
  readonly description?: string;
  /** Where clients reach the API; default `[{url: '/'}]`, the host that served the document. */
  readonly servers?: readonly { readonly url: string; readonly description?: string }[];
}

/** How the document is built: the channel's own settings that show in it. */
export interface OpenApiSettings {
  readonly metrics: boolean;
  readonly rateLimitHeaders: RateLimitHeaderStyle;
  /** Whether `/metrics` and `/openapi.json` declare `public` (both true by default): a route that does not is documented as secured, with 401. */
  readonly publicRoutes?: { readonly metrics?: boolean; readonly openapi?: boolean };
}

type Json = Record<string, unknown>;

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * zod emits local `$defs` and `#/$defs/...` references; embedded in a larger document those
 * would point at its root, so definitions move to `components.schemas` under the operation's name.
 */
function hoist(name: string, schema: Readonly<Json>, components: Json): Json {
  const defs = schema.$defs as Record<string, unknown> | undefined;
  if (defs === undefined && !JSON.stringify(schema).includes('"#"')) return schema as Json;
  const prefix = safeName(name);
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

/**
 * What an execute route can answer besides 200: a public operation asks for no credential and
 * runs no authorizer; 409 and 422 come from `Idempotency-Key` retries, which read-only operations ignore.
 */
function executeErrors(definition: OperationDefinition): ErrorStatus[] {
  const refusals: ErrorStatus[] = definition.public ? (definition.guards.length > 0 ? ['403'] : []) : ['401', '403'];
  const retries: ErrorStatus[] = definition.annotations.readOnly === true ? [] : ['409', '422'];
  // A long-running operation's deadline runs on the worker: its submission never times out.
  return ['400', ...refusals, ...retries, '413', '415', '429', '500', '503', ...(definition.longRunning ? [] : ['504' as const])];
}

function requestExamples(definition: OperationDefinition): Json | undefined {
  if (definition.examples.length === 0) return undefined;
  return Object.fromEntries(
    definition.examples.map((example, index) => {
      const key = example.summary ?? `example ${index + 1}`;
      return [key, { ...(example.summary === undefined ? {} : { summary: example.summary }), value: { inputs: example.input } }];
    }),
  );
}

const REPLAYED_HEADER = { 'Idempotent-Replayed': { $ref: '#/components/headers/Idempotent-Replayed' } };

function executePath(definition: OperationDefinition, schemas: Json, settings: OpenApiSettings): Json {
  const input = hoist(definition.name, definition.inputSchema, schemas);
  const output = definition.outputSchema === undefined ? undefined : hoist(`${definition.name}.output`, definition.outputSchema, schemas);
  const examples = requestExamples(definition);
  // Read-only operations ignore idempotency keys, so only the others document them.
  const retriable = definition.annotations.readOnly !== true;
  return {
    post: {
      operationId: `execute_${definition.name}`,
      summary: definition.description,
      tags: definition.tags.length > 0 ? [...definition.tags] : [definition.kind === 'workflow' ? 'workflows' : 'handlers'],
      ...(definition.deprecated ? { deprecated: true } : {}),
      'x-nexus-permission': definition.permission,
      'x-nexus-kind': definition.kind,
      ...(Object.keys(definition.annotations).length === 0 ? {} : { 'x-nexus-annotations': definition.annotations }),
      ...(definition.longRunning ? { 'x-nexus-long-running': true } : {}),
      security: definition.public ? [] : [{ bearerAuth: [] }],
      parameters: [
        { $ref: '#/components/parameters/RequestId' },
        { $ref: '#/components/parameters/TenantId' },
        ...(retriable ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
        { $ref: '#/components/parameters/PreferRespondAsync' },
      ],
      requestBody: {
        required: false,
        content: {
          'application/json': {
            // Strict: the operation's fields go inside "inputs"; a bare field is refused with 400.
            schema: {
              type: 'object',
              additionalProperties: false,
              properties: { inputs: input, parameters: { ...input, description: 'Alias of inputs.' } },
            },
            ...(examples === undefined ? {} : { examples }),
          },
        },
      },
      responses: {
        ...(definition.longRunning ? {} : { '200': {
          description: 'The operation ran.',
          headers: retriable ? { ...admittedHeaders(settings.rateLimitHeaders), ...REPLAYED_HEADER } : admittedHeaders(settings.rateLimitHeaders),
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['result', 'requestId', 'executionTimeMs'],
                properties: {
                  result: output ?? (definition.kind === 'workflow' ? { type: 'object', description: 'Outputs by node id.' } : {}),
                  requestId: { type: 'string' },
                  executionTimeMs: { type: 'number' },
                },
              },
            },
          },
        } }),
        '202': acceptedResponse(settings.rateLimitHeaders),
        ...errorResponses(executeErrors(definition)),
      },
    },
  };
}

interface GetRoute {
  readonly operationId: string;
  readonly summary: string;
  readonly schema: Json;
  readonly secured: boolean;
  readonly errors: readonly ErrorStatus[];
  /** Admitted by the pipeline, so rate-limit headers may come along. */
  readonly admitted: boolean;
  readonly extra?: Json;
  readonly type?: string;
}

function get(route: GetRoute, settings: OpenApiSettings): Json {
  const headers = route.admitted ? admittedHeaders(settings.rateLimitHeaders) : { 'X-Request-ID': { $ref: '#/components/headers/X-Request-ID' } };
  return {
    get: {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.secured ? {} : { security: [] }),
      ...route.extra,
      responses: {
        '200': { description: route.summary, headers, content: { [route.type ?? 'application/json']: { schema: route.schema } } },
        ...errorResponses(route.errors),
      },
    },
  };
}

/** A built-in route as it declared itself: public (the default) or needing a credential. */
function openness(isPublic = true): { secured: boolean; errors: readonly ErrorStatus[] } {
  return isPublic ? { secured: false, errors: ['429', '500'] } : { secured: true, errors: ['401', '429', '500'] };
}

const NOT_READY = { description: 'Not ready (starting or draining).', content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string' }, state: { type: 'string' } } } } } };

/**
 * An OpenAPI 3.1 document: one path per operation with its input and output schemas, and per
 * route only the answers that route can give.
 */
export function buildOpenApi(operations: readonly OperationDefinition[], info: OpenApiInfo, settings: OpenApiSettings): Json {
  const schemas: Json = {};
  const health = get({ operationId: 'health', summary: 'Aggregated health checks.', schema: { $ref: '#/components/schemas/HealthReport' }, secured: false, errors: [], admitted: false }, settings);
  (health.get as { responses: Json }).responses['503'] = { description: 'Unhealthy: the same report.', content: { 'application/json': { schema: { $ref: '#/components/schemas/HealthReport' } } } };
  const ready = get({ operationId: 'health_ready', summary: 'Readiness probe.', schema: { type: 'object', properties: { status: { type: 'string' } } }, secured: false, errors: [], admitted: false }, settings);
  (ready.get as { responses: Json }).responses['503'] = NOT_READY;
  const paths: Json = {
    '/workflows': get({ operationId: 'list_workflows', summary: 'Operations the caller may execute.', schema: { type: 'object', properties: { workflows: { type: 'array', items: { type: 'object' } } } }, secured: true, errors: ['401', '429', '500'], admitted: true }, settings),
    '/workflows/{name}': get({
      operationId: 'describe_workflow',
      summary: 'One operation the caller may execute.',
      schema: { type: 'object' },
      secured: true,
      errors: ['401', '404', '429', '500'],
      admitted: true,
      extra: { parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }] },
    }, settings),
    '/health': health,
    '/health/live': get({ operationId: 'health_live', summary: 'Liveness probe.', schema: { type: 'object', properties: { status: { type: 'string' } } }, secured: false, errors: [], admitted: false }, settings),
    '/health/ready': ready,
    '/openapi.json': get({ operationId: 'openapi', summary: 'This document.', schema: { type: 'object' }, ...openness(settings.publicRoutes?.openapi), admitted: true }, settings),
  };
  if (settings.metrics) {
    paths['/metrics'] = get({ operationId: 'metrics', summary: 'Prometheus metrics.', schema: { type: 'string' }, ...openness(settings.publicRoutes?.metrics), admitted: true, type: 'text/plain' }, settings);
  }
  Object.assign(paths, operationsPaths(settings.rateLimitHeaders));
  for (const definition of [...operations].sort((a, b) => a.name.localeCompare(b.name))) {
    paths[`/workflows/${definition.name}/execute`] = executePath(definition, schemas, settings);
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title ?? 'Nexus API', version: info.version ?? '1.0.0', ...(info.description ? { description: info.description } : {}) },
    servers: info.servers === undefined || info.servers.length === 0 ? [{ url: '/' }] : info.servers.map((server) => ({ ...server })),
    paths,
    components: withJobComponents(components(schemas, settings.rateLimitHeaders)),
    security: [{ bearerAuth: [] }],
  };
}
