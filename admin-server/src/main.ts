// Composition root of the admin server: configuration, database, then Express.
import express from 'express';
import { assertSchemaCurrent, createLogger, loadConfig, openDatabase } from '@attendance/shared';

const log = createLogger('admin-server');
const config = loadConfig();
const { dataSource } = await openDatabase(config, { migrate: false });
await assertSchemaCurrent(dataSource);

const app = express();
app.disable('x-powered-by');
app.get('/health', (_req, res) => {
  res.json({ status: 'ok', database: dataSource.isInitialized });
});
app.listen(config.ADMIN_PORT, config.BIND_HOST, () => log.info({ host: config.BIND_HOST, port: config.ADMIN_PORT }, 'admin-server listening'));
