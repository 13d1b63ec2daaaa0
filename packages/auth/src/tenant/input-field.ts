import type { NexusContext, OperationDefinition, TenantInfo } from '@nexus/core';

const declared = new WeakMap<OperationDefinition, Map<string, boolean>>();

/** Whether an input JSON Schema names `field` as a property, in any member of a union too. */
function names(schema: unknown, field: string): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const { properties, anyOf, oneOf, allOf } = schema as Record<string, unknown>;
  if (typeof properties === 'object' && properties !== null && Object.hasOwn(properties, field)) return true;
  return [anyOf, oneOf, allOf].some((members) => Array.isArray(members) && members.some((member) => names(member, field)));
}

function declares(definition: OperationDefinition, field: string): boolean {
  let byField = declared.get(definition);
  if (byField === undefined) declared.set(definition, (byField = new Map()));
  let found = byField.get(field);
  if (found === undefined) byField.set(field, (found = names(definition.inputSchema, field)));
  return found;
}

/**
 * Binds the tenant input field of a call to its resolved tenant, so a handler ported with a
 * `tenant_id` parameter cannot be pointed at another tenant by its input. Answers the input to
 * use (the field filled in), `undefined` to keep it, or `false` to refuse: a value other than
 * the resolved tenant, or any value when no tenant was resolved.
 */
export function bindTenantInput(field: string | false, ctx: NexusContext, tenant: TenantInfo | undefined): Record<string, unknown> | undefined | false {
  if (field === false || ctx.purpose !== 'invoke' || ctx.definition === undefined) return undefined;
  const input = ctx.input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  if (!declares(ctx.definition, field)) return undefined;
  const supplied = Object.hasOwn(input, field) ? (input as Record<string, unknown>)[field] : undefined;
  if (supplied === undefined) return tenant === undefined ? undefined : { ...input, [field]: tenant.id };
  return tenant !== undefined && supplied === tenant.id ? undefined : false;
}
