// imctl's version: set at build time in the packaged CLI (scripts/build-cli.ts), read from package.json in a checkout.
import { readFileSync } from 'node:fs';

declare const IMCTL_VERSION: string | undefined;

export function version(): string {
  if (typeof IMCTL_VERSION === 'string') return IMCTL_VERSION;
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
