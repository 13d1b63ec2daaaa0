import type { Nexus, NexusError } from '@nexus/core';
import { UnauthenticatedError } from '@nexus/core';
import type { Caller } from './dispatch-types.js';
import { isRequest } from './jsonrpc.js';
import type { JsonRpcMessage } from './jsonrpc.js';

export interface Refusal {
  readonly error: NexusError;
  readonly requestId?: string | undefined;
}

/** Methods that run the pipeline themselves, so it judges their credential (audited there). */
const SELF_JUDGED = new Set(['tools/call', 'tools/list', 'resources/list', 'resources/read', 'tasks/get', 'tasks/result', 'tasks/cancel', 'tasks/list']);

/** Whether a message may go through without a principal: public tools, and the handshake when any tool is public. */
function anonymousMayRun(app: Nexus, message: JsonRpcMessage, anyPublic: () => boolean): boolean {
  if (isRequest(message) && message.method === 'tools/call') {
    const name = message.params?.name;
    return typeof name === 'string' && app.operation(name)?.public === true;
  }
  return anyPublic();
}

/**
 * Decides once per transport request, before any message is served, whether its caller is
 * admitted. Undefined: admitted, synchronously (the common authenticated call costs no extra
 * await). A refusal went through the app's authenticate and observe phases exactly once, so an
 * unauthenticated request of any size is one audit record and one counted failure.
 *
 * A single call or listing with a credential (or an anonymous single call) is left to its own
 * pipeline run, which judges and records it with the operation's name. Everything else that
 * carries a credential or needs a principal (batches, the handshake, notifications) has the
 * credential judged here.
 */
export function admit(app: Nexus, messages: readonly JsonRpcMessage[], caller: Caller): Promise<Refusal | undefined> | undefined {
  if (!app.requiresAuthentication) return undefined;
  const single = messages.length === 1 ? messages[0]! : undefined;
  if (caller.credential.kind === 'none') {
    let anyPublicMemo: boolean | undefined;
    const anyPublic = () => (anyPublicMemo ??= app.allOperations().some((operation) => operation.public));
    if (messages.every((message) => anonymousMayRun(app, message, anyPublic))) return undefined;
    if (single !== undefined && isRequest(single) && single.method === 'tools/call') return undefined;
    return judge(app, caller, true);
  }
  if (single !== undefined && isRequest(single) && SELF_JUDGED.has(single.method)) return undefined;
  return judge(app, caller, false);
}

async function judge(app: Nexus, caller: Caller, principalNeeded: boolean): Promise<Refusal | undefined> {
  const verdict = await app.dispatch({
    purpose: 'authenticate',
    as: 'route',
    channel: 'mcp',
    credential: caller.credential,
    transport: caller.transport,
    native: caller.native,
    ...(caller.clientAddress === undefined ? {} : { clientAddress: caller.clientAddress }),
  });
  if (!verdict.ok) return { error: verdict.error, requestId: verdict.requestId };
  // The app's stages admitted an anonymous caller that the request needs a principal for.
  if (principalNeeded && verdict.value === undefined) return { error: new UnauthenticatedError(), requestId: verdict.requestId };
  return undefined;
}
