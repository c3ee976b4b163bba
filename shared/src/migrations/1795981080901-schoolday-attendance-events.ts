import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialect, timestampType } from '../db/column-types.js';

/**
 * The attendance events outbox: a mark becoming `late` or `absent` (inserted, or corrected to it) appends an
 * `attendance_events` row IN THE SAME TRANSACTION, written by database triggers, so every writer raises it:
 * the engine's cameras (another process), the register, AdminJS edits, the SIS API, the lesson-end absence
 * sweep. The admin server relays the rows to webhooks (AttendanceEventRelay) and deletes them.
 * Webhook deliveries get a unique (endpoint, event id), so relaying one row twice logs one delivery.
 *
 * On SQLite, a later migration that makes TypeORM rebuild `attendance_log` (most column changes) drops these
 * triggers: create them again there (tests/admin/attendance-events.test.ts checks they exist).
 */
export const ATTENDANCE_EVENT_TRIGGERS = ['attendance_event_inserted', 'attendance_event_updated'];

const sqlite = [
  `CREATE TRIGGER "attendance_event_inserted" AFTER INSERT ON "attendance_log" WHEN NEW."status" IN ('late', 'absent') BEGIN
    INSERT INTO "attendance_events" ("attendance_id", "status") VALUES (NEW."id", NEW."status");
  END`,
  `CREATE TRIGGER "attendance_event_updated" AFTER UPDATE OF "status" ON "attendance_log"
    WHEN NEW."status" IN ('late', 'absent') AND OLD."status" IS NOT NEW."status" BEGIN
    INSERT INTO "attendance_events" ("attendance_id", "status") VALUES (NEW."id", NEW."status");
  END`,
];

const postgres = [
  `CREATE FUNCTION attendance_event() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.status IN ('late', 'absent') AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status) THEN
      INSERT INTO attendance_events (attendance_id, status) VALUES (NEW.id, NEW.status);
    END IF;
    RETURN NEW;
  END $$`,
  `CREATE TRIGGER attendance_event_inserted AFTER INSERT ON attendance_log FOR EACH ROW EXECUTE FUNCTION attendance_event()`,
  `CREATE TRIGGER attendance_event_updated AFTER UPDATE OF status ON attendance_log FOR EACH ROW EXECUTE FUNCTION attendance_event()`,
];

/** Also called by a later migration that rebuilds `attendance_log` on SQLite (which drops its triggers). */
export async function createAttendanceEventTriggers(q: QueryRunner): Promise<void> {
  if (dialect === 'postgres') {
    for (const sql of postgres) await q.query(sql);
  } else {
    for (const sql of sqlite) await q.query(sql);
  }
}

export class SchooldayAttendanceEvents1795981080901 implements MigrationInterface {
  name = 'SchooldayAttendanceEvents1795981080901';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'attendance_events',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        // No foreign key: the event outlives nothing, and a deleted mark's event is dropped by the relay.
        { name: 'attendance_id', type: 'integer' },
        { name: 'status', type: 'varchar', length: '16' },
        { name: 'created_at', type: timestampType, default: dialect === 'postgres' ? 'now()' : "datetime('now')" },
      ],
    }));
    await createAttendanceEventTriggers(q);
    await q.createIndex('webhook_deliveries', new TableIndex({ name: 'UQ_webhook_deliveries_endpoint_event', columnNames: ['endpoint_id', 'event_id'], isUnique: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('webhook_deliveries', 'UQ_webhook_deliveries_endpoint_event');
    if (dialect === 'postgres') {
      for (const t of ATTENDANCE_EVENT_TRIGGERS) await q.query(`DROP TRIGGER ${t} ON attendance_log`);
      await q.query('DROP FUNCTION attendance_event()');
    } else {
      for (const t of ATTENDANCE_EVENT_TRIGGERS) await q.query(`DROP TRIGGER "${t}"`);
    }
    await q.dropTable('attendance_events');
  }
}
