import { Table, TableForeignKey, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';
import { timestampType } from '../db/column-types.js';

/** First and last sighting per student, day and camera (written by the engine's camera loops). */
export class StudentPresence1763900000000 implements MigrationInterface {
  name = 'StudentPresence1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'student_presence',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'student_id', type: 'integer' },
        { name: 'camera_id', type: 'integer', isNullable: true },
        { name: 'camera_key', type: 'integer' },
        { name: 'day', type: 'varchar', length: '10' },
        { name: 'first_seen_at', type: timestampType },
        { name: 'last_seen_at', type: timestampType },
      ],
      foreignKeys: [
        new TableForeignKey({ columnNames: ['student_id'], referencedTableName: 'students', referencedColumnNames: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' }),
        new TableForeignKey({ columnNames: ['camera_id'], referencedTableName: 'cameras', referencedColumnNames: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' }),
      ],
      uniques: [new TableUnique({ name: 'UQ_student_presence_student_day_camera', columnNames: ['student_id', 'day', 'camera_key'] })],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('student_presence');
  }
}
