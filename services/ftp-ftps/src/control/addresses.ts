import { isIPv4 } from 'node:net';
import { plainAddress } from '@tessera/door';

/** PASV's "h1,h2,h3,h4,p1,p2", or null for an address PASV cannot carry (IPv6). */
export function pasvTuple(address: string, port: number): string | null {
  const plain = plainAddress(address);
  if (!isIPv4(plain)) return null;
  return `${plain.replace(/\./g, ',')},${port >> 8},${port & 255}`;
}
