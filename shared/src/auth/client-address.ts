import net from 'node:net';

/**
 * Which peers are trusted reverse proxies (their X-Forwarded-For is believed), from a list such as
 * `loopback`, `uniquelocal`, `10.0.0.5`, `192.168.0.0/16` (comma-separated; empty = none), the same
 * words Express's `trust proxy` takes, so both servers agree on who the client is.
 */
export function trustedProxies(spec: string): (address: string) => boolean {
  const list = new net.BlockList();
  const add = (cidr: string) => {
    const [ip, bits] = cidr.split('/');
    const type = net.isIPv6(ip) ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(ip, type);
    else list.addSubnet(ip, Number(bits), type);
  };
  for (const word of spec.split(',').map((w) => w.trim()).filter(Boolean)) {
    if (word === 'loopback') ['127.0.0.0/8', '::1/128'].forEach(add);
    else if (word === 'uniquelocal') ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'].forEach(add);
    else if (word === 'linklocal') ['169.254.0.0/16', 'fe80::/10'].forEach(add);
    else add(word);
  }
  return (address) => {
    const a = normaliseAddress(address);
    return net.isIP(a) !== 0 && list.check(a, net.isIPv6(a) ? 'ipv6' : 'ipv4');
  };
}

/**
 * The client's address: the peer, unless the peer is a trusted proxy, then the right-most address in
 * X-Forwarded-For that is not itself a trusted proxy (the left-most entries are whatever the client wrote).
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: (address: string) => boolean): string {
  let address = normaliseAddress(peer);
  const hops = (forwardedFor ?? '').split(',').map((h) => normaliseAddress(h.trim())).filter((h) => net.isIP(h) !== 0);
  while (trusted(address) && hops.length) address = hops.pop()!;
  return address;
}

/** `::ffff:1.2.3.4` and uWS's long form `0000:…:ffff:0102:0304` → `1.2.3.4`; other IPv6 compressed. */
export function normaliseAddress(address: string): string {
  const a = address.trim().toLowerCase();
  const dotted = /^(?:0{1,4}:){0,5}(?:::)?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a) ?? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted) return dotted[1];
  const hex = /^(?:0{1,4}:){5}ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (hex) {
    const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return a;
}
