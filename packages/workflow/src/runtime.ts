import { CancelledError, isNexusError } from '@nexus/core';
import type { NexusContext, NexusError } from '@nexus/core';
import { nodeBadOutput, nodeFailure, nodeMissingOutput, nodeTimeout } from './errors.js';
import { freezeJson, isPlainObject, setOwn } from './json.js';
import type { Plan, PlanNode } from './plan.js';
import type { NodeContext, NodeOutputs } from './types.js';

/**
 * Inputs the runtime takes from the verified context rather than from the caller. The caller's
 * tenant is authoritative: a `tenant_id` in the request is dropped, and set again only from
 * `ctx.tenant`, so no caller can make a node act for another tenant.
 */
export const CONTEXT_INPUTS: Readonly<Record<string, (ctx: NexusContext) => string | undefined>> = Object.freeze({
  tenant_id: (ctx: NexusContext) => ctx.tenant?.id,
});

function workflowInputs(inputs: Record<string, unknown>, ctx: NexusContext): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs ?? {})) if (!Object.hasOwn(CONTEXT_INPUTS, key)) setOwn(resolved, key, value);
  for (const [key, read] of Object.entries(CONTEXT_INPUTS)) {
    const value = read(ctx);
    if (value !== undefined) resolved[key] = value;
  }
  return resolved;
}

function abortReason(signal: AbortSignal): NexusError {
  return isNexusError(signal.reason) ? signal.reason : new CancelledError();
}

function freezeCopy<T extends object>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : Object.freeze({ ...value });
}

/**
 * Runs the plan: every node starts as soon as its inputs are settled, so independent branches
 * overlap. The first failure, node timeout or cancellation aborts the shared signal, rejects at
 * once, and no node starts after it.
 */
export function runPlan(plan: Plan, inputs: Record<string, unknown>, ctx: NexusContext): Promise<Record<string, unknown>> {
  if (ctx.signal.aborted) return Promise.reject(abortReason(ctx.signal));
  const resolvedInputs = workflowInputs(inputs, ctx);
  freezeJson(resolvedInputs);
  const controller = new AbortController();
  const principal = ctx.principal && Object.freeze({ ...ctx.principal, roles: Object.freeze([...ctx.principal.roles]), permissions: Object.freeze([...ctx.principal.permissions]), claims: Object.freeze({ ...ctx.principal.claims }) });
  const tenant = freezeCopy(ctx.tenant);
  const nodes = plan.nodes;
  const outputs = new Array<NodeOutputs | undefined>(nodes.length);
  const pending = nodes.map((node) => node.incoming.length);
  const finished = new Uint8Array(nodes.length);
  let remaining = nodes.length;
  let done = false;

  return new Promise((resolve, reject) => {
    const onAbort = () => fail(abortReason(ctx.signal));
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    function fail(error: NexusError): void {
      if (done) return;
      done = true;
      ctx.signal.removeEventListener('abort', onAbort);
      controller.abort(error);
      reject(error);
    }

    function finish(): void {
      done = true;
      ctx.signal.removeEventListener('abort', onAbort);
      const result: Record<string, unknown> = {};
      for (const node of nodes) if (outputs[node.index] !== undefined) result[node.id] = outputs[node.index];
      resolve(result);
    }

    function settle(node: PlanNode): void {
      for (const edge of node.outgoing) if (--pending[edge.to]! === 0) ready(nodes[edge.to]!);
      if (--remaining === 0 && !done) finish();
    }

    function ready(node: PlanNode): void {
      if (done) return;
      const nodeInputs: Record<string, unknown> = node.root ? { ...resolvedInputs } : {};
      for (const mapping of node.mappings) {
        if (Object.hasOwn(resolvedInputs, mapping.input)) setOwn(nodeInputs, mapping.port, resolvedInputs[mapping.input]);
      }
      let delivered = 0;
      for (const edge of node.incoming) {
        const source = outputs[edge.from];
        if (source !== undefined && Object.hasOwn(source, edge.output)) {
          delivered++;
          setOwn(nodeInputs, edge.input, source[edge.output]);
        }
      }
      const runs = node.type.joins ? delivered > 0 || node.root : delivered === node.incoming.length;
      if (runs) void execute(node, nodeInputs);
      else settle(node);
    }

    function timedOut(node: PlanNode): void {
      if (finished[node.index] === 1) return;
      finished[node.index] = 1;
      fail(nodeTimeout(node.id, node.timeoutMs));
    }

    async function execute(node: PlanNode, nodeInputs: Record<string, unknown>): Promise<void> {
      const timer = setTimeout(timedOut, node.timeoutMs, node);
      let value: unknown;
      try {
        // Yielding first keeps a long chain of synchronous nodes off the call stack.
        await undefined;
        if (done) return;
        const nodeCtx: NodeContext = Object.freeze({
          nodeId: node.id,
          requestId: ctx.requestId,
          channel: ctx.channel,
          tenant,
          principal,
          signal: controller.signal,
          timeoutMs: node.timeoutMs,
          logger: ctx.logger,
        });
        value = await node.type.run(Object.freeze(nodeInputs), node.config, nodeCtx);
      } catch (error) {
        if (finished[node.index] === 1 || done) return;
        finished[node.index] = 1;
        if (isNexusError(error) && error.extensions?.node === node.id) fail(error);
        else failNode(node, error);
        return;
      } finally {
        clearTimeout(timer);
      }
      if (finished[node.index] === 1 || done) return;
      finished[node.index] = 1;
      completed(node, value);
    }

    function failNode(node: PlanNode, error: unknown): void {
      // The caller sees only the node id; the cause goes to the log with the request id.
      if (!isNexusError(error)) ctx.logger.error('workflow node failed', { node: node.id, nodeType: node.typeName, error });
      fail(nodeFailure(node.id, error));
    }

    function completed(node: PlanNode, value: unknown): void {
      const produced: Record<string, unknown> = value === undefined ? {} : isPlainObject(value) ? value : { result: value };
      let problem: string | undefined;
      try {
        problem = freezeJson(produced);
      } catch (error) {
        // A getter that throws while the output is read.
        return failNode(node, error);
      }
      if (problem !== undefined) {
        ctx.logger.error('workflow node returned a value that is not JSON', { node: node.id, nodeType: node.typeName, problem });
        return fail(nodeBadOutput(node.id, problem));
      }
      if (!node.type.routes) {
        const missing = node.outgoing.find((edge) => !Object.hasOwn(produced, edge.output));
        if (missing) return fail(nodeMissingOutput(node.id, missing.output, Object.keys(produced)));
      }
      outputs[node.index] = produced;
      try {
        ctx.progress(nodes.length - remaining + 1, nodes.length, node.id);
      } catch {
        // Progress is best effort; a channel's listener must not fail the workflow.
      }
      settle(node);
    }

    for (const node of nodes) if (node.root) ready(node);
  });
}
