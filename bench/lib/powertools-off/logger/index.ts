// @aws-lambda-powertools/logger switched off (bench/lib/powertools-off/README.md): still one JSON line per entry,
// without the Lambda context.
type Fields = Record<string, unknown>;

export class Logger {
  constructor(private readonly keys: Fields = {}) {}
  createChild(options: { persistentKeys?: Fields } = {}): Logger {
    return new Logger({ ...this.keys, ...options.persistentKeys });
  }
  private write(level: string, message: string, fields?: Fields): void {
    process.stdout.write(`${JSON.stringify({ level, message, ...this.keys, ...fields })}\n`);
  }
  debug(message: string, fields?: Fields): void {
    this.write('DEBUG', message, fields);
  }
  info(message: string, fields?: Fields): void {
    this.write('INFO', message, fields);
  }
  warn(message: string, fields?: Fields): void {
    this.write('WARN', message, fields);
  }
  error(message: string, fields?: Fields): void {
    this.write('ERROR', message, fields);
  }
}
