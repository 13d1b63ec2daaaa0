import type { CorsOptions, ServerLimitOptions, TrustedProxies } from '@nexus/core';

/** Options of the Streamable HTTP transport; the listener limits are those of every Nexus HTTP listener. */
export interface McpHttpOptions extends ServerLimitOptions {
  /** Defaults to `app.options.mcpPort` (3001); 0 picks a free port. */
  readonly port?: number;
  /** Defaults to `app.options.host` (127.0.0.1). */
  readonly host?: string;
  readonly path?: string;
  /** Largest accepted POST body in bytes (1 MiB). */
  readonly maxBodyBytes?: number;
  /** Host/Origin checks; on by default when bound to a loopback address. */
  readonly dnsRebindingProtection?: boolean;
  readonly allowedHosts?: readonly string[];
  readonly allowedOrigins?: readonly string[];
  /** The URL clients reach the server at (behind a proxy); defaults to `http://<Host header>`. */
  readonly publicUrl?: string;
  /**
   * Proxies whose `X-Forwarded-For` is believed (addresses, `'loopback'`, or a predicate). Unset,
   * the socket address is the client: behind a proxy every caller would share one address.
   */
  readonly trustProxy?: TrustedProxies;
  /** Authorization server(s) advertised in the protected-resource metadata (the JWT issuer). */
  readonly issuer?: string | readonly string[];
  /** Sessions (Mcp-Session-Id), a GET stream for list changes, DELETE to end; needs sticky routing. */
  readonly stateful?: boolean;
  /** A session unused this long is closed (30 min). */
  readonly sessionIdleMs?: number;
  /** Browser access from other origins (`{origins: [...], credentials?}`); off by default. Named origins also pass the rebinding check. */
  readonly cors?: CorsOptions;
}
