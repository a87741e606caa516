/** The host part of `ip:port`, `[v6]:port`, or a bare address. */
export function hostOfAddress(addr: string | undefined): string | undefined {
  if (addr === undefined) return undefined;
  if (addr.startsWith('[')) {
    const end = addr.indexOf(']');
    return end < 0 ? addr.slice(1) : addr.slice(1, end);
  }
  const colon = addr.indexOf(':');
  if (colon < 0 || addr.indexOf(':', colon + 1) >= 0) return addr; // bare IPv6 has several colons
  return addr.slice(0, colon);
}

function parseIpv4(host: string): number[] | undefined {
  const parts = host.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (p === '' || p.length > 3) return undefined;
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0 || n > 255) return undefined;
    out.push(n);
  }
  return out;
}

export type AddressScope = 'private' | 'loopback' | 'link-local' | 'shared' | 'public' | 'name';

/**
 * The scope of an IP address: RFC 1918 private, RFC 6598 shared (carrier-grade NAT), loopback, link-local
 * (RFC 3927), IPv6 unique-local (RFC 4193) and link-local, or public. Host names are `name`.
 */
export function classifyAddress(host: string): AddressScope {
  const v4 = parseIpv4(host);
  if (v4 !== undefined) {
    const [a = 0, b = 0] = v4;
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
    if (a === 100 && b >= 64 && b <= 127) return 'shared';
    if (a === 127) return 'loopback';
    if (a === 169 && b === 254) return 'link-local';
    return 'public';
  }
  if (host.includes(':')) {
    const h = host.toLowerCase();
    if (h === '::1') return 'loopback';
    if (h.startsWith('fe8') || h.startsWith('fe9') || h.startsWith('fea') || h.startsWith('feb')) return 'link-local';
    if (h.startsWith('fc') || h.startsWith('fd')) return 'private';
    return 'public';
  }
  return 'name';
}

/** Whether an address cannot be reached from the public Internet (private, shared, link-local). */
export function isPrivateAddress(host: string): boolean {
  return isPrivateScope(classifyAddress(host));
}

/** Whether addresses of this scope cannot be reached from the public Internet (private, shared, link-local). */
export function isPrivateScope(s: AddressScope): boolean {
  return s === 'private' || s === 'shared' || s === 'link-local';
}
