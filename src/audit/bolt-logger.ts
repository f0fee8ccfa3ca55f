import type { Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from 'pino';
import { scrubText } from './logger.js';

/**
 * Bolt's logger interface on top of the process's pino logger, so Bolt's own lines are JSON
 * like ours and go through the same scrubbing.
 *
 * Library lines keep their prose but never their payloads: Bolt, the Web API client and the
 * Socket Mode client log whole request and envelope bodies at debug level, and a modal
 * submission's body holds what the person typed (a new secret value in /secret edit).
 */
export function createBoltLogger(base: Logger): BoltLogger {
  let log = base.child({ component: 'bolt' });
  const render = (msgs: unknown[]): string =>
    scrubText(
      msgs
        .map((m) =>
          typeof m === 'string' ? omitPayload(m) : m instanceof Error ? m.message : '[object omitted]',
        )
        .join(' '),
    );
  return {
    // Bolt and the Web API client call debug() on every request: render only what is written.
    debug: (...msgs) => {
      if (log.isLevelEnabled('debug')) log.debug(render(msgs));
    },
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

/** Cuts a log line at the first JSON or form body in it. Exported for tests. */
export function omitPayload(text: string): string {
  const body = text.search(/[{[]\s*"|payload=|[?&]?\w+=[^\s&]*&\w+=/);
  return body === -1 ? text : `${text.slice(0, body).trimEnd()} [payload omitted]`;
}
