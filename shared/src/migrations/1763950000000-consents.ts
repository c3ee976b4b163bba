import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialect, timestampType } from '../db/column-types.js';

/** Biometric consent records (who, relationship, how, policy version, withdrawal). */
export class Consents1763950000000 implements MigrationInterface {
  name = 'Consents1763950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'consents',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'student_id', type: 'integer' },
        { name: 'given_by', type: 'varchar', length: '128' },
        { name: 'relationship', type: 'varchar', length: '32' },
        { name: 'method', type: 'varchar', length: '16' },
        { name: 'policy_version', type: 'varchar', length: '32' },
        { name: 'given_at', type: timestampType },
        { name: 'withdrawn_at', type: timestampType, isNullable: true },
        { name: 'recorded_by_id', type: 'integer', isNullable: true },
        { name: 'created_at', type: timestampType, default: dialect === 'postgres' ? 'now()' : "datetime('now')" },
      ],
      foreignKeys: [new TableForeignKey({ columnNames: ['student_id'], referencedTableName: 'students', referencedColumnNames: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' })],
      indices: [new TableIndex({ name: 'IDX_consents_student', columnNames: ['student_id'] })],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('consents');
  }
}
