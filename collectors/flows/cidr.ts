/** IPv4/IPv6 CIDR membership, for "is this IP inside a node's podCIDR". */

export interface Cidr {
  v6: boolean;
  network: bigint;
  mask: bigint;
}

function ipv4ToBigInt(ip: string): bigint | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function ipv6ToBigInt(ip: string): bigint | undefined {
  let text = ip;
  // IPv4-mapped tail (::ffff:1.2.3.4)
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  let tailGroups: string[] = [];
  if (tail.includes('.')) {
    const v4 = ipv4ToBigInt(tail);
    if (v4 === undefined) return undefined;
    tailGroups = [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    text = text.slice(0, lastColon + 1) + '0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  if (tailGroups.length) (halves.length === 2 ? rest : head).splice(-1, 1, ...tailGroups);
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

export function ipToBigInt(ip: string): { v6: boolean; value: bigint } | undefined {
  if (ip.includes(':')) {
    const value = ipv6ToBigInt(ip);
    return value === undefined ? undefined : { v6: true, value };
  }
  const value = ipv4ToBigInt(ip);
  return value === undefined ? undefined : { v6: false, value };
}

export function parseCidr(cidr: string): Cidr | undefined {
  const [addr, prefixText] = cidr.split('/');
  if (!addr) return undefined;
  const ip = ipToBigInt(addr);
  if (!ip) return undefined;
  const bits = ip.v6 ? 128 : 32;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined;
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { v6: ip.v6, network: ip.value & mask, mask };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const v = ipToBigInt(ip);
  return v !== undefined && v.v6 === c.v6 && (v.value & c.mask) === c.network;
}
