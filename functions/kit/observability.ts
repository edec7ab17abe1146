// Powertools for AWS Lambda (TypeScript) for every Lambda: one Logger, Tracer and Metrics per bundle, their middy
// middlewares, and an adapter that lets the domain code keep logging through core/log's Logger interface.
//
// - Logs: JSON with the Lambda context (request id, function, cold start, X-Ray trace id) plus the keys a step adds
//   (namespace, name, uid, generation, executionArn). LOG_LEVEL sets the level.
// - Traces: the handler is a segment; every AWS SDK client made through core/aws/config.ts's awsClient() is
//   captured (captureAWSv3Client), so each SDK call is a subsegment. Tracing is off outside Lambda.
// - Metrics: CloudWatch embedded metric format, namespace POWERTOOLS_METRICS_NAMESPACE (InstanceManager), service
//   dimension POWERTOOLS_SERVICE_NAME. Outside Lambda (local control plane, tests) they are off unless
//   POWERTOOLS_METRICS_DISABLED=false.
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import { instrumentAwsClients } from '../../core/aws/config.js';
import type { LogContext, Logger } from '../../core/log/index.js';

export { MetricUnit };

export const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? 'instance-manager';
export const METRICS_NAMESPACE = process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'InstanceManager';

// EMF lines are only worth printing where CloudWatch reads them.
if (!process.env.AWS_LAMBDA_FUNCTION_NAME) process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const LEVELS = new Set(['DEBUG', 'INFO', 'WARN', 'ERROR']);
const level = (process.env.LOG_LEVEL ?? 'info').toUpperCase();

export const powertoolsLogger = new PowertoolsLogger({
  serviceName: SERVICE_NAME,
  logLevel: (LEVELS.has(level) ? level : 'INFO') as 'INFO',
});
export const tracer = new Tracer({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: SERVICE_NAME,
  // Its warnings as our JSON logs; most steps record no metric of their own, which is not worth a warning each time.
  logger: {
    trace: (...args: unknown[]) => powertoolsLogger.debug(String(args[0])),
    debug: (...args: unknown[]) => powertoolsLogger.debug(String(args[0])),
    info: (...args: unknown[]) => powertoolsLogger.info(String(args[0])),
    warn: (...args: unknown[]) =>
      String(args[0]).startsWith('No application metrics') ? powertoolsLogger.debug(String(args[0])) : powertoolsLogger.warn(String(args[0])),
    error: (...args: unknown[]) => powertoolsLogger.error(String(args[0])),
  },
});

instrumentAwsClients((client) => tracer.captureAWSv3Client(client));

/** core/log's Logger over a Powertools logger: same calls, Powertools' JSON with the Lambda context. */
export function adaptLogger(logger: PowertoolsLogger, context: LogContext = {}): Logger {
  const child = Object.keys(context).length ? (logger.createChild({ persistentKeys: context }) as PowertoolsLogger) : logger;
  return {
    debug: (message, fields) => child.debug(message, fields ?? {}),
    info: (message, fields) => child.info(message, fields ?? {}),
    warn: (message, fields) => child.warn(message, fields ?? {}),
    error: (message, fields) => child.error(message, fields ?? {}),
    child: (more) => adaptLogger(child, more),
  };
}

/**
 * The middlewares every handler gets, outermost first: the trace segment, the Lambda context in the logs (keys a
 * previous invocation appended are cleared), and one EMF flush at the end with a cold-start metric.
 */
export function observability(): MiddlewareObj[] {
  return [
    captureLambdaHandler(tracer, { captureResponse: false }),
    injectLambdaContext(powertoolsLogger, { resetKeys: true }),
    logMetrics(metrics, { captureColdStartMetric: true }),
  ] as MiddlewareObj[];
}
