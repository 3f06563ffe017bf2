import type { Construct } from 'constructs';
import { ContextOverrideError } from '../config/context-override-error.ts';
import { quoteContext } from '../config/context-value.ts';

/** The context key that sets every job function's log level: `-c logLevel=DEBUG` on a deploy or on `npm start`. */
export const LOG_LEVEL_CONTEXT = 'logLevel';

/** The levels Powertools Logger takes in POWERTOOLS_LOG_LEVEL; without one it logs at INFO. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const isLogLevel = (value: unknown): value is LogLevel => (LOG_LEVELS as readonly unknown[]).includes(value);

/**
 * The context's `logLevel`, in any case; absent, none is set and the functions log at Powertools' INFO, where a
 * successful run prints no line of its own (only its batch's line names it).
 * @throws ContextOverrideError for a value that is not a level
 */
export function logLevelFromContext(scope: Construct): LogLevel | undefined {
  const raw: unknown = scope.node.tryGetContext(LOG_LEVEL_CONTEXT);
  if (raw === undefined) return undefined;
  const level = typeof raw === 'string' ? raw.trim().toUpperCase() : raw;
  if (!isLogLevel(level))
    throw new ContextOverrideError([
      `${quoteContext(LOG_LEVEL_CONTEXT, raw)}: expected one of ${LOG_LEVELS.join(', ')}`,
    ]);
  return level;
}
