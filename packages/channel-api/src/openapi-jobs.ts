import { admittedHeaders, errorResponses } from './openapi-components.js';
import type { RateLimitHeaderStyle } from './render.js';

type Json = Record<string, unknown>;

const PROGRESS: Json = {
  type: 'object',
  required: ['current'],
  properties: { current: { type: 'number' }, total: { type: 'number' }, message: { type: 'string' } },
};

const OPERATION: Json = {
  type: 'object',
  description: 'A job: visible only to its submitter in its tenant, and to that tenant\'s admin.',
  required: ['operationId', 'operation', 'status', 'createdAt'],
  properties: {
    operationId: { type: 'string' },
    operation: { type: 'string', description: 'The operation the job runs.' },
    status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] },
    progress: { $ref: '#/components/schemas/Progress' },
    result: { description: 'The operation\'s result, once succeeded.' },
    error: { $ref: '#/components/schemas/Problem' },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
  },
};

const ACCEPTED: Json = {
  type: 'object',
  required: ['operationId', 'status', 'requestId'],
  properties: { operationId: { type: 'string' }, status: { type: 'string', enum: ['queued'] }, requestId: { type: 'string' } },
};

const JOB_SCHEMAS: Json = { Operation: OPERATION, OperationAccepted: ACCEPTED, Progress: PROGRESS };

const JOB_HEADERS: Json = {
  Location: { description: 'Where the job\'s status is read: /operations/{operationId}.', schema: { type: 'string' } },
  'Preference-Applied': { description: 'respond-async: the call was queued as a job.', schema: { type: 'string', enum: ['respond-async'] } },
};
const PREFER_PARAMETER: Json = {
  name: 'Prefer',
  in: 'header',
  required: false,
  description: 'respond-async runs the call as a job: 202 with its operation id and Location, the result later from GET /operations/{id}. Long-running operations always answer so.',
  schema: { type: 'string', examples: ['respond-async'] },
};

/** Adds what the job routes and 202 answers refer to (schemas, headers, `Prefer`) to `components`. */
export function withJobComponents(components: Json): Json {
  const section = (name: string) => (components[name] ?? {}) as Json;
  return {
    ...components,
    schemas: { ...JOB_SCHEMAS, ...section('schemas') },
    headers: { ...section('headers'), ...JOB_HEADERS },
    parameters: { ...section('parameters'), PreferRespondAsync: PREFER_PARAMETER },
  };
}

/** The 202 of an execute route: the job was queued. */
export function acceptedResponse(style: RateLimitHeaderStyle): Json {
  return {
    description: 'Queued as a job; read its status and result at Location.',
    headers: { ...admittedHeaders(style), Location: { $ref: '#/components/headers/Location' }, 'Preference-Applied': { $ref: '#/components/headers/Preference-Applied' } },
    content: { 'application/json': { schema: { $ref: '#/components/schemas/OperationAccepted' } } },
  };
}

const ID_PARAMETER = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const WAIT_PARAMETER = {
  name: 'Prefer',
  in: 'header',
  required: false,
  description: 'wait=N: answer once the job ended, or after N seconds (at most 30) with its current state.',
  schema: { type: 'string', examples: ['wait=30'] },
};
const FINISHED: Json = {
  description: 'The operation already finished (succeeded, failed or was cancelled).',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

const PAGE_PARAMETERS = [
  { name: 'limit', in: 'query', required: false, description: 'Jobs per page (100 when absent).', schema: { type: 'integer', minimum: 1, maximum: 100, default: 100 } },
  {
    name: 'cursor',
    in: 'query',
    required: false,
    description: 'The nextCursor of the previous page: the page after it. Opaque, and only for the caller it was given to; jobs submitted since do not move later pages.',
    schema: { type: 'string', maxLength: 512 },
  },
];
const LIST: Json = {
  type: 'object',
  required: ['operations'],
  properties: {
    operations: { type: 'array', items: { $ref: '#/components/schemas/Operation' } },
    nextCursor: { type: 'string', description: 'Pass as cursor to read the next page; absent on the last page.' },
  },
};
const BAD_PAGE: Json = {
  description: 'A limit outside 1-100, or a cursor that is malformed or was given to another caller or tenant (INVALID_INPUT).',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};
const NEXT_LINK: Json = { description: 'RFC 8288 rel="next": the next page\'s URL, when more jobs follow.', schema: { type: 'string' } };

/** `/operations` and `/operations/{id}`: the caller's own jobs; anyone else's id is 404. */
export function operationsPaths(style: RateLimitHeaderStyle): Json {
  const ok = (description: string, schema: Json): Json => ({ description, headers: admittedHeaders(style), content: { 'application/json': { schema } } });
  const record = { $ref: '#/components/schemas/Operation' };
  return {
    '/operations': {
      get: {
        operationId: 'list_operations',
        summary: 'The caller\'s own jobs in its tenant, newest first, a page (at most 100) at a time.',
        tags: ['operations'],
        parameters: PAGE_PARAMETERS,
        responses: {
          '200': {
            ...ok('A page of the caller\'s jobs; nextCursor (and Link rel="next") when more follow.', LIST),
            headers: { ...admittedHeaders(style), Link: NEXT_LINK },
          },
          ...errorResponses(['401', '429', '500', '503']),
          '400': BAD_PAGE,
        },
      },
    },
    '/operations/{id}': {
      get: {
        operationId: 'get_operation',
        summary: 'A job\'s status, progress and, once it ended, its result or problem.',
        tags: ['operations'],
        parameters: [ID_PARAMETER, WAIT_PARAMETER],
        responses: { '200': ok('The job.', record), ...errorResponses(['401', '404', '429', '500', '503']) },
      },
      delete: {
        operationId: 'cancel_operation',
        summary: 'Cancels a job: a queued one never runs, a running one is told to stop.',
        tags: ['operations'],
        parameters: [ID_PARAMETER],
        responses: { '200': ok('The job, cancelled.', record), ...errorResponses(['401', '404', '429', '500', '503']), '409': FINISHED },
      },
    },
  };
}
