import { BaseEntity, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { timestampType } from '../db/column-types.js';

/** What a school system can subscribe to. */
export const WEBHOOK_EVENTS = ['register.confirmed', 'student.absent', 'student.late'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** A receiver (SIS, parent messaging): its URL, the secret its deliveries are signed with, what it wants. */
@Entity('webhook_endpoints')
export class WebhookEndpoint extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  /** HMAC-SHA256 key; the receiver holds the same. */
  @Column({ type: 'varchar', length: 128 })
  secret!: string;

  /** Comma-separated WEBHOOK_EVENTS. */
  @Column({ type: 'varchar', length: 255 })
  events!: string;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ type: timestampType })
  createdAt!: Date;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event sent to one endpoint: the delivery log admins read. */
@Entity('webhook_deliveries')
@Index('IDX_webhook_deliveries_endpoint', ['endpointId', 'createdAt'])
@Index('UQ_webhook_deliveries_endpoint_event', ['endpointId', 'eventId'], { unique: true })
export class WebhookDelivery extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'integer' })
  endpointId!: number;

  @ManyToOne(() => WebhookEndpoint, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id' })
  endpoint?: WebhookEndpoint;

  @Column({ type: 'varchar', length: 64 })
  event!: WebhookEvent;

  /** The same for every retry, so a receiver can drop a repeat. */
  @Column({ type: 'varchar', length: 64 })
  eventId!: string;

  /** The exact JSON body that is signed and sent. */
  @Column({ type: 'text' })
  payload!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ type: timestampType })
  createdAt!: Date;

  @Column({ type: timestampType, nullable: true })
  deliveredAt!: Date | null;
}
