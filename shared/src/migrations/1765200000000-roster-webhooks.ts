import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialect, timestampType } from '../db/column-types.js';

const now = dialect === 'postgres' ? 'now()' : "datetime('now')";

/**
 * Roster import and hand-off: the external ids of imported rows (OneRoster sourcedId), webhook
 * endpoints and their delivery log. External ids live in their own table rather than as columns:
 * SQLite can only add a unique column by rebuilding the table, which would drop the gallery triggers
 * on `students`.
 */
export class RosterWebhooks1765200000000 implements MigrationInterface {
  name = 'RosterWebhooks1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'external_ids',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'kind', type: 'varchar', length: '16' },
        { name: 'source_id', type: 'varchar', length: '255' },
        { name: 'local_id', type: 'integer' },
        { name: 'updated_at', type: timestampType, default: now },
      ],
      indices: [
        new TableIndex({ name: 'UQ_external_ids_kind_source', columnNames: ['kind', 'source_id'], isUnique: true }),
        new TableIndex({ name: 'IDX_external_ids_kind_local', columnNames: ['kind', 'local_id'] }),
      ],
    }));
    await q.createTable(new Table({
      name: 'webhook_endpoints',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'name', type: 'varchar', length: '64' },
        { name: 'url', type: 'varchar', length: '2048' },
        { name: 'secret', type: 'varchar', length: '128' },
        { name: 'events', type: 'varchar', length: '255' },
        { name: 'active', type: 'boolean', default: dialect === 'postgres' ? 'true' : 1 },
        { name: 'created_at', type: timestampType, default: now },
      ],
    }));
    await q.createTable(new Table({
      name: 'webhook_deliveries',
      columns: [
        { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'endpoint_id', type: 'integer' },
        { name: 'event', type: 'varchar', length: '64' },
        { name: 'event_id', type: 'varchar', length: '64' },
        { name: 'payload', type: 'text' },
        { name: 'status', type: 'varchar', length: '16' },
        { name: 'attempts', type: 'integer', default: 0 },
        { name: 'last_status_code', type: 'integer', isNullable: true },
        { name: 'last_error', type: 'varchar', length: '500', isNullable: true },
        { name: 'created_at', type: timestampType, default: now },
        { name: 'delivered_at', type: timestampType, isNullable: true },
      ],
      foreignKeys: [new TableForeignKey({ columnNames: ['endpoint_id'], referencedTableName: 'webhook_endpoints', referencedColumnNames: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' })],
      indices: [new TableIndex({ name: 'IDX_webhook_deliveries_endpoint', columnNames: ['endpoint_id', 'created_at'] })],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('webhook_deliveries');
    await q.dropTable('webhook_endpoints');
    await q.dropTable('external_ids');
  }
}
