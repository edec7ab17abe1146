// Container entry point: configuration from the environment, then the relay until SIGTERM.
import { createLogger } from '../core/log/index.js';
import { ConfigError, loadConfig } from './config.js';
import { startRelay } from './relay.js';
import { onShutdownSignal } from './shutdown.js';

const boot = createLogger({ component: 'relay' });
try {
  const config = loadConfig(process.env);
  const logger = createLogger({ component: 'relay', identity: config.identity });
  const relay = await startRelay(config, { logger });
  onShutdownSignal(() => relay.stop(), { logger, timeoutMs: config.shutdownTimeoutMs });
  process.on('unhandledRejection', (error) => logger.error('unhandled rejection', { error }));
} catch (error) {
  if (error instanceof ConfigError) boot.error('invalid configuration', { problems: error.problems });
  else boot.error('relay failed to start', { error });
  process.exit(2);
}
