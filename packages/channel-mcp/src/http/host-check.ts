import { isIPv4, isIPv6 } from 'node:net';

/**
 * The host name of a `Host` header or an origin's authority (`name[:port]`, `[v6][:port]`), as
 * written: no IP-address normalisation, so `0x7f.1` stays a name. Undefined when malformed.
 */
function hostOf(authority: string): string | undefined {
  let host = authority;
  let port = '';
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    if (end < 0) return undefined;
    host = authority.slice(1, end);
    port = authority.slice(end + 1);
    if (!isIPv6(host)) return undefined;
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon >= 0) {
      host = authority.slice(0, colon);
      port = authority.slice(colon);
    }
  }
  if (port !== '' && !/^:\d{1,5}$/.test(port)) return undefined;
  return host.toLowerCase();
}

/**
 * Loopback means the literal name `localhost`, a dotted-decimal address in 127.0.0.0/8, or the
 * IPv6 loopback address, never a prefix: `127.evil.example` is a name anyone can point anywhere.
 */
export function isLoopback(host: string): boolean {
  const name = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (name.toLowerCase() === 'localhost') return true;
  if (isIPv4(name)) return name.startsWith('127.');
  return isIPv6(name) && new URL(`http://[${name}]`).hostname === '[::1]';
}

export interface RebindingPolicy {
  readonly allowedHosts: readonly string[];
  readonly allowedOrigins: readonly string[];
}

/**
 * DNS-rebinding protection: a page on a foreign name that resolves to 127.0.0.1 still sends its
 * own name as Host and Origin, so both must be loopback or explicitly allowed.
 */
export function passesRebindingCheck(headers: { host?: string | undefined; origin?: string | undefined }, policy: RebindingPolicy): boolean {
  const hostHeader = headers.host ?? '';
  const host = hostOf(hostHeader);
  const hostAllowed = policy.allowedHosts.includes(hostHeader) || (host !== undefined && (isLoopback(host) || policy.allowedHosts.includes(host)));
  if (!hostAllowed) return false;
  const origin = headers.origin;
  if (origin === undefined || policy.allowedOrigins.includes(origin)) return true;
  const match = /^https?:\/\/([^/?#]+)$/i.exec(origin);
  const originHost = match ? hostOf(match[1]!) : undefined;
  return originHost !== undefined && isLoopback(originHost);
}
