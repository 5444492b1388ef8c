import { mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared';

// The test files share no mutable module state (each builds its own collectors and
// restores real timers), so they run in one module graph: most of this package's
// test time was spent importing the same modules once per file.
export default mergeConfig(sharedConfig('@obs/metrics'), { test: { isolate: false } });
