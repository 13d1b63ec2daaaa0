import type { JsonRpcId } from '../jsonrpc.js';

/**
 * Requests being served, by who may cancel them (`scope`: a session, or one client address and
 * credential) and the client's own id. Clients pick their ids, so two of them may both use 1:
 * the scope keeps them apart.
 */
export class InFlight {
  private readonly calls = new Map<string, Set<AbortController>>();

  /** Tracks one request; call the returned function when it is answered. */
  track(scope: string, id: JsonRpcId, controller: AbortController): () => void {
    const key = `${scope}\u0000${typeof id}:${id}`;
    let set = this.calls.get(key);
    if (set === undefined) this.calls.set(key, (set = new Set()));
    set.add(controller);
    return () => {
      set.delete(controller);
      if (set.size === 0 && this.calls.get(key) === set) this.calls.delete(key);
    };
  }

  /** `notifications/cancelled`: aborts the handler's signal; the request still answers (CANCELLED). */
  cancel(scope: string, id: JsonRpcId, reason: unknown): void {
    for (const controller of this.calls.get(`${scope}\u0000${typeof id}:${id}`) ?? []) controller.abort(reason);
  }
}
