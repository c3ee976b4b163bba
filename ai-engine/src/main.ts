// The AI engine process: configuration, the engine, signals.
import { ConfigError, createLogger, installSafetyNet } from '@attendance/shared';
import { loadEngineConfig } from './config.js';
import { createEngine } from './engine.js';

const log = createLogger('ai-engine');
// A stray rejection must not stop every camera: log it and keep serving.
installSafetyNet(log);
try {
  const config = loadEngineConfig();
  const engine = await createEngine(config, { log });
  await engine.listen();
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    engine.close().then(() => process.exit(0), (err) => { log.error({ err }, 'shutdown failed'); process.exit(1); });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  if (err instanceof ConfigError) console.error(err.message);
  else log.fatal({ err }, 'ai-engine failed to start');
  process.exit(1);
}
