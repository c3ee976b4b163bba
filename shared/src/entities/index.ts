import { AbsenceReason } from './absence-reason.entity.js';
import { AcademicYear } from './academic-year.entity.js';
import { ClassGroupMember } from './class-group-member.entity.js';
import { ApiKey } from './api-key.entity.js';
import { AttendanceLog } from './attendance-log.entity.js';
import { AttendanceMonthly } from './attendance-monthly.entity.js';
import { AuditLog } from './audit-log.entity.js';
import { CalendarEntry } from './calendar-entry.entity.js';
import { Camera } from './camera.entity.js';
import { ClassGroup } from './class-group.entity.js';
import { ClassSession } from './class-session.entity.js';
import { Consent } from './consent.entity.js';
import { DetectionLog } from './detection-log.entity.js';
import { ExternalId } from './external-id.entity.js';
import { FaceTemplate } from './face-template.entity.js';
import { LessonRegister } from './lesson-register.entity.js';
import { LivenessSession } from './liveness-session.entity.js';
import { Student } from './student.entity.js';
import { StudentPresence } from './student-presence.entity.js';
import { User } from './user.entity.js';
import { WebhookDelivery, WebhookEndpoint } from './webhook.entity.js';

export * from './absence-reason.entity.js';
export * from './academic-year.entity.js';
export * from './class-group-member.entity.js';
export * from './api-key.entity.js';
export * from './attendance-log.entity.js';
export * from './attendance-monthly.entity.js';
export * from './audit-log.entity.js';
export * from './calendar-entry.entity.js';
export * from './camera.entity.js';
export * from './class-group.entity.js';
export * from './class-session.entity.js';
export * from './consent.entity.js';
export * from './detection-log.entity.js';
export * from './external-id.entity.js';
export * from './face-template.entity.js';
export * from './lesson-register.entity.js';
export * from './liveness-session.entity.js';
export * from './student.entity.js';
export * from './student-presence.entity.js';
export * from './user.entity.js';
export * from './webhook.entity.js';

export const ENTITIES = [
  User, ClassGroup, Student, FaceTemplate, Camera, ClassSession, AttendanceLog,
  LivenessSession, DetectionLog, AuditLog, ApiKey, Consent, AttendanceMonthly, StudentPresence,
  AbsenceReason, LessonRegister, CalendarEntry,
  ExternalId, WebhookEndpoint, WebhookDelivery,
  AcademicYear, ClassGroupMember,
];
