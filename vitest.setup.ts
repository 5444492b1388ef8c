import fc from 'fast-check';

// fast-check's default of 100 runs; FC_NUM_RUNS raises it for a deeper local search.
// The seed is always printed on failure, so a CI failure can be replayed.
fc.configureGlobal({ numRuns: Number(process.env.FC_NUM_RUNS ?? 100) });
