// Which callback URLs the gateway will call. Subscribers register their own URLs, so nothing about
// them is trusted: https only (plain http for hosts an operator allowed), and never a private,
// loopback, link-local or cloud metadata address unless OUTBOUND_ALLOW_PRIVATE=true. Names are
// checked after DNS resolution, at connect time, on the very address the socket then connects to
// (no window for DNS rebinding between the check and the connection).
import dns from 'node:dns';
import net from 'node:net';

export interface DestinationPolicy {
  allowPrivate: boolean;
  /** Hosts that may be called over plain http (lower case, IPv6 without brackets). */
  allowHttpHosts: string[];
}

export class ForbiddenDestinationError extends Error {
  readonly code = 'EFORBIDDEN_DESTINATION';
}

const PRIVATE = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
] as const)
  PRIVATE.addSubnet(network, prefix, 'ipv6');

// Refused even when private addresses are allowed: credentials live there. IPv6 in full form
// (every group, no leading zeros), so any spelling of the same address matches.
const METADATA = new Set(['169.254.169.254', fullIpv6('fd00:ec2::254'), '100.100.100.200']);

/** Why the address may not be called, or undefined when it may. */
export function forbiddenAddress(address: string, allowPrivate: boolean): string | undefined {
  const family = net.isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  const v4 = family === 6 ? embeddedIpv4(address) : address;
  const [addr, type] = v4 ? [v4, 'ipv4' as const] : [fullIpv6(address), 'ipv6' as const];
  const name = v4 && v4 !== address ? `${address} (${v4})` : address;
  if (METADATA.has(addr)) return `${name} is a cloud metadata address`;
  if (!allowPrivate && PRIVATE.check(addr, type)) return `${name} is a private, loopback or link-local address`;
  return undefined;
}

/** Checks the URL's form (scheme, credentials, literal IP); names are checked again at connect time. */
export function checkCallbackUrl(raw: string, policy: DestinationPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ForbiddenDestinationError('callbackUrl is not an absolute URL');
  }
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttpHosts.includes(host))) {
    throw new ForbiddenDestinationError(`callbackUrl must use https (plain http only for ${policy.allowHttpHosts.join(', ') || 'no host'})`);
  }
  if (url.username || url.password) throw new ForbiddenDestinationError('callbackUrl must not contain credentials');
  if (url.hash) throw new ForbiddenDestinationError('callbackUrl must not contain a fragment');
  if (net.isIP(host)) {
    const reason = forbiddenAddress(host, policy.allowPrivate);
    if (reason) throw new ForbiddenDestinationError(`callbackUrl is refused: ${reason}`);
  }
  return url;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;
export type Resolver = (hostname: string, callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;

const systemResolver: Resolver = (hostname, callback) => dns.lookup(hostname, { all: true, verbatim: true }, callback);

/** A `lookup` for net/tls.connect that refuses names resolving to a forbidden address (any of them). */
export function guardedLookup(allowPrivate: boolean, resolve: Resolver = systemResolver) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, (error, addresses) => {
      if (error) return callback(error, []);
      const family = options.family === 4 || options.family === 6 ? options.family : undefined;
      const usable = addresses.filter((a) => !family || a.family === family);
      if (usable.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      for (const a of usable) {
        const reason = forbiddenAddress(a.address, allowPrivate);
        if (reason) return callback(new ForbiddenDestinationError(`${hostname} is refused: ${reason}`), []);
      }
      if (options.all) callback(null, usable);
      else callback(null, usable[0].address, usable[0].family);
    });
  };
}

/**
 * The IPv4 address an IPv6 address carries, in whatever spelling: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible (::a.b.c.d, deprecated but still routed to the IPv4 host by some stacks), SIIT
 * (::ffff:0:a.b.c.d) and NAT64 (64:ff9b::/96) — dotted or hex, zeros written out or not. So
 * [::169.254.169.254] and [::a9fe:a9fe] are the metadata address, not some IPv6 host.
 */
function embeddedIpv4(v6: string): string | undefined {
  const bytes = ipv6Bytes(v6);
  if (!bytes) return undefined;
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  const word = (i: number) => (bytes[i] << 8) | bytes[i + 1];
  const mapped = zero(0, 10) && word(10) === 0xffff;
  const compatible = zero(0, 12) && !(zero(12, 15) && bytes[15] <= 1); // not :: or ::1
  const translated = zero(0, 8) && word(8) === 0xffff && word(10) === 0;
  const nat64 = word(0) === 0x64 && word(2) === 0xff9b && zero(4, 12);
  return mapped || compatible || translated || nat64 ? bytes.slice(12).join('.') : undefined;
}

function fullIpv6(address: string): string {
  const bytes = ipv6Bytes(address);
  if (!bytes) return address.toLowerCase();
  return Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16)).join(':');
}

/** The 16 bytes of a textual IPv6 address (already checked by net.isIP), or undefined. */
function ipv6Bytes(text: string): number[] | undefined {
  let address = text.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    address = `${address.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = address.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const words = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  if (words.length !== 8) return undefined;
  return words.flatMap((w) => {
    const n = parseInt(w, 16);
    return [n >> 8, n & 255];
  });
}
