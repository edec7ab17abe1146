// @aws-lambda-powertools/tracer/middleware switched off: a middleware that does nothing (middy wants one hook at least).
export const captureLambdaHandler = (_tracer: unknown, _options?: unknown) => ({ before: () => {} });
