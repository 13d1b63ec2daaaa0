import type { isIP as netIsIP } from 'node:net';

// node:net costs a process that serves no HTTP (an in-process CLI) ~8 ms to load: it is taken
// from Node's built-ins on the first address resolved, not imported with core.
let isIPOf: typeof netIsIP | undefined;
const isIP = (address: string): number => (isIPOf ??= process.getBuiltinModule('node:net').isIP)(address);

/** Proxies whose `X-Forwarded-For` is believed: exact addresses, `'loopback'`, or a predicate. */
export type TrustedProxies = readonly string[] | ((address: string) => boolean);

/** Resolves the client address from the socket's peer and the `X-Forwarded-For` header value(s). */
export type ForwardedAddressResolver = (
  socketAddress: string | undefined,
  forwardedFor: string | readonly string[] | undefined,
) => string | undefined;

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) as its IPv4 form; any other address unchanged. */
export function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function isLoopbackAddress(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

function trustTest(trust: TrustedProxies | undefined): ((address: string) => boolean) | undefined {
  if (trust === undefined) return undefined;
  if (typeof trust === 'function') return trust;
  if (trust.length === 0) return undefined;
  const exact = new Set(trust.filter((entry) => entry !== 'loopback').map(normaliseAddress));
  const loopback = trust.includes('loopback');
  return (address) => exact.has(address) || (loopback && isLoopbackAddress(address));
}

/**
 * Builds the client-address resolver every HTTP channel shares. Without trusted proxies the
 * socket address is the client; with them, `X-Forwarded-For` is walked from the right past
 * trusted hops only, so a caller cannot choose the address rate limits and audit key on.
 * @example
 * const resolve = createForwardedAddressResolver(['loopback']);
 * resolve('127.0.0.1', '203.0.113.7'); // '203.0.113.7'
 */
export function createForwardedAddressResolver(trust: TrustedProxies | undefined): ForwardedAddressResolver {
  const trusted = trustTest(trust);
  if (trusted === undefined) {
    return (socketAddress) => (socketAddress === undefined ? undefined : normaliseAddress(socketAddress));
  }
  return (socketAddress, forwardedFor) => {
    if (socketAddress === undefined) return undefined;
    let address = normaliseAddress(socketAddress);
    if (!trusted(address) || forwardedFor === undefined) return address;
    const hops = (typeof forwardedFor === 'string' ? forwardedFor : forwardedFor.join(',')).split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = normaliseAddress(hops[i]!.trim());
      // A malformed hop means the chain past it cannot be trusted: stop at the last good one.
      if (isIP(hop) === 0) return address;
      address = hop;
      if (!trusted(hop)) return hop;
    }
    return address;
  };
}
