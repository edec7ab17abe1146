// @aws-lambda-powertools/metrics/middleware switched off: a middleware that does nothing (middy wants one hook at least).
export const logMetrics = (_metrics: unknown, _options?: unknown) => ({ before: () => {} });
