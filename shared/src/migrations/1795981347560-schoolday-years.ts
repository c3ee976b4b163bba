import { Table, TableForeignKey, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialect, timestampType } from '../db/column-types.js';

/**
 * The year rollover (YearRolloverService): archived academic years, the class groups filed under them with
 * their members as they were, and on every mark the class group the student was in when it was made.
 *
 * Columns are added with plain `ALTER TABLE … ADD COLUMN` (both databases): TypeORM's addColumn rebuilds a
 * SQLite table, which would drop the triggers on `attendance_log`. The mark's class group is filled by a
 * trigger too, so every writer (the engine included) records it without knowing about it.
 */
export const MARK_CLASS_TRIGGER = 'attendance_class_group';

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
      foreignKeys: ['class_group_id:class_groups', 'student_id:students'].map((s) => s.split(':')).map(([column, table]) =>
        new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' })),
    }));
    await q.query('ALTER TABLE "class_groups" ADD COLUMN "academic_year_id" integer REFERENCES "academic_years" ("id")');
    await q.query('ALTER TABLE "attendance_log" ADD COLUMN "class_group_id" integer REFERENCES "class_groups" ("id") ON DELETE SET NULL');
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
    await q.query('ALTER TABLE "attendance_log" DROP COLUMN "class_group_id"');
    await q.query('ALTER TABLE "class_groups" DROP COLUMN "academic_year_id"');
    await q.dropTable('class_group_members');
    await q.dropTable('academic_years');
  }
}
