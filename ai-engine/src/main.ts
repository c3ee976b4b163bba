// Composition root of the AI engine: configuration, database, then the HTTP/WebSocket server.
import uWS from 'uWebSockets.js';
import { assertSchemaCurrent, createLogger, loadConfig, openDatabase } from '@attendance/shared';

const log = createLogger('ai-engine');
const config = loadConfig();
const { dataSource } = await openDatabase(config, { migrate: false });
await assertSchemaCurrent(dataSource);

const app = uWS.App();
app.get('/health', (res) => {
  res.cork(() => res.writeHeader('Content-Type', 'application/json').end(JSON.stringify({ status: 'ok', database: dataSource.isInitialized })));
});
app.listen(config.BIND_HOST, config.ENGINE_PORT, (socket) => {
  if (!socket) {
    log.fatal({ port: config.ENGINE_PORT }, 'cannot listen');
    process.exit(1);
  }
  log.info({ host: config.BIND_HOST, port: config.ENGINE_PORT }, 'ai-engine listening');
});
