import type { Logger } from './logger.js';
import { setRegisteredOperations } from './metrics.js';
import type { NexusMetrics } from './metrics.js';
import type { OperationDefinition } from './operation.js';
import { NexusSetupError } from './setup-error.js';

/** The registered operations, with the gauge and the listeners that follow every change. */
export class OperationRegistry {
  private readonly definitions = new Map<string, OperationDefinition>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly metrics: NexusMetrics,
    private readonly logger: Logger,
  ) {}

  get(name: string): OperationDefinition | undefined {
    return this.definitions.get(name);
  }

  values(): IterableIterator<OperationDefinition> {
    return this.definitions.values();
  }

  add(definition: OperationDefinition): void {
    if (this.definitions.has(definition.name)) {
      throw new NexusSetupError('NEXUS_ERR_DUPLICATE_OPERATION', `operation "${definition.name}" is already registered`);
    }
    this.definitions.set(definition.name, definition);
    this.changed();
  }

  delete(name: string): boolean {
    const removed = this.definitions.delete(name);
    if (removed) this.changed();
    return removed;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    setRegisteredOperations(this.metrics, this.definitions.size);
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.logger.error('operations listener failed', { error });
      }
    }
  }
}
