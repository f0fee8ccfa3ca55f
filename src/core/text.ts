/**
 * Wording rules every message shares: counts with the right plural ("1 hour", "2 hours") and
 * ordinals ("the 2nd character"). Pure, no Slack: domain code and Block Kit builders use the same.
 */

/** `n` and the noun, singular for exactly one: `plural(1, 'hour')` is "1 hour". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** "every minute", "every 15 minutes": a period, without "every 1 minutes". */
export function every(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? `every ${one}` : `every ${plural(n, one, many)}`;
}

/** 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd, 101st. */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  const suffix = ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}
