import { labelsKey, type Labels } from '@obs/core';

/**
 * A stable 64-bit identity for an alert, as 16 hex digits, computed from its name and
 * labels only (never from annotations or value), independent of label order.
 * Two FNV-1a 32-bit hashes with different offsets give 64 bits without BigInt.
 */
export function alertFingerprint(name: string, labels: Labels): string {
  const input = JSON.stringify(name) + '|' + labelsKey(labels);
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h2 >>> 15);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
