import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ComponentLoader } from 'adminjs';

/** Every custom React component of the panel, registered in one place (AdminJS bundles them at start). */
export const componentLoader = new ComponentLoader();

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'components');
const add = (name: string, file: string) => componentLoader.add(name, path.join(dir, file));

export const Components = {
  Dashboard: add('Dashboard', 'dashboard.tsx'),
  Reports: add('Reports', 'reports.tsx'),
  Register: add('Register', 'register.tsx'),
  Account: add('Account', 'account.tsx'),
  ConfirmAction: add('ConfirmAction', 'confirm-action.tsx'),
  DownloadLink: add('DownloadLink', 'download-link.tsx'),
  Privacy: add('Privacy', 'privacy.tsx'),
  LiveView: add('LiveView', 'live-view.tsx'),
  EnrollPhotos: add('EnrollPhotos', 'enroll-photos.tsx'),
  RegisterFace: add('RegisterFace', 'register-face.tsx'),
  ExportCsv: add('ExportCsv', 'export-csv.tsx'),
  CreateApiKey: add('CreateApiKey', 'create-api-key.tsx'),
  TeacherPicker: add('TeacherPicker', 'teacher-picker.tsx'),
  TeacherName: add('TeacherName', 'teacher-name.tsx'),
  AuditDetails: add('AuditDetails', 'audit-details.tsx'),
  RosterImport: add('RosterImport', 'roster-import.tsx'),
  TimetableWeek: add('TimetableWeek', 'timetable-week.tsx'),
  YearRollover: add('YearRollover', 'year-rollover.tsx'),
};

// AdminJS's own header, replaced everywhere: titles that name the record, actions that never leave the screen.
componentLoader.override('ActionHeader', path.join(dir, 'action-header.tsx'));
// AdminJS's page list, without the admin-only pages for other roles.
componentLoader.override('SidebarPages', path.join(dir, 'sidebar-pages.tsx'));
