/**
 * The Nexus wire protocol: error codes and their mapping to each transport, problem details,
 * credential and header parsing, bounded JSON bodies. It imports nothing but itself (no zod, no
 * prom-client, no node: modules), so light clients such as the remote CLI can load it alone.
 */
export { CLI_EXIT_CODE, ERROR_CODES, ERROR_TITLE, HTTP_STATUS, JSONRPC_CODE, codeFromHttpStatus, isErrorCode } from './codes.js';
export type { NexusErrorCode } from './codes.js';
export { problem } from './problem.js';
export type { FieldError, ProblemDetails, ProblemFields } from './problem.js';
export {
  CancelledError,
  ConflictError,
  ForbiddenError,
  IdempotencyMismatchError,
  InternalError,
  InvalidInputError,
  NexusError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  TenantAccessDeniedError,
  TenantRequiredError,
  TimeoutError,
  UnauthenticatedError,
  UnavailableError,
  isNexusError,
  toNexusError,
} from './errors.js';
export type { NexusErrorOptions } from './errors.js';
export { parseCredential, wwwAuthenticate } from './credential.js';
export type { ChallengeOptions, Credential, CredentialHeaders } from './credential.js';
export { REQUEST_ID_HEADER, TENANT_HEADER, acceptRequestId, encodeHeaderValue, firstHeader, isValidRequestId, requestIdFrom } from './headers.js';
export { DEFAULT_MAX_JSON_DEPTH, JsonBodyCollector, parseJsonText, readJsonBody } from './json-body.js';
export type { JsonBodyOptions } from './json-body.js';
export { catalogueEntry } from './catalogue.js';
export type { CatalogueEntry, OperationAnnotations, OperationExample, OperationKind } from './catalogue.js';
