// What an InstanceGroup may tell its nodes: image aliases and families, the kubelet flags bootstrapArguments may
// carry (and those refused by name), and Kubernetes label syntax. Read by the schema (./openapi.ts), the cross-field
// rules (./rules.ts) and the user data renderers.

/** `image` aliases, resolved through AWS's public SSM parameters for the cluster's Kubernetes version. */
export const IMAGE_ALIASES = ['al2023', 'al2023-arm64', 'bottlerocket', 'bottlerocket-arm64', 'al2', 'al2-arm64'] as const;
export const IMAGE_FAMILIES = ['al2023', 'bottlerocket', 'al2'] as const;

/** kubelet flags bootstrapArguments may carry (without the leading --). Everything else is refused. */
export const ALLOWED_KUBELET_FLAGS = [
  'node-labels',
  'register-with-taints',
  'max-pods',
  'kube-reserved',
  'system-reserved',
  'eviction-hard',
  'eviction-soft',
  'eviction-soft-grace-period',
  'eviction-minimum-reclaim',
  'eviction-max-pod-grace-period',
  'image-gc-high-threshold',
  'image-gc-low-threshold',
  'container-log-max-size',
  'container-log-max-files',
  'cpu-manager-policy',
  'topology-manager-policy',
  'serialize-image-pulls',
  'registry-qps',
  'registry-burst',
  'kube-api-qps',
  'kube-api-burst',
  'pod-max-pids',
  'v',
] as const;
export const BOOTSTRAP_ARGUMENTS_MAX_LENGTH = 1024;
/** Characters bootstrapArguments may contain: safe inside single quotes, YAML, TOML and a systemd drop-in. */
export const BOOTSTRAP_ARGUMENTS_CHARACTERS = '^[A-Za-z0-9 =,:./_+<@-]*$';

/** A label (or taint) key: an optional DNS-subdomain prefix and "/", then a name of up to 63 characters. */
export const LABEL_KEY_PATTERN =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
export const LABEL_VALUE_PATTERN = '^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$';

/**
 * kubelet flags that would open the node (anonymous or unauthorised API access, a read-only port, another CA, other
 * TLS material), let it claim another node's identity, or run pods that bypass the API server. bootstrapArguments
 * refuses them by name; the allow-list refuses every other flag it does not know.
 */
export const WEAKENING_KUBELET_FLAGS = [
  'anonymous-auth',
  'authorization-mode',
  'authentication-token-webhook',
  'read-only-port',
  'client-ca-file',
  'tls-cert-file',
  'tls-private-key-file',
  'tls-cipher-suites',
  'tls-min-version',
  'rotate-certificates',
  'rotate-server-certificates',
  'hostname-override',
  'provider-id',
  'kubeconfig',
  'bootstrap-kubeconfig',
  'cert-dir',
  'config',
  'pod-manifest-path',
  'manifest-url',
  'allowed-unsafe-sysctls',
  'protect-kernel-defaults',
  'feature-gates',
] as const;
