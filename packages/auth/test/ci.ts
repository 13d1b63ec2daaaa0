/**
 * Whether the tests run under CI, parsed as a boolean: `CI=false` or `CI=0` is not CI.
 * An unrecognised value fails loudly rather than silently turning skips on or off.
 */
export function underCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI;
  const normalised = (value ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(normalised)) return false;
  if (['1', 'true', 'yes', 'on'].includes(normalised)) return true;
  throw new Error(`CI must be a boolean (true/false, 1/0, yes/no, on/off); got "${value}"`);
}
