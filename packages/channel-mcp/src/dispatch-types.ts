import type { Credential, ListInit, NexusError, TransportInfo } from '@nexus/core';
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from './jsonrpc.js';

/** Who is calling, as the transport saw it; the pipeline judges it. */
export interface Caller {
  readonly credential: Credential;
  readonly clientAddress?: string | undefined;
  readonly transport: TransportInfo;
  readonly native?: unknown;
}

export interface DispatchOptions {
  readonly signal: AbortSignal;
  /** Delivers a notification tied to this request (progress); absent when nothing can carry it. */
  readonly notify?: ((notification: JsonRpcNotification) => void) | undefined;
  /**
   * Delivers notifications after the response went out, where the transport can (stdio, a stateful
   * HTTP session's GET stream): the status and progress of a task the call created, until the task
   * ends or `signal` aborts (the server closes, the session ends).
   */
  readonly followUp?: { readonly notify: (notification: JsonRpcNotification) => void; readonly signal: AbortSignal } | undefined;
}

/** The answer to one request, and the Nexus refusal behind it, so a transport can map it natively (401). */
export interface Answer {
  readonly response: JsonRpcResponse;
  readonly refusal?: NexusError | undefined;
}

export type Dispatch = (request: JsonRpcRequest, caller: Caller, options: DispatchOptions) => Promise<Answer>;

export type Schema = { safeParse(value: unknown): { success: true } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } };
export type Method = (request: JsonRpcRequest, caller: Caller, options: DispatchOptions) => Promise<Answer>;

/** The pipeline's view of a request: credential, transport facts, correlation, signal. */
export type InitOf = (caller: Caller, request: JsonRpcRequest, signal: AbortSignal) => ListInit;

export const ok = (request: JsonRpcRequest, result: object): JsonRpcResponse => ({ jsonrpc: '2.0', id: request.id, result: result as Record<string, unknown> });
