/** "::ffff:192.0.2.7" (an IPv4 client on a dual-stack socket) as the "192.0.2.7" operators know. */
export function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}
