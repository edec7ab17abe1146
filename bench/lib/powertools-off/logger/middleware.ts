// @aws-lambda-powertools/logger/middleware switched off: a middleware that does nothing (middy wants one hook at least).
export const injectLambdaContext = (_logger: unknown, _options?: unknown) => ({ before: () => {} });
