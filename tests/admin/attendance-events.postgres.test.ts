// The webhooks-from-every-path tests again, on PostgreSQL (its triggers are plpgsql, not SQLite's).
import { testAgainOnPostgres } from '../helpers/on-postgres.js';

testAgainOnPostgres('the attendance events tests pass on PostgreSQL', 'tests/admin/attendance-events.test.ts');
