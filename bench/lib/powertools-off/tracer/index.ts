// @aws-lambda-powertools/tracer switched off (bench/lib/powertools-off/README.md): SDK clients are left as they are.
export class Tracer {
  constructor(_options?: unknown) {}
  captureAWSv3Client<T>(client: T): T {
    return client;
  }
  putAnnotation(_key: string, _value: unknown): void {}
}
