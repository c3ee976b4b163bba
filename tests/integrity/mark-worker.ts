// A child process that writes like a busy engine: the engine's AttendanceService marks students
// (with presence and audit writes) while enrolment-like transactions run beside it, some committing
// and some rolled back. Each acknowledged mark is printed (`ACK <studentId>`) only after mark()
// returned marked: true, so a parent that kills this process knows exactly what was acknowledged.
// Pipes to a parent are written synchronously on Linux: a printed line was printed before any kill.
//
//   seed <count>          migrate, create <count> students, print `IDS <first> <last>`
//   work <first> <last>   mark those students, with transaction noise; prints DONE at the end
// The database comes from DATABASE_URL (PostgreSQL) or SQLITE_FILE; TAG names this process's rows.
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, Student, isUniqueViolation, openDatabase, writeAudit } from '@attendance/shared';
import { AttendanceService } from '../../ai-engine/src/attendance/attendance.service.js';
import { PresenceService } from '../../ai-engine/src/attendance/presence.service.js';
import { Metrics } from '../../ai-engine/src/observability/metrics.js';
import { Publisher } from '../../ai-engine/src/transport/ws/publisher.js';

const MARK_CHAINS = 4;
const say = (line: string) => process.stdout.write(`${line}\n`);

const [mode, a, b] = process.argv.slice(2);
const tag = process.env.TAG ?? String(process.pid);
const { dataSource: db } = await openDatabase({ DATABASE_URL: process.env.DATABASE_URL, sqliteFile: process.env.SQLITE_FILE ?? '' });

if (mode === 'seed') {
  const count = Number(a);
  const rows = Array.from({ length: count }, (_, i) => ({ name: `Student ${i}`, rollNumber: `S-${i}`, active: true }));
  for (let i = 0; i < rows.length; i += 100) await db.getRepository(Student).insert(rows.slice(i, i + 100));
  const [{ lo, hi }] = await db.query(`SELECT MIN(id) AS lo, MAX(id) AS hi FROM students WHERE roll_number LIKE 'S-%'`);
  say(`IDS ${lo} ${hi}`);
} else if (mode === 'work') {
  const first = Number(a);
  const last = Number(b);
  const attendance = new AttendanceService(db, 'UTC', new Publisher(), new Metrics());
  const presence = new PresenceService(db, 'UTC');
  let next = first;
  let marking = true;

  const markChain = async () => {
    while (next <= last) {
      const studentId = next++;
      try {
        const r = await attendance.mark({ studentId, confidence: 0.9, source: 'api' });
        if (r.marked) say(`ACK ${studentId}`);
        else say(`NACK ${studentId} ${r.reason}`);
        await presence.seen(studentId, null, new Date());
        await writeAudit(db, { action: 'test.mark', entity: 'student', entityId: studentId });
      } catch (err) {
        say(`ERR ${studentId} ${(err as Error).message.replace(/\s+/g, ' ')}`);
      }
    }
  };

  // Enrolment-like transactions that pause between statements, as real ones do between inserts:
  // on one shared connection, a mark written during that pause would roll back with them.
  const noise = async () => {
    for (let n = 0; marking; n++) {
      const roll = `T-${tag}-${n}`;
      const kind = n % 3;
      try {
        await db.transaction(async (tx) => {
          await tx.getRepository(Student).insert({ name: 'Noise', rollNumber: roll, active: true });
          await sleep(3);
          if (kind === 1) {
            try {
              await tx.getRepository(Student).insert({ name: 'Clash', rollNumber: 'S-0', active: true });
            } catch (err) {
              if (isUniqueViolation(err)) throw new ConflictError('roll number S-0 is taken');
              throw err;
            }
          }
          if (kind === 2) throw new Error('rolled back on purpose');
          await writeAudit(tx, { action: 'test.enrol', entity: 'student', details: { roll } });
        });
        say(`TXOK ${roll}`);
      } catch (err) {
        say(`TXRB ${roll} ${(err as Error).constructor.name}`);
      }
    }
  };

  const noiseDone = noise();
  await Promise.all(Array.from({ length: MARK_CHAINS }, markChain));
  marking = false;
  await noiseDone;
  await presence.flush();
  say('DONE');
}
await db.destroy();
