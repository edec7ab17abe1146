// Graceful shutdown: the first SIGTERM/SIGINT stops the relay (deliver pending events, release the Lease); a
// second signal, or the grace period running out, exits at once. Kubernetes sends SIGTERM and waits
// terminationGracePeriodSeconds, which the Deployment sets above SHUTDOWN_TIMEOUT.
import type { Logger } from '../core/log/index.js';

export function onShutdownSignal(
  stop: () => Promise<void>,
  options: { logger: Logger; timeoutMs: number; exit?: (code: number) => void; signals?: NodeJS.Signals[] },
): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.logger.warn('second signal; exiting now', { signal });
      exit(1);
      return;
    }
    stopping = true;
    options.logger.info('shutting down', { signal });
    const force = setTimeout(() => {
      options.logger.error('shutdown took too long; exiting', { timeoutMs: options.timeoutMs });
      exit(1);
    }, options.timeoutMs + 5_000);
    force.unref();
    stop().then(
      () => exit(0),
      (error: unknown) => {
        options.logger.error('shutdown failed', { error });
        exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
