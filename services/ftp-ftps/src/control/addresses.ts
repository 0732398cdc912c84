import { isIPv4 } from 'node:net';

/** "::ffff:192.0.2.7" (an IPv4 client on a dual-stack socket) as the "192.0.2.7" operators know. */
export function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/** PASV's "h1,h2,h3,h4,p1,p2", or null for an address PASV cannot carry (IPv6). */
export function pasvTuple(address: string, port: number): string | null {
  const plain = plainAddress(address);
  if (!isIPv4(plain)) return null;
  return `${plain.replace(/\./g, ',')},${port >> 8},${port & 255}`;
}
