// The relay's configuration: environment variables, validated at start. Every problem is reported at once,
// each naming its variable, so a bad Deployment fails with one readable message.
import type { BackoffPolicy } from '../core/backoff/index.js';

export interface RelayConfig {
  /** EventBridge bus that receives the changes (name or ARN). */
  eventBusName: string;
  region: string;
  /** The cluster this relay runs in; carried by every event. */
  clusterName: string;
  /** Its region and account: with the name, the cluster's identity (a name is unique only within both). */
  clusterRegion: string;
  clusterAccountId?: string;
  /** Subnets a spec may leave out; carried by every event as cluster defaults. */
  defaultSubnets: string[];
  /** Namespaces to watch; empty means all namespaces. */
  namespaces: string[];
  resyncPeriodMs: number;
  /** Health, readiness and /metrics; 0 picks a free port (tests). */
  healthPort: number;
  /** Liveness fails when the watch has shown no sign of life (event, bookmark, (re)connect) for this long. */
  watchStaleAfterMs: number;
  /** Server-side timeout of one watch request; the watch then resumes from the last resourceVersion. */
  watchTimeoutSeconds: number;
  /** Backoff between watch restarts after an error. */
  watchBackoff: Backoff;
  leaseName: string;
  leaseNamespace: string;
  /** This replica's identity in the Lease. */
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** Backoff between PutEvents retries of an entry. */
  publishBackoff: Backoff;
  /** After this many failed sends an entry is counted and logged as undeliverable (and still retried). */
  publishGiveUpAfter: number;
  /** Endpoint override (moto locally); undefined uses AWS's. */
  awsEndpointUrl?: string;
  /** Grace period for flushing pending events on SIGTERM. */
  shutdownTimeoutMs: number;
  /** While leading, a heartbeat event this often (the AWS side alarms when they stop). */
  heartbeatPeriodMs: number;
  /** Concurrent workers that patch finalizers and enqueue changes. */
  workers: number;
  /** Objects per list page (lists are paged so that memory does not grow with the number of groups). */
  listPageSize: number;
  /** KUBECONFIG file; undefined means in-cluster service account credentials. */
  kubeconfig?: string;
  /** Watch our groups' Nodes and send "InstanceGroup Node Ready" events (needs list/watch on nodes). */
  watchNodes: boolean;
}

/** The relay's backoff settings; core/backoff's backoffDelay() turns them into delays (with its default jitter). */
export type Backoff = Pick<BackoffPolicy, 'initialMs' | 'maxMs'>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid relay configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "500ms", "30s", "5m", "1h30m"; a bare number means seconds. Returns undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, value, , unit] of trimmed.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) total += Number(value) * UNITS[unit!]!;
  return Math.round(total);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
const SUBNET = /^subnet-[0-9a-zA-Z]+$/;
const BUS = /^(arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/)?[A-Za-z0-9._\-/]{1,256}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const problems: string[] = [];
  const value = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const required = (name: string, what: string, pattern?: RegExp) => {
    const v = value(name);
    if (!v) problems.push(`${name} is required: ${what}`);
    else if (pattern && !pattern.test(v)) problems.push(`${name}="${v}" is not valid: ${what}`);
    return v ?? '';
  };
  const duration = (name: string, fallback: string, min = 1) => {
    const raw = value(name) ?? fallback;
    const ms = parseDuration(raw);
    if (ms === undefined || ms < min) {
      problems.push(`${name}="${raw}" is not a duration of at least ${min} ms (examples: 500ms, 30s, 5m, 1h)`);
      return parseDuration(fallback)!;
    }
    return ms;
  };
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}="${raw}" must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };

  const eventBusName = required('EVENT_BUS_NAME', 'the EventBridge bus name or ARN that receives InstanceGroup changes', BUS);
  const region = value('AWS_REGION') ?? value('AWS_DEFAULT_REGION') ?? '';
  if (!region) problems.push('AWS_REGION is required: the region of the event bus (e.g. us-west-2)');
  else if (!REGION.test(region)) problems.push(`AWS_REGION="${region}" is not an AWS region name (e.g. us-west-2)`);
  const clusterName = required('CLUSTER_NAME', 'the EKS cluster this relay runs in (letters, digits, "-" and "_")', CLUSTER_NAME);
  const clusterRegion = value('CLUSTER_REGION') ?? region;
  if (clusterRegion && !REGION.test(clusterRegion)) problems.push(`CLUSTER_REGION="${clusterRegion}" is not an AWS region name (e.g. us-west-2)`);
  // The account: CLUSTER_ACCOUNT_ID, else the one in an EVENT_BUS_NAME given as an ARN.
  const clusterAccountId = value('CLUSTER_ACCOUNT_ID') ?? /^arn:[^:]+:events:[^:]*:(\d{12}):/.exec(eventBusName ?? '')?.[1];
  if (clusterAccountId !== undefined && !/^\d{12}$/.test(clusterAccountId)) problems.push(`CLUSTER_ACCOUNT_ID="${clusterAccountId}" is not a 12-digit AWS account id`);

  const defaultSubnets = list(env.DEFAULT_SUBNETS);
  for (const s of defaultSubnets) if (!SUBNET.test(s)) problems.push(`DEFAULT_SUBNETS: "${s}" is not a subnet id (subnet-...)`);

  const namespaces = list(env.WATCH_NAMESPACES);
  for (const ns of namespaces) if (!DNS_LABEL.test(ns) || ns.length > 63) problems.push(`WATCH_NAMESPACES: "${ns}" is not a namespace name`);

  const resyncPeriodMs = duration('RESYNC_PERIOD', '5m', 100);
  const healthPort = integer('HEALTH_PORT', 8080, 0, 65535);
  const watchStaleAfterMs = duration('WATCH_STALE_AFTER', '3m', 100);
  const watchTimeoutMs = duration('WATCH_TIMEOUT', '5m', 1000);

  const leaseName = value('LEASE_NAME') ?? 'instance-manager-relay';
  if (!DNS_SUBDOMAIN.test(leaseName)) problems.push(`LEASE_NAME="${leaseName}" is not a valid object name`);
  const leaseNamespace = value('LEASE_NAMESPACE') ?? value('POD_NAMESPACE') ?? 'instance-manager';
  if (!DNS_LABEL.test(leaseNamespace)) problems.push(`LEASE_NAMESPACE="${leaseNamespace}" is not a namespace name`);
  const identity = value('POD_NAME') ?? value('HOSTNAME') ?? '';
  if (!identity) problems.push('POD_NAME is required: this replica\'s identity in the Lease (set it from metadata.name)');

  const leaseDurationMs = duration('LEASE_DURATION', '15s', 100);
  const renewDeadlineMs = duration('LEASE_RENEW_DEADLINE', '10s', 50);
  const retryPeriodMs = duration('LEASE_RETRY_PERIOD', '2s', 10);
  if (renewDeadlineMs >= leaseDurationMs) problems.push('LEASE_RENEW_DEADLINE must be shorter than LEASE_DURATION');
  if (retryPeriodMs >= renewDeadlineMs) problems.push('LEASE_RETRY_PERIOD must be shorter than LEASE_RENEW_DEADLINE');

  const publishBackoff = { initialMs: duration('PUBLISH_BACKOFF_INITIAL', '500ms'), maxMs: duration('PUBLISH_BACKOFF_MAX', '30s') };
  if (publishBackoff.maxMs < publishBackoff.initialMs) problems.push('PUBLISH_BACKOFF_MAX must not be shorter than PUBLISH_BACKOFF_INITIAL');
  const watchBackoff = { initialMs: duration('WATCH_BACKOFF_INITIAL', '500ms'), maxMs: duration('WATCH_BACKOFF_MAX', '30s') };
  if (watchBackoff.maxMs < watchBackoff.initialMs) problems.push('WATCH_BACKOFF_MAX must not be shorter than WATCH_BACKOFF_INITIAL');

  const watchNodesRaw = (value('WATCH_NODES') ?? 'true').toLowerCase();
  if (!['true', 'false'].includes(watchNodesRaw)) problems.push(`WATCH_NODES="${watchNodesRaw}" must be true or false (false when the relay may not list and watch nodes)`);

  const awsEndpointUrl = value('AWS_ENDPOINT_URL_EVENTBRIDGE') ?? value('AWS_ENDPOINT_URL');
  if (awsEndpointUrl && !/^https?:\/\/[^\s/]+/.test(awsEndpointUrl)) {
    problems.push(`AWS_ENDPOINT_URL="${awsEndpointUrl}" is not an http(s) URL`);
  }

  const config: RelayConfig = {
    eventBusName,
    region,
    clusterName,
    clusterRegion,
    ...(clusterAccountId ? { clusterAccountId } : {}),
    defaultSubnets,
    namespaces,
    resyncPeriodMs,
    healthPort,
    watchStaleAfterMs,
    watchTimeoutSeconds: Math.max(1, Math.round(watchTimeoutMs / 1000)),
    watchBackoff,
    leaseName,
    leaseNamespace,
    identity,
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    publishBackoff,
    publishGiveUpAfter: integer('PUBLISH_GIVE_UP_AFTER', 8, 1, 1000),
    awsEndpointUrl,
    shutdownTimeoutMs: duration('SHUTDOWN_TIMEOUT', '20s'),
    heartbeatPeriodMs: duration('HEARTBEAT_PERIOD', '5m', 1000),
    workers: integer('WORKERS', 8, 1, 256),
    listPageSize: integer('LIST_PAGE_SIZE', 100, 10, 5000),
    kubeconfig: value('KUBECONFIG'),
    watchNodes: watchNodesRaw !== 'false',
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** Defaults for everything but the required values; for in-process use (local control plane, tests). */
export function relayConfig(required: Pick<RelayConfig, 'eventBusName' | 'clusterName' | 'identity'> & Partial<RelayConfig>): RelayConfig {
  const base = loadConfig({
    EVENT_BUS_NAME: required.eventBusName,
    CLUSTER_NAME: required.clusterName,
    POD_NAME: required.identity,
    AWS_REGION: required.region ?? 'us-west-2',
  });
  return { ...base, awsEndpointUrl: undefined, kubeconfig: undefined, ...required };
}
