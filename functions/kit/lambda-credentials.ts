// What the deployed bundles use in place of @aws-sdk/credential-provider-node (scripts/bundle.ts aliases it here).
//
// In Lambda the execution role's credentials are always in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), and the SDK's default chain takes them from there first. The rest of that chain (SSO, web
// identity, INI profiles, process, login) never runs in Lambda, yet brings the STS/SSO/OIDC/sign-in clients along:
// 118–134 KB of every bundle and part of each cold start (bench/README.md, "What fills a bundle"). Outside a bundle
// (tsx, tests, the local control plane) the real chain is used.
import { fromEnv } from '@aws-sdk/credential-provider-env';

type Init = Parameters<typeof fromEnv>[0];
type Provider = ReturnType<typeof fromEnv>;

/** Same name and call shape as credential-provider-node's defaultProvider, reading the environment only. */
export function defaultProvider(init: Init = {}): Provider {
  return fromEnv(init);
}
