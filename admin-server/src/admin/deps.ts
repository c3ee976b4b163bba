import type { DataSource } from 'typeorm';
import type { BiometricService } from '../services/biometric.service.js';
import type { ConsentService } from '../services/consent.service.js';
import type { EngineClient } from '../services/engine-client.js';
import type { AdminUser } from './policy.js';

/** What the AdminJS resources and actions need, wired in app.ts. */
export interface AdminDeps {
  ds: DataSource;
  biometric: BiometricService;
  consent: ConsentService;
  engine: EngineClient;
  /** A short-lived engine token acting as this user. */
  engineToken: (user: AdminUser) => Promise<string>;
  clock: () => Date;
  timeZone: string;
}
