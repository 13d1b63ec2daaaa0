/** How many refused credentials one client address may send per window before it is slowed down. */
export interface AuthFailureThrottleConfig {
  /** Refusals allowed per window and address (20). */
  readonly maxFailures?: number;
  /** Window length in seconds (60). */
  readonly windowSeconds?: number;
  /** Addresses tracked at most; the oldest are forgotten first (10000). */
  readonly maxAddresses?: number;
}

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * Counts refused credentials per client address in fixed windows. Once an address has spent
 * its failures, every credential it sends is refused unchecked until the window ends: token
 * guessing from one address gets a handful of tries per window.
 */
export class AuthFailureThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;

  constructor(config: AuthFailureThrottleConfig = {}) {
    this.maxFailures = config.maxFailures ?? 20;
    this.windowMs = (config.windowSeconds ?? 60) * 1000;
    this.maxAddresses = config.maxAddresses ?? 10_000;
  }

  /** Seconds until the address may try again, or 0 when it may try now. */
  blockedFor(address: string, now = Date.now()): number {
    const window = this.windows.get(address);
    if (window === undefined) return 0;
    const elapsed = now - window.startedAt;
    if (elapsed >= this.windowMs) {
      this.windows.delete(address);
      return 0;
    }
    return window.failures >= this.maxFailures ? Math.ceil((this.windowMs - elapsed) / 1000) : 0;
  }

  fail(address: string, now = Date.now()): void {
    const window = this.windows.get(address);
    if (window !== undefined && now - window.startedAt < this.windowMs) {
      window.failures++;
      return;
    }
    if (window === undefined && this.windows.size >= this.maxAddresses) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.delete(address);
    this.windows.set(address, { startedAt: now, failures: 1 });
  }
}
