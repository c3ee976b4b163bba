import { Table, TableColumn, TableForeignKey, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createAttendanceEventTriggers } from './1795981080901-schoolday-attendance-events.js';
import { dialect, timestampType } from '../db/column-types.js';

/**
 * The year rollover (YearRolloverService): archived academic years, the class groups filed under them with
 * their members as they were, and on every mark the class group the student was in when it was made.
 *
 * On SQLite, adding the mark's column rebuilds `attendance_log`, which drops its triggers: the attendance
 * events triggers are created again here. The mark's class group is filled by a trigger too, so every writer
 * (the engine included) records it without knowing about it.
 */
export const MARK_CLASS_TRIGGER = 'attendance_class_group';

const fk = (column: string, table: string, onDelete: string) =>
  new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete, onUpdate: 'NO ACTION' });

export class SchooldayYears1795981347560 implements MigrationInterface {
  name = 'SchooldayYears1795981347560';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'academic_years',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'name', type: 'varchar', length: '32', isUnique: true },
        { name: 'archived_at', type: timestampType },
      ],
    }));
    await q.createTable(new Table({
      name: 'class_group_members',
      columns: [
        { name: 'class_group_id', type: 'integer', isPrimary: true },
        { name: 'student_id', type: 'integer', isPrimary: true },
      ],
      foreignKeys: [fk('class_group_id', 'class_groups', 'CASCADE'), fk('student_id', 'students', 'CASCADE')],
    }));
    // No foreign key: a relation would make AdminJS look for an AcademicYear resource on every class group list.
    await q.addColumn('class_groups', new TableColumn({ name: 'academic_year_id', type: 'integer', isNullable: true }));
    await q.addColumn('attendance_log', new TableColumn({ name: 'class_group_id', type: 'integer', isNullable: true }));
    await q.createForeignKey('attendance_log', fk('class_group_id', 'class_groups', 'SET NULL'));
    // SQLite rebuilt attendance_log for that, dropping its triggers: the attendance events outbox's come back.
    if (dialect === 'sqlite') await createAttendanceEventTriggers(q);
    await q.query('UPDATE "attendance_log" SET "class_group_id" = (SELECT "class_group_id" FROM "students" WHERE "students"."id" = "attendance_log"."student_id")');
    if (dialect === 'postgres') {
      await q.query(`CREATE FUNCTION attendance_class_group() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.class_group_id IS NULL THEN NEW.class_group_id := (SELECT class_group_id FROM students WHERE id = NEW.student_id); END IF;
        RETURN NEW;
      END $$`);
      await q.query(`CREATE TRIGGER ${MARK_CLASS_TRIGGER} BEFORE INSERT ON attendance_log FOR EACH ROW EXECUTE FUNCTION attendance_class_group()`);
    } else {
      await q.query(`CREATE TRIGGER "${MARK_CLASS_TRIGGER}" AFTER INSERT ON "attendance_log" WHEN NEW."class_group_id" IS NULL BEGIN
        UPDATE "attendance_log" SET "class_group_id" = (SELECT "class_group_id" FROM "students" WHERE "id" = NEW."student_id") WHERE "id" = NEW."id";
      END`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (dialect === 'postgres') {
      await q.query(`DROP TRIGGER ${MARK_CLASS_TRIGGER} ON attendance_log`);
      await q.query('DROP FUNCTION attendance_class_group()');
    } else {
      await q.query(`DROP TRIGGER "${MARK_CLASS_TRIGGER}"`);
    }
    await q.dropColumn('attendance_log', 'class_group_id');
    await q.dropColumn('class_groups', 'academic_year_id');
    if (dialect === 'sqlite') await createAttendanceEventTriggers(q);
    await q.dropTable('class_group_members');
    await q.dropTable('academic_years');
  }
}
