// No acknowledged mark is ever lost: the engine's attendance service marking at volume while
// enrolment-like transactions commit and roll back beside it, a second process writing the same
// database, and the marking process killed with SIGKILL again and again. On a real SQLite file and
// on real PostgreSQL; every mark the service acknowledged must be in the database afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Running } from '../helpers/spawn.js';
import { markedStudents, postgresDatabase, printed, seed, sqliteDatabase, worker, type TestDatabase } from './databases.js';

// Two kills, each well into a run: at least MIN_ACKED acknowledged marks in all, few process starts.
const ROUND_SIZE = 160;
const KILL_AFTER_ACKS = 110;
const MIN_ACKED = 200;
const MAX_ROUNDS = 4;

async function untilPrinted(proc: Running, kind: string, count: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (printed(proc, kind).length < count && proc.child.exitCode === null) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} ${kind} within ${timeoutMs} ms:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Committed transactions are there, rolled-back ones left nothing. */
async function assertTransactionsAtomic(db: TestDatabase, procs: Running[]): Promise<void> {
  const rolls = new Set((await db.query<{ roll_number: string }>(`SELECT roll_number FROM students WHERE roll_number LIKE 'T-%'`)).map((r) => r.roll_number));
  for (const p of procs) {
    for (const roll of printed(p, 'TXOK')) assert.ok(rolls.has(roll), `committed transaction ${roll} is in the database`);
    for (const roll of printed(p, 'TXRB')) assert.ok(!rolls.has(roll), `rolled-back transaction ${roll} left nothing`);
  }
}

function integritySuite(name: string, open: () => Promise<TestDatabase>) {
  describe(name, () => {
    let db: TestDatabase;
    /** Student ids not yet given to a test: each test marks its own, on one database seeded once. */
    let free = { first: 0, last: 0 };
    const take = (n: number) => {
      const range = { first: free.first, last: free.first + n - 1 };
      assert.ok(range.last <= free.last, 'enough students seeded');
      free.first += n;
      return range;
    };
    before(async () => {
      db = await open();
      free = await seed(db, 240 + MAX_ROUNDS * ROUND_SIZE + 100);
    });
    after(async () => db?.drop());

    test('marks beside committing and rolled-back transactions, from two processes: every acknowledged mark is stored', async () => {
      const a = take(170);
      const b = take(70);
      const engineLike = worker(db, ['work', String(a.first), String(a.last)], 'a');
      const second = worker(db, ['work', String(b.first), String(b.last)], 'b');
      assert.deepEqual(await Promise.all([engineLike.exited, second.exited]), [0, 0], `${engineLike.output()}\n${second.output()}`);
      const acked = [...printed(engineLike, 'ACK'), ...printed(second, 'ACK')];
      assert.equal(acked.length, 240, `every student acknowledged once, none failed:\n${engineLike.output()}\n${second.output()}`);
      const stored = await markedStudents(db);
      assert.deepEqual(acked.filter((id) => !stored.has(id)), [], 'acknowledged marks missing from the database');
      assert.ok(printed(engineLike, 'TXRB').length > 0 && printed(engineLike, 'TXOK').length > 0, 'both kinds of transaction ran');
      await assertTransactionsAtomic(db, [engineLike, second]);
    });

    test('SIGKILL of the marking process, round after round: zero acknowledged marks lost', async () => {
      // A second process writes all along, as the admin server or another engine would.
      const beside = take(100);
      const second = worker(db, ['work', String(beside.first), String(beside.last)], 'second');
      const rounds: Running[] = [];
      let acked = 0;
      for (let r = 0; acked < MIN_ACKED && r < MAX_ROUNDS; r++) {
        const round = take(ROUND_SIZE);
        const p = worker(db, ['work', String(round.first), String(round.last)], `r${r}`);
        rounds.push(p);
        await untilPrinted(p, 'ACK', KILL_AFTER_ACKS);
        p.child.kill('SIGKILL');
        await p.exited;
        assert.equal(p.child.signalCode, 'SIGKILL', `round ${r} was killed mid-run, not finished:\n${p.output()}`);
        acked += printed(p, 'ACK').length;
      }
      assert.equal(await second.exited, 0, second.output());
      assert.ok(acked >= MIN_ACKED, `at least ${MIN_ACKED} marks acknowledged before the kills (got ${acked})`);
      const stored = await markedStudents(db);
      const lost = [...rounds, second].flatMap((p) => printed(p, 'ACK')).filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], 'acknowledged marks lost');
      await assertTransactionsAtomic(db, [...rounds, second]);
      if (db.kind === 'sqlite') assert.deepEqual(await db.query('PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
    });
  });
}

integritySuite('on a SQLite file', sqliteDatabase);

const pgUrl = process.env.TEST_POSTGRES_URL;
if (pgUrl) integritySuite('on PostgreSQL', () => postgresDatabase(pgUrl));
else {
  console.warn('\n!!! TEST_POSTGRES_URL is not set: the PostgreSQL integrity tests are SKIPPED.\n');
  test('integrity on PostgreSQL', (t) => t.skip('TEST_POSTGRES_URL not set (npm test starts PostgreSQL when it is installed)'));
}
