import type { ContextPatch, NexusContext } from './context.js';

// Every field of NexusContext. Contexts hold all of them from the start, optional ones as
// undefined: a copy that adds a field the original lacked cost microseconds in V8, one that
// only replaces values costs a plain copy.
const FIELDS: ReadonlySet<string> = new Set([
  'requestId', 'channel', 'purpose', 'operation', 'definition', 'policy', 'input', 'credential', 'principal', 'tenant',
  'clientAddress', 'traceparent', 'transport', 'signal', 'logger', 'startedAt', 'extensions', 'annotations', 'native', 'progress',
]);

/** Set to false on a context a stage gave fields core does not know, which then are copied generically. */
export const PLAIN = Symbol('nexus.plain-context');

/** Whether `ctx` holds only NexusContext's fields, so a field-by-field copy loses nothing. */
export function isPlainContext(ctx: NexusContext): boolean {
  return (ctx as { [PLAIN]?: boolean })[PLAIN] === true;
}

/** `ctx` with the patch a stage passed to `next()`. */
export function extendContext(ctx: NexusContext, patch: ContextPatch): NexusContext {
  const extended: NexusContext & { [PLAIN]?: boolean } = { ...ctx, ...patch };
  for (const key in patch) {
    if (!FIELDS.has(key)) {
      extended[PLAIN] = false;
      break;
    }
  }
  return extended;
}
