/**
 * Lookup tables for hex work on the hot paths, so no regex or parseInt runs
 * per character.
 */

/** `HEX_VALUE[code]` is the value of a lowercase hex digit, or -1. Uppercase is not W3C hex. */
export const HEX_VALUE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) table[48 + i] = i;
  for (let i = 0; i < 6; i++) table[97 + i] = 10 + i;
  return table;
})();

/** Two lowercase hex digits for every byte value. */
export const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));
