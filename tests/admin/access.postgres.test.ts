// The server-side access tests again, on PostgreSQL (a district's database).
import { testAgainOnPostgres } from '../helpers/on-postgres.js';

testAgainOnPostgres('the access tests pass on PostgreSQL', 'tests/admin/access.test.ts');
