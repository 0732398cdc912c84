import { BlockList, connect, isIPv4, isIPv6, type Socket } from 'node:net';
import type { Logger } from '@tessera/config';
import { plainAddress } from '@tessera/door';

/** Where PORT/EPRT asks the server to connect for the next transfer. */
export interface ActiveAddress {
  host: string;
  port: number;
}

/**
 * `PORT h1,h2,h3,h4,p1,p2` (IPv4 only), or null when it is not one: numbers 0-255, port not 0.
 */
export function parsePort(argument: string): ActiveAddress | null {
  const parts = argument.trim().split(',');
  if (parts.length !== 6 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    return null;
  }
  const [a, b, c, d, high, low] = parts.map(Number) as [number, number, number, number, number, number];
  const port = high * 256 + low;
  return port === 0 ? null : { host: `${a}.${b}.${c}.${d}`, port };
}

/**
 * `EPRT |1|192.0.2.7|6000|` or `EPRT |2|2001:db8::7|6000|` (RFC 2428; any delimiter 33-126), or
 * null when it is not one, or its protocol number does not match its address.
 */
export function parseEprt(argument: string): ActiveAddress | null {
  const text = argument.trim();
  const delimiter = text[0];
  if (!delimiter || delimiter < '!' || delimiter > '~') return null;
  const fields = text.split(delimiter);
  if (fields.length !== 5 || fields[0] !== '' || fields[4] !== '') return null;
  const [, protocol, host = '', portText = ''] = fields;
  const family = protocol === '1' ? isIPv4(host) : protocol === '2' ? isIPv6(host) : false;
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
  return family && port > 0 && port <= 65535 ? { host, port } : null;
}

/** Whether the address is the client's own (IPv4-mapped IPv6 and spellings of IPv6 compared as numbers). */
export function isClientsOwn(host: string, clientAddress: string): boolean {
  const client = plainAddress(clientAddress);
  const family = isIPv4(client) ? 'ipv4' : 'ipv6';
  const own = new BlockList();
  own.addAddress(client, family);
  const asked = plainAddress(host);
  return own.check(asked, isIPv4(asked) ? 'ipv4' : 'ipv6');
}

/**
 * The data connection of an active-mode transfer: the server connects to the client's address,
 * from the control connection's own local address, once the transfer's 150 is out. Takes the
 * same place as a passive listener (`take`, `close`).
 */
export class ActiveTarget {
  private socket: Socket | null = null;
  private closed = false;

  constructor(
    private readonly target: ActiveAddress,
    private readonly localAddress: string,
    private readonly log: Logger,
  ) {}

  /** The connection, or null when it could not be made within `timeoutMs` or was closed. */
  take(timeoutMs: number): Promise<Socket | null> {
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const socket = connect({
        host: this.target.host,
        port: this.target.port,
        localAddress: plainAddress(this.localAddress),
      });
      this.socket = socket;
      const fail = (err?: Error) => {
        this.log.info({ ...this.target, reason: err?.message ?? 'timeout' }, 'active data connection failed');
        socket.destroy();
        resolve(null);
      };
      if (timeoutMs > 0) socket.setTimeout(timeoutMs, () => fail());
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.setTimeout(0);
        socket.removeListener('error', fail);
        socket.on('error', (err) => this.log.debug({ err }, 'data connection error'));
        this.socket = null;
        this.closed = true;
        resolve(socket);
      });
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.socket = null;
  }
}
