/**
 * Structured logging (pino, JSON lines on stdout). Secrets and visitor tokens are never logged;
 * `redact` is a second line of defence should one ever reach a log call.
 */
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

export function createLogger(level: Config['logLevel']): Logger {
  return pino({
    name: 'pagechat',
    level,
    redact: {
      paths: ['secret', '*.secret', 'token', '*.token', 'auth', '*.auth'],
      censor: '[redacted]',
    },
  });
}
