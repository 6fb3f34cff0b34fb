/**
 * Run ids: "r" + creation time in base36 (9 digits, zero-padded so that ids sort by time as
 * plain strings until the year 5188) + 6 random base36 digits. Short enough to type in the
 * CLI, safe as a folder name for checkpoints.
 */
export const RUN_ID_PATTERN = /^r[0-9a-z]{15}$/;

const TIME_DIGITS = 9;
const RANDOM_DIGITS = 6;

export function newRunId(now: number = Date.now(), random: () => number = Math.random): string {
  const time = Math.floor(now).toString(36).padStart(TIME_DIGITS, '0');
  let suffix = '';
  for (let i = 0; i < RANDOM_DIGITS; i++) suffix += Math.floor(random() * 36).toString(36);
  return `r${time}${suffix}`;
}

export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}
