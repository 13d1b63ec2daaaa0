import type { ContextPatch, NexusContext } from './context.js';
import { extendContext } from './context-shape.js';
import type { OperationDefinition } from './operation.js';

/**
 * The fixed order every invocation passes through, whatever the channel and whatever
 * order plugins were added in. The handler runs after `validate`.
 */
export const PHASES = ['observe', 'authenticate', 'tenant', 'limit', 'authorize', 'validate'] as const;
export type Phase = (typeof PHASES)[number];

/** Calls the rest of the pipeline, optionally with an extended context. Call it at most once. */
export type Next = (patch?: ContextPatch) => Promise<unknown>;

/** Koa-style middleware over the neutral context. Throw a NexusError to refuse the call. */
export type Stage = (ctx: NexusContext, next: Next) => Promise<unknown>;

/**
 * An `authorize`-phase check. It is a predicate rather than a middleware so the same check
 * decides both calls and what catalogues show each caller. Throw a NexusError to refuse.
 */
export type Authorizer = (ctx: NexusContext, operation: OperationDefinition) => void | Promise<void>;

export interface StageEntry {
  readonly phase: Exclude<Phase, 'authorize'>;
  readonly name: string;
  readonly stage: Stage;
}

export type Terminal = (ctx: NexusContext) => Promise<unknown>;

/** Orders entries by phase (stable within a phase) and composes them around `terminal`. */
export function compose(entries: readonly StageEntry[], terminal: Terminal): Terminal {
  const ordered = [...entries].sort((a, b) => PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase));
  const stages = ordered.map((entry) => entry.stage);
  const names = ordered.map((entry) => entry.name);

  const dispatch = (index: number, ctx: NexusContext): Promise<unknown> => {
    if (index === stages.length) return terminal(ctx);
    const stage = stages[index]!;
    let called = false;
    const next: Next = (patch) => {
      if (called) return Promise.reject(new Error(`stage "${names[index]}" called next() more than once`));
      called = true;
      return dispatch(index + 1, patch === undefined ? ctx : extendContext(ctx, patch));
    };
    try {
      return stage(ctx, next);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return (ctx) => dispatch(0, ctx);
}
