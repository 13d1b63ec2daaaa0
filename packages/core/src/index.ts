// Exports by name, each a decision: what apps, plugins and channels need. Pipeline internals
// (compose, PHASES, validateInput, describeOperation, the $list/$route pseudo-operation names,
// assertOperationName, normaliseAddress, the job manager's JobsHost) are internal and may change in any release.
export { Nexus } from './nexus.js';
export { Admission } from './admission.js';
export type { AdmissionDecision } from './admission.js';
export type { NexusOptions, NexusState, ResolvedNexusOptions } from './nexus-options.js';
export type { IdempotencyOptions } from './idempotency/options.js';
export { JOBS_ADMIN_PERMISSION, JOBS_LIST_LIMIT, JobManager, MAX_JOB_WAIT_MS } from './jobs/manager.js';
export type { JobsOptions } from './jobs/manager.js';
export { JOBS_PAGE_LIMIT } from './jobs/cursor.js';
export type { JobListAnswer, JobListPage } from './jobs/cursor.js';
export { createMemoryJobPort } from './jobs/memory.js';
export type { MemoryJobPortOptions } from './jobs/memory.js';
export { JOB_STATUSES } from './jobs/types.js';
export type {
  JobCaller,
  JobExecutor,
  JobFilter,
  JobOutcome,
  JobPort,
  JobPosition,
  JobRecord,
  JobStatus,
  JobSubmission,
  ProgressUpdate,
  StoredJob,
} from './jobs/types.js';
export { createMemoryIdempotencyStore } from './idempotency/store.js';
export type { IdempotencyStore, MemoryIdempotencyStoreOptions } from './idempotency/store.js';
export type {
  AuthenticatedContext,
  ChannelName,
  HandlerContext,
  NexusEnv,
  ContextPatch,
  Credential,
  InvocationInit,
  JobPhase,
  ListInit,
  NexusContext,
  NexusContextExtensions,
  Principal,
  Purpose,
  RateLimitInfo,
  ResponseAnnotations,
  TenantInfo,
  TransportInfo,
} from './context.js';
export type { InvocationResult } from './invocation.js';
export type { AuthenticateRequest, DispatchValue, InvokeRequest, ListRequest, NexusRequest, NexusResult, RouteRequest, SubmitRequest } from './dispatch.js';
export { MAX_IDENTIFIER_LENGTH, MAX_INPUT_DEPTH, RESERVED_KEYS, checkInputRules, isValidIdentifier } from './input-rules.js';
export type { Authorizer, Next, Phase, Stage } from './compose.js';
export type { Channel, ChannelAddress, Plugin } from './plugin.js';
export { catalogueEntry, isPermissionProbe } from './operation.js';
export type { OperationAnnotations, OperationExample, OperationMetadataOptions } from './operation-metadata.js';
export { DEFAULT_POLICY, resolvePolicy } from './policy.js';
export type { AuditMode, Policy, PolicyOptions } from './policy.js';
export type {
  CatalogueEntry,
  Guard,
  HandlerFn,
  HandlerOptions,
  HandlerOutput,
  OperationDefinition,
  OperationDescriptor,
  OperationKind,
  RegisterOptions,
  RunnableWorkflow,
} from './operation.js';
export {
  CancelledError,
  ConflictError,
  ERROR_STATUS,
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
  outcomeOf,
  toNexusError,
} from './errors.js';
export type { FieldError, NexusErrorCode, NexusErrorOptions, Outcome, ProblemDetails } from './errors.js';
export { NexusSetupError, isNexusSetupError } from './setup-error.js';
export type { NexusSetupErrorCode } from './setup-error.js';
export { DEFAULT_SERVER_LIMITS, resolveServerLimits } from './server-limits.js';
export type { ServerLimitOptions, ServerLimits } from './server-limits.js';
export { CORS_EXPOSED_HEADERS, resolveCorsPolicy } from './cors.js';
export type { CorsOptions, CorsPolicy } from './cors.js';
export { runHealthChecks } from './health.js';
export type { HealthCheck, HealthCheckResult, HealthReport, HealthStatus } from './health.js';
export { UNKNOWN_OPERATION_LABEL, createMetrics } from './metrics.js';
export type { NexusMetrics } from './metrics.js';
export { acceptRequestId, isValidRequestId } from './protocol/headers.js';
export {
  CLI_EXIT_CODE,
  ERROR_TITLE,
  HTTP_STATUS,
  JSONRPC_CODE,
  TENANT_HEADER,
  codeFromHttpStatus,
  encodeHeaderValue,
  parseCredential,
  problem,
  requestIdFrom,
  wwwAuthenticate,
} from './protocol/index.js';
export { createForwardedAddressResolver } from './forwarded.js';
export type { ForwardedAddressResolver, TrustedProxies } from './forwarded.js';
export { createJsonLogger, silentLogger } from './logger.js';
export type { LogLevel, Logger } from './logger.js';
