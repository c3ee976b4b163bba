import { Table, TableColumn, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';
import { timestampType } from '../db/column-types.js';

/** Retention: when a student became inactive, and the monthly totals kept after detail is deleted. */
export class Retention1764000000000 implements MigrationInterface {
  name = 'Retention1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('students', new TableColumn({ name: 'inactive_since', type: timestampType, isNullable: true }));
    const count = (name: string) => ({ name, type: 'integer', default: 0 });
    await q.createTable(new Table({
      name: 'attendance_monthly',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'student_id', type: 'integer' },
        { name: 'month', type: 'varchar', length: '7' },
        count('present'), count('late'), count('absent'), count('excused'),
      ],
      uniques: [new TableUnique({ name: 'UQ_attendance_monthly_student_month', columnNames: ['student_id', 'month'] })],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('attendance_monthly');
    await q.dropColumn('students', 'inactive_since');
  }
}
