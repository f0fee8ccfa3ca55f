import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/audit/logger.js';

/** A pino logger whose every line is kept, so tests can search logs for canaries and audit events. */
export function captureLogger(level = 'debug'): {
  logger: Logger;
  lines: string[];
  auditEvents: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(line);
      if (process.env.LOCKSMITH_TEST_LOGS) process.stderr.write(chunk);
      cb();
    },
  });
  const logger = createLogger(level, sink);
  return {
    logger,
    lines,
    auditEvents: () =>
      lines
        .map((l) => JSON.parse(l) as { audit?: Record<string, unknown> })
        .filter((l) => l.audit)
        .map((l) => l.audit!),
  };
}
