// The school calendar tests again, on PostgreSQL.
import { testAgainOnPostgres } from '../helpers/on-postgres.js';

testAgainOnPostgres('the calendar tests pass on PostgreSQL', 'tests/admin/calendar.test.ts');
