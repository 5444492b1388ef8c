import { requireBinary } from './servers';

/**
 * Flags for Debian's Chromium in tests, as root in CI: no sandbox (root), no GPU, and nothing that reaches
 * the network on its own (updates, sync, first-run pages).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium for browser tests: `CHROMIUM_PATH`, else `chromium` on PATH (missing: skip locally, fail under CI=true). */
export function findChromium(): string | undefined {
  return process.env.CHROMIUM_PATH ?? requireBinary('chromium');
}

/** Options for playwright-core's `chromium.launchPersistentContext(profile, …)`: headless, with {@link CHROMIUM_ARGS}. */
export function chromiumLaunchOptions<Extra extends object>(
  executablePath: string,
  extra?: Extra,
): { executablePath: string; headless: true; args: string[] } & Extra {
  return { executablePath, headless: true, args: [...CHROMIUM_ARGS], ...(extra as Extra) };
}
