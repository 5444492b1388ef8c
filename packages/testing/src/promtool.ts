import { spawnSync } from 'node:child_process';

/** promtool's verdict on an exposition: exit status (parse errors 1, lint findings 3) and its output. */
export interface PromtoolVerdict {
  readonly status: number | null;
  /** stdout and stderr together. */
  readonly output: string;
  /** The output's non-empty lines, one finding each. */
  readonly findings: readonly string[];
}

/** Runs `promtool check metrics` on Prometheus text (0.0.4) given on stdin. */
export function promtoolCheckMetrics(promtool: string, text: string, timeoutMs = 15_000): PromtoolVerdict {
  const result = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: timeoutMs });
  const output = `${result.stdout}${result.stderr}`;
  return { status: result.status, output, findings: output.trim() === '' ? [] : output.trim().split('\n') };
}
