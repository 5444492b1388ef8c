import fc from 'fast-check';

// More runs in CI, defaults locally; the seed is always printed on failure.
fc.configureGlobal({ numRuns: Number(process.env.FC_NUM_RUNS ?? (process.env.CI ? 200 : 100)) });
