import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { timestampType } from '../db/column-types.js';

export const CAMERA_STATES = ['stopped', 'starting', 'running', 'reconnecting', 'failed'] as const;
export type CameraState = (typeof CAMERA_STATES)[number];

@Entity('cameras')
export class Camera extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 64, unique: true })
  name!: string;

  /** `rtsp://…`, `usb:N` or `file:/path/video.mp4`. May hold credentials: never logged whole. */
  @Column({ type: 'varchar', length: 512 })
  source!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  room!: string | null;

  /** Enabled cameras start with the engine. */
  @Column({ type: 'boolean', default: false })
  enabled!: boolean;

  @Column({ type: 'varchar', length: 16, default: 'stopped' })
  status!: CameraState;

  @Column({ type: 'varchar', length: 255, nullable: true })
  statusDetail!: string | null;

  @Column({ type: timestampType, nullable: true })
  statusAt!: Date | null;

  @CreateDateColumn({ type: timestampType })
  createdAt!: Date;
}
