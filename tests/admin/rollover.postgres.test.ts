// The year rollover tests again, on PostgreSQL.
import { testAgainOnPostgres } from '../helpers/on-postgres.js';

testAgainOnPostgres('the year rollover tests pass on PostgreSQL', 'tests/admin/rollover.test.ts');
