import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { OperationDescriptor } from '@nexus/core';

type Json = Record<string, unknown>;

/** What an error result's `structuredContent` holds: `{error: <problem details>}`. */
const ERROR_CONTENT: Json = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, detail: { type: 'string' }, requestId: { type: 'string' } },
      required: ['code', 'detail'],
    },
  },
  required: ['error'],
};

/**
 * The tool's `outputSchema`: the shape of `structuredContent`. A result that is not an object is
 * sent as `{result: value}`, and a refusal as `{error: problem}`; clients (the SDK's `callTool`)
 * validate every `structuredContent` they receive, refusals included, so both shapes are listed.
 */
function outputSchemaOf(schema: Readonly<Json>): Json {
  const { $defs, ...rest } = schema;
  const result = schema.type === 'object' ? rest : { type: 'object', properties: { result: rest }, required: ['result'] };
  return { type: 'object', anyOf: [result, ERROR_CONTENT], ...($defs === undefined ? {} : { $defs }) };
}

/** MCP tool annotations (`readOnlyHint`, ...) from the hints the operation declares, and only those. */
function annotationsOf(operation: OperationDescriptor): Json | undefined {
  const declared = operation.annotations;
  if (declared === undefined) return undefined;
  const hints: Json = {};
  if (declared.title !== undefined) hints.title = declared.title;
  if (declared.readOnly !== undefined) hints.readOnlyHint = declared.readOnly;
  if (declared.destructive !== undefined) hints.destructiveHint = declared.destructive;
  if (declared.idempotent !== undefined) hints.idempotentHint = declared.idempotent;
  if (declared.openWorld !== undefined) hints.openWorldHint = declared.openWorld;
  return hints;
}

/** MCP requires `type: "object"` at the top; a union of objects gets it stated beside its `anyOf`. */
function objectSchema(schema: Readonly<Json>): Tool['inputSchema'] {
  return (schema.type === 'object' ? schema : { type: 'object', ...schema }) as Tool['inputSchema'];
}

/**
 * Every tool may run as a task, and none must: a client without task support still calls a
 * long-running tool and waits for it ("required" would leave such clients unable to call it).
 */
const EXECUTION: Tool['execution'] = { taskSupport: 'optional' };

/** One operation as `tools/list` shows it. */
export function toolInfo(operation: OperationDescriptor): Tool {
  const annotations = annotationsOf(operation);
  const title = operation.annotations?.title;
  return {
    name: operation.name,
    description: operation.deprecated === true ? `Deprecated. ${operation.description}` : operation.description,
    inputSchema: objectSchema(operation.inputSchema),
    execution: EXECUTION,
    ...(title === undefined ? {} : { title }),
    ...(operation.outputSchema === undefined ? {} : { outputSchema: outputSchemaOf(operation.outputSchema) as Tool['outputSchema'] }),
    ...(annotations === undefined ? {} : { annotations }),
  };
}
