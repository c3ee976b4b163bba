import { presenceResource } from './resources/presence.resource.js';
import type { AdminJSOptions, BrandingOptions } from 'adminjs';
import type { MarksService } from '../services/marks.service.js';
import { Components, componentLoader } from './component-loader.js';
import type { AdminDeps } from './deps.js';
import { apiKeyResource, auditLogResource } from './resources/admin-only.resources.js';
import { attendanceResource } from './resources/attendance.resource.js';
import { absenceReasonResource, calendarEntryResource } from './resources/calendar.resources.js';
import { cameraResource } from './resources/cameras.resource.js';
import { classGroupResource, classSessionResource } from './resources/school.resources.js';
import { webhookDeliveryResource, webhookEndpointResource } from './resources/webhook.resources.js';
import { studentResource } from './resources/students.resource.js';
import { userResource } from './resources/users.resource.js';

export const ADMIN_ROOT = '/admin';
/** The panel's own additions to AdminJS's styles (panel.css), served by app.ts. */
export const PANEL_CSS_PATH = '/panel.css';

export function adminOptions(deps: AdminDeps, marks: MarksService): AdminJSOptions {
  return {
    rootPath: ADMIN_ROOT,
    loginPath: `${ADMIN_ROOT}/login`,
    logoutPath: `${ADMIN_ROOT}/logout`,
    componentLoader,
    assets: { styles: [PANEL_CSS_PATH] },
    // The sidebar stays beside the page from 1200 px (AdminJS hides it below 1324 px, so a 1280 px laptop lost it).
    branding: { companyName: 'Face Attendance', withMadeWithLove: false, logo: false, theme: { breakpoints: ['577px', '769px', '1024px', '1200px'] } as NonNullable<BrandingOptions['theme']> },
    dashboard: { component: Components.Dashboard },
    pages: {
      register: { component: Components.Register, icon: 'CheckSquare' },
      reports: { component: Components.Reports, icon: 'BarChart2' },
      timetable: { component: Components.TimetableWeek, icon: 'Calendar' },
      import: { component: Components.RosterImport, icon: 'Upload' },
      rollover: { component: Components.YearRollover, icon: 'SkipForward' },
      account: { component: Components.Account, icon: 'User' },
      privacy: { component: Components.Privacy, icon: 'Shield' },
    },
    resources: [
      studentResource(deps), classGroupResource(), classSessionResource(deps.ds), cameraResource(deps), attendanceResource(marks), presenceResource(),
      userResource(deps.ds), auditLogResource(deps.ds), apiKeyResource(deps.ds), calendarEntryResource(), absenceReasonResource(),
      webhookEndpointResource(), webhookDeliveryResource(),
    ],
    locale: {
      language: 'en',
      translations: {
        en: {
          actions: {
            show: 'Details', edit: 'Edit', delete: 'Delete', new: 'Add new', list: 'List', search: 'Search',
            deleteBiometrics: 'Delete biometric data', enrollPhotos: 'Enroll from photos', registerFace: 'Register face', recordConsent: 'Record consent', withdrawConsent: 'Withdraw consent', exportData: 'Export all data', liveView: 'Live view', startDetection: 'Start detection',
            stopDetection: 'Stop detection', exportCsv: 'Export CSV', createKey: 'Create API key', revoke: 'Revoke key',
          },
          // Per-resource words for the generic actions ("Add a student", not "Create new").
          resources: Object.fromEntries(Object.entries({
            Student: 'Add a student', ClassGroup: 'Add a class group', ClassSession: 'Add a lesson', Camera: 'Add a camera', User: 'Add a user', AttendanceLog: 'Add a mark by hand', CalendarEntry: 'Add a term, holiday or trip', AbsenceReason: 'Add a reason', WebhookEndpoint: 'Add a webhook',
          }).map(([id, add]) => [id, { actions: { new: add } }])),
          labels: { CalendarEntry: 'School calendar', AbsenceReason: 'Absence reasons', register: 'Register', Student: 'Students', Camera: 'Cameras', User: 'Users', AttendanceLog: 'Attendance log', StudentPresence: 'Presence (first/last seen)', ClassSession: 'Timetable', ClassGroup: 'Class groups', ApiKey: 'API keys', AuditLog: 'Audit log', reports: 'Reports', account: 'My account', privacy: 'Privacy', timetable: 'Timetable (week)', import: 'Import roster', rollover: 'Year rollover' },
          pages: { register: 'Register', reports: 'Reports', account: 'My account', privacy: 'Privacy', timetable: 'Timetable (week)', import: 'Import roster', rollover: 'Year rollover' },
          properties: {
            classGroupId: 'Class group', studentId: 'Student', cameraId: 'Camera', teacherId: 'Teacher', classSessionId: 'Timetable slot',
            markedById: 'Marked by', engineState: 'Live (engine)', runsOn: 'Runs on engine', status: 'Status', templates: 'Face samples', poses: 'Face registered', consentAt: 'Consent given', consentDetails: 'Consent', recentMarks: 'Latest marks', enrolledAt: 'Face registered on', rollNumber: 'Roll number', actorName: 'Who', entityId: 'Record', summary: 'What happened',
          },
          components: {
            Login: {
              welcomeHeader: 'Face Attendance',
              welcomeMessage: 'School attendance by face recognition. Log in with the account your administrator gave you.',
              properties: { email: 'Username', password: 'Password' },
            },
          },
          messages: { tooManyRequests: 'Too many failed attempts. Wait a few minutes and try again.', invalidCredentials: 'Wrong username or password.' },
        },
      },
    },
  };
}
