import { sharedConfig } from '../../vitest.shared';

export default sharedConfig('@obs/example', { testTimeout: 120_000 });
