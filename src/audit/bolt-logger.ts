import type { Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from 'pino';
import { scrubText } from './logger.js';

/**
 * Bolt's logger interface on top of the process's pino logger, so Bolt's own lines are JSON
 * like ours and go through the same scrubbing (Bolt logs request bodies at debug level).
 */
export function createBoltLogger(base: Logger): BoltLogger {
  let log = base.child({ component: 'bolt' });
  const render = (msgs: unknown[]): string =>
    scrubText(
      msgs.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : safeJson(m))).join(' '),
    );
  return {
    debug: (...msgs) => log.debug(render(msgs)),
    info: (...msgs) => log.info(render(msgs)),
    warn: (...msgs) => log.warn(render(msgs)),
    error: (...msgs) => log.error(render(msgs)),
    setLevel: (level: LogLevel) => {
      log.level = level;
    },
    getLevel: () => log.level as LogLevel,
    setName: (name: string) => {
      log = base.child({ component: name });
    },
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
