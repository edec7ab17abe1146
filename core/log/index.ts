// Structured JSON logs, one object per line, carrying the InstanceGroup and execution they concern.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogContext {
  component?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  generation?: number;
  executionArn?: string;
  [key: string]: unknown;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(context: LogContext): Logger;
}

export type LogSink = (line: string) => void;

function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  return {
    name: error.name,
    message: error.message,
    ...(error.cause ? { cause: serializeError(error.cause) } : {}),
    ...(process.env.LOG_STACKS === 'true' ? { stack: error.stack } : {}),
  };
}

export function createLogger(
  context: LogContext = {},
  options: { level?: LogLevel; sink?: LogSink } = {},
): Logger {
  const level = options.level ?? ((process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info');
  const sink = options.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const write = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[at] < (ORDER[level] ?? 20)) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level: at, message, ...context };
    for (const [key, value] of Object.entries(fields ?? {})) entry[key] = key === 'error' ? serializeError(value) : value;
    sink(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (more) => createLogger({ ...context, ...more }, { level, sink }),
  };
}

/** The identity fields every log line about a group carries. */
export function groupContext(group: { namespace: string; name: string; uid: string; generation?: number }): LogContext {
  return { namespace: group.namespace, name: group.name, uid: group.uid, ...(group.generation !== undefined ? { generation: group.generation } : {}) };
}
