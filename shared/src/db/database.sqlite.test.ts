import { databaseSuite, sqliteFileFor } from './database.suite.js';

delete process.env.DATABASE_URL;
databaseSuite({ sqliteFile: sqliteFileFor('schema') });
