import { ERROR_TITLE, HTTP_STATUS } from './codes.js';
import type { NexusErrorCode } from './codes.js';

/** One failed field of an input, addressed by a dotted path (`profile.email`, `items.0`). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** The wire shape every channel renders: RFC 9457 problem details plus Nexus fields. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: NexusErrorCode;
  readonly detail: string;
  readonly requestId?: string;
  readonly errors?: readonly FieldError[];
  readonly retryAfter?: number;
  readonly [extension: string]: unknown;
}

/** What a problem is built from: a NexusError has all of these, a client builds them by hand. */
export interface ProblemFields {
  readonly code: NexusErrorCode;
  /** Safe to show the caller; for an error, its message. */
  readonly detail?: string;
  readonly message?: string;
  readonly requestId?: string | undefined;
  readonly errors?: readonly FieldError[] | undefined;
  readonly retryAfter?: number | undefined;
  /** Extra public fields (never secrets); they cannot replace the standard ones. */
  readonly extensions?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The RFC 9457 problem object of an error or of hand-given fields, the same on every channel.
 * @example problem({ code: 'TIMEOUT', detail: 'No answer within 5000 ms.', requestId })
 */
export function problem(source: ProblemFields, requestId?: string): ProblemDetails {
  const id = requestId ?? source.requestId;
  return {
    ...source.extensions,
    type: `urn:nexus:error:${source.code}`,
    title: ERROR_TITLE[source.code],
    status: HTTP_STATUS[source.code],
    code: source.code,
    detail: source.detail ?? source.message ?? ERROR_TITLE[source.code],
    ...(id === undefined ? {} : { requestId: id }),
    ...(source.errors === undefined ? {} : { errors: source.errors }),
    ...(source.retryAfter === undefined ? {} : { retryAfter: source.retryAfter }),
  };
}
