/**
 * The process logger: pino, JSON lines on stdout. Redaction happens twice, because secrets can
 * reach a logger two ways: as structured fields (pino's `redact` paths) and inside free text
 * that libraries such as Bolt log (`scrubText`).
 */
import { type DestinationStream, type Logger, pino } from 'pino';

const REDACTED = '[redacted]';

/** Field names whose values are credentials or capabilities, wherever they appear. */
const SENSITIVE_KEYS = [
  'token',
  'bot_token',
  'app_token',
  'access_token',
  'signing_secret',
  'signingSecret',
  'response_url',
  'responseUrl',
  'trigger_id',
  'triggerId',
  'authorization',
  'Authorization',
  'SecretString',
  'SecretBinary',
  'SecretAccessKey',
  'secretAccessKey',
  'SessionToken',
  'sessionToken',
  'value',
];

const redactPaths = SENSITIVE_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

// Slack tokens, response URLs and trigger ids as they appear inside free text.
const TEXT_PATTERNS: RegExp[] = [
  /xox[abposr]-[0-9A-Za-z-]+/g,
  /xapp-[0-9A-Za-z-]+/g,
  /https?:\/\/[^\s"']*\/(?:commands|actions|respond)\/[^\s"']+/g,
  /"?trigger_id"?\s*[:=]\s*"?[\w.]+"?/g,
  /response_url"?\s*[:=]\s*"?[^\s"&]+"?/g,
];

/** Removes tokens, response URLs and trigger ids from a piece of log text. */
export function scrubText(text: string): string {
  let out = text;
  for (const pattern of TEXT_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/** Creates the process logger. `destination` exists so tests can capture every line. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'locksmith' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: REDACTED },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

export type { Logger };
