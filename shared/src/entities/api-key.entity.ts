import { BaseEntity, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { timestampType } from '../db/column-types.js';
import { Camera } from './camera.entity.js';

export const API_KEY_SCOPES = ['device', 'sis'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * A key for a machine client: a device posting frames, or a school system reading attendance.
 * Only the sha256 of the key is stored; the key itself is shown once when created.
 */
@Entity('api_keys')
export class ApiKey extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  keyHash!: string;

  /** The first characters of the key, to tell keys apart in lists. */
  @Column({ type: 'varchar', length: 12 })
  prefix!: string;

  @Column({ type: 'varchar', length: 16 })
  scope!: ApiKeyScope;

  @Column({ type: 'integer', nullable: true })
  cameraId!: number | null;

  @ManyToOne(() => Camera, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'camera_id' })
  camera?: Camera | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: timestampType, nullable: true })
  lastUsedAt!: Date | null;

  @CreateDateColumn({ type: timestampType })
  createdAt!: Date;
}
