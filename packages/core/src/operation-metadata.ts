import { NexusSetupError } from './setup-error.js';
import type { OperationAnnotations, OperationExample } from './protocol/catalogue.js';

export type { OperationAnnotations, OperationExample } from './protocol/catalogue.js';

/** The metadata options `app.handler()` and `app.register()` accept beside the schemas. */
export interface OperationMetadataOptions {
  readonly annotations?: OperationAnnotations;
  /** Still callable; catalogues mark it so clients move away. */
  readonly deprecated?: boolean;
  readonly examples?: readonly OperationExample[];
  /** Always runs as a job: callers get an operation id at once and fetch the result later. */
  readonly longRunning?: boolean;
}

const FLAGS = ['readOnly', 'destructive', 'idempotent', 'openWorld'] as const;

/** Checks and freezes the metadata options; a mistake is a setup error at registration. */
export function operationMetadata(
  name: string,
  options: OperationMetadataOptions,
): { readonly annotations: OperationAnnotations; readonly deprecated: boolean; readonly longRunning: boolean; readonly examples: readonly OperationExample[] } {
  const invalid = (what: string) => new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', `${what} of "${name}" ${what === 'examples' ? 'must be an array of {input, output?, summary?}' : 'is not valid'}`);
  const annotations = options.annotations;
  if (annotations !== undefined) {
    if (typeof annotations !== 'object' || annotations === null) throw invalid('annotations');
    if (annotations.title !== undefined && typeof annotations.title !== 'string') throw invalid('annotations.title');
    for (const flag of FLAGS) if (annotations[flag] !== undefined && typeof annotations[flag] !== 'boolean') throw invalid(`annotations.${flag}`);
    if (annotations.readOnly === true && annotations.destructive === true) {
      throw new NexusSetupError('NEXUS_ERR_INVALID_CONFIG', `"${name}" cannot be both readOnly and destructive`);
    }
  }
  if (options.deprecated !== undefined && typeof options.deprecated !== 'boolean') throw invalid('deprecated');
  if (options.longRunning !== undefined && typeof options.longRunning !== 'boolean') throw invalid('longRunning');
  const examples = options.examples ?? [];
  if (!Array.isArray(examples) || examples.some((example) => typeof example !== 'object' || example === null || typeof example.input !== 'object' || example.input === null)) {
    throw invalid('examples');
  }
  return {
    annotations: Object.freeze({ ...annotations }) as OperationAnnotations,
    deprecated: options.deprecated === true,
    longRunning: options.longRunning === true,
    examples: Object.freeze(examples.map((example) => Object.freeze({ ...example }))),
  };
}
