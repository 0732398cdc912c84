/**
 * Sizes as an operator types and reads them: "1099511627776", "500G", "1TiB", "64 MB", in binary
 * multiples, as `ls -lh` and `df -h` count. Used for TESSERA_MAX_FILE_SIZE and user quotas.
 */
export const byteSizePattern = /^(\d+)\s*([KMGT])?(i?B)?$/i;
export const byteSizeMessage = 'a size in bytes, or with K, M, G or T (binary), such as 500G or 1T';
const unitPower = { K: 1, M: 2, G: 3, T: 4 } as const;

/** The bytes a size names, or null when it is not written as one. */
export function parseByteSize(text: string): number | null {
  const match = byteSizePattern.exec(text.trim());
  if (!match) return null;
  const [, digits, unit] = match;
  const power = unit ? unitPower[unit.toUpperCase() as keyof typeof unitPower] : 0;
  return Number(digits) * 1024 ** power;
}

/** "1 TiB", "500 MiB", "1000 bytes": a size as an operator set it. */
export function formatBytes(bytes: number): string {
  const units = ['TiB', 'GiB', 'MiB', 'KiB'] as const;
  for (const [index, unit] of units.entries()) {
    const size = 1024 ** (units.length - index);
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
