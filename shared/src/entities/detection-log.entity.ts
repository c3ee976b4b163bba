import { BaseEntity, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { realType, timestampType } from '../db/column-types.js';
import { Camera } from './camera.entity.js';

/** Per camera and interval: how much was read, analysed and recognised, and how fast. */
@Entity('detection_logs')
@Index('IDX_detection_logs_camera_start', ['cameraId', 'intervalStart'])
export class DetectionLog extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'integer', nullable: true })
  cameraId!: number | null;

  @ManyToOne(() => Camera, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'camera_id' })
  camera?: Camera | null;

  @Column({ type: timestampType })
  intervalStart!: Date;

  @Column({ type: timestampType })
  intervalEnd!: Date;

  @Column({ type: 'integer', default: 0 })
  framesRead!: number;

  @Column({ type: 'integer', default: 0 })
  framesAnalysed!: number;

  @Column({ type: 'integer', default: 0 })
  faces!: number;

  @Column({ type: 'integer', default: 0 })
  recognitions!: number;

  @Column({ type: realType, nullable: true })
  medianLatencyMs!: number | null;
}
