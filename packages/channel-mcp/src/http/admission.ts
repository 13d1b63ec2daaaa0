import type { Nexus, NexusError } from '@nexus/core';
import { UnauthenticatedError } from '@nexus/core';
import type { Caller } from '../handlers.js';
import { isRequest } from '../jsonrpc.js';
import type { JsonRpcMessage } from '../jsonrpc.js';

export interface Refusal {
  readonly error: NexusError;
  readonly requestId?: string;
}

/** Methods whose handlers run the pipeline, which judges the credential itself. */
const PIPELINE_METHODS = new Set(['tools/call', 'tools/list', 'resources/list', 'resources/read']);

/**
 * DESIGN §7: a missing or invalid credential is answered before MCP, whatever the method (the
 * handshake included). Returns the refusal, or undefined to let the POST through.
 *
 * No credential: refused when the app requires one and has no public operation (tool calls are
 * refused by the pipeline itself, so they are audited); otherwise anonymous clients may connect
 * and see only public tools. A presented credential: messages that
 * run the pipeline are judged there (no second check on the hot path); any other message
 * (initialize, ping, notifications) has it judged by the authenticate phase alone, which writes
 * no audit record and charges no rate limit.
 */
export function admissionRefusal(app: Nexus, messages: readonly JsonRpcMessage[], caller: Caller): Promise<Refusal | undefined> | undefined {
  // Synchronous when nothing needs checking: the common call costs no extra await.
  if (!app.requiresAuthentication) return undefined;
  if (caller.credential.kind === 'none') {
    if (app.allOperations().some((operation) => operation.public)) return undefined;
    // A tool call is an invocation: the pipeline refuses it (audited and counted like on every
    // channel) and the exchange turns that refusal into the same 401.
    if (messages.every((message) => isRequest(message) && message.method === 'tools/call')) return undefined;
    return Promise.resolve({ error: new UnauthenticatedError() });
  }
  if (messages.every((message) => isRequest(message) && PIPELINE_METHODS.has(message.method))) return undefined;
  return check(app, caller);
}

async function check(app: Nexus, caller: Caller): Promise<Refusal | undefined> {
  const verdict = await app.authenticate({
    channel: 'mcp',
    credential: caller.credential,
    transport: caller.transport,
    native: caller.native,
    ...(caller.clientAddress === undefined ? {} : { clientAddress: caller.clientAddress }),
  });
  return verdict.ok ? undefined : { error: verdict.error, requestId: verdict.requestId };
}
