import { InternalError, NexusError, NexusSetupError, TimeoutError, isNexusError } from '@nexus/core';

/** Setup codes of this package; docs/errors.md has one row per code with its fix. */
export type WorkflowSetupErrorCode =
  | 'NEXUS_ERR_WORKFLOW_EMPTY'
  | 'NEXUS_ERR_WORKFLOW_INVALID_NODE_ID'
  | 'NEXUS_ERR_WORKFLOW_DUPLICATE_NODE'
  | 'NEXUS_ERR_WORKFLOW_UNKNOWN_NODE_TYPE'
  | 'NEXUS_ERR_WORKFLOW_INVALID_NODE_CONFIG'
  | 'NEXUS_ERR_WORKFLOW_MISSING_NODE'
  | 'NEXUS_ERR_WORKFLOW_UNKNOWN_PORT'
  | 'NEXUS_ERR_WORKFLOW_DUPLICATE_INPUT'
  | 'NEXUS_ERR_WORKFLOW_CYCLE'
  | 'NEXUS_ERR_WORKFLOW_INVALID_NODE_TYPE'
  | 'NEXUS_ERR_WORKFLOW_DUPLICATE_NODE_TYPE'
  | 'NEXUS_ERR_WORKFLOW_INVALID_OPTIONS';

export function setupError(code: WorkflowSetupErrorCode, message: string, cause?: unknown): NexusSetupError {
  return new NexusSetupError(code, message, cause === undefined ? undefined : { cause });
}

/**
 * Gives a node's failure the node id. A NexusError keeps its code (its message was written to be
 * shown); anything else becomes INTERNAL whose message names only the node, the cause kept for logs.
 */
export function nodeFailure(nodeId: string, thrown: unknown): NexusError {
  const extensions = { node: nodeId };
  if (isNexusError(thrown)) {
    return new NexusError(thrown.code, `Workflow node "${nodeId}": ${thrown.message}`, {
      cause: thrown,
      extensions: { ...thrown.extensions, ...extensions },
      ...(thrown.errors === undefined ? {} : { errors: thrown.errors }),
      ...(thrown.retryAfter === undefined ? {} : { retryAfter: thrown.retryAfter }),
    });
  }
  return new InternalError(`Workflow node "${nodeId}" failed.`, { cause: thrown, extensions });
}

export function nodeTimeout(nodeId: string, timeoutMs: number): NexusError {
  return new TimeoutError(`Workflow node "${nodeId}" did not finish within ${timeoutMs} ms.`, { extensions: { node: nodeId } });
}

export function nodeBadOutput(nodeId: string, reason: string): NexusError {
  return new InternalError(`Workflow node "${nodeId}" returned a value that is not JSON-serialisable.`, {
    cause: new Error(`node "${nodeId}": ${reason}`),
    extensions: { node: nodeId },
  });
}

/**
 * A connection reads an output the node did not produce: a wiring mistake in the workflow, not
 * in the request, so it is INTERNAL, but the detail names the node, the output and what the node
 * did produce (names the workflow's author chose, nothing from the data).
 */
export function nodeMissingOutput(nodeId: string, output: string, produced: readonly string[]): NexusError {
  return new InternalError(
    `Workflow node "${nodeId}" produced no output "${output}" (it produced: ${produced.join(', ') || 'nothing'}). ` +
      'A node returning an object publishes each key as an output; connect one of those, or declare `outputs` so build() checks the wiring.',
    { extensions: { node: nodeId, output } },
  );
}
