import type { ActionContext, ActionRequest, ActionResponse, RecordJSON, ResourceWithOptions } from 'adminjs';
import { AttendanceLog, Consent, Student, writeAudit } from '@attendance/shared';
import { Components } from '../component-loader.js';
import type { AdminDeps } from '../deps.js';
import { postOnly } from '../actions/run-action.js';
import { ScopedResource } from '../scoped-resource.js';
import { allowed, auditActor, groupScoped, standardActions, uncheckedIsFalse, userOf } from './common.js';


/** Poses as staff say them: the liveness check's three turns, or photos uploaded. */
const POSE_WORDS: Record<string, string> = { center: 'straight', left: 'left', right: 'right', upload: 'from photos' };

/** Adds the enrolment status (template count and poses) to listed and shown students. */
function withEnrolment(deps: AdminDeps) {
  return async (response: ActionResponse): Promise<ActionResponse> => {
    const records: RecordJSON[] = response.records ?? (response.record ? [response.record] : []);
    const status = await deps.biometric.enrolmentStatus(records.map((r) => Number(r.id)));
    for (const r of records) {
      const s = status.get(Number(r.id));
      r.params.templates = s?.templates ?? 0;
      r.params.poses = s ? s.poses.sort().map((p) => POSE_WORDS[p] ?? p).join(', ') : 'not registered';
    }
    return response;
  };
}

/** How many of a student's latest marks their page lists (the full history is under Reports). */
const PROFILE_MARKS = 10;

/** The student's page also says who consented, how and to which policy, and their latest marks. */
function withProfile(deps: AdminDeps) {
  return async (response: ActionResponse): Promise<ActionResponse> => {
    const r = response.record;
    if (!r) return response;
    const id = Number(r.id);
    const [consent, marks] = await Promise.all([
      deps.ds.getRepository(Consent).findOne({ where: { studentId: id }, order: { givenAt: 'DESC' } }),
      deps.ds.getRepository(AttendanceLog).find({ where: { studentId: id }, order: { markedAt: 'DESC' }, take: PROFILE_MARKS }),
    ]);
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const consentAt = r.params.consentAt ? new Date(String(r.params.consentAt)) : null;
    r.params.consentDetails = !consent ? (consentAt ? `Given on ${day(consentAt)} (who and how were not recorded).` : 'No consent recorded: attendance is marked by hand.')
      : `${consent.withdrawnAt ? `Withdrawn on ${day(consent.withdrawnAt)}. Was given` : 'Given'} by ${consent.givenBy} (${consent.relationship}), `
        + `${consent.method.replace('_', ' ')}, policy ${consent.policyVersion}, on ${day(consent.givenAt)}.`;
    r.params.recentMarks = marks.length ? marks.map((m) => `${m.day} ${m.status} (${m.source})`).join(' · ') : 'No marks yet.';
    return response;
  };
}

export function studentResource(deps: AdminDeps): ResourceWithOptions {
  const after = withEnrolment(deps);
  return {
    resource: new ScopedResource(Student, { resourceId: 'Student', scope: groupScoped('classGroupId') }),
    options: {
      navigation: { name: 'School', icon: 'Users' },
      sort: { sortBy: 'name', direction: 'asc' },
      // Consent is in the list (and filter) so a teacher sees who must be marked by hand.
      listProperties: ['name', 'rollNumber', 'classGroupId', 'consentAt', 'templates', 'poses', 'enrolledAt', 'active'],
      filterProperties: ['name', 'rollNumber', 'classGroupId', 'active', 'consentAt', 'enrolledAt'],
      showProperties: ['name', 'rollNumber', 'classGroupId', 'active', 'consentDetails', 'poses', 'templates', 'enrolledAt', 'recentMarks', 'createdAt', 'updatedAt', 'id'],
      // Consent is recorded and withdrawn through its actions (with who gave it), never typed in.
      editProperties: ['name', 'rollNumber', 'classGroupId', 'active'],
      properties: {
        templates: { type: 'number', isVisible: { list: true, show: true, edit: false, filter: false } },
        poses: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } },
        consentDetails: { type: 'string', isVisible: { list: false, show: true, edit: false, filter: false } },
        recentMarks: { type: 'string', isVisible: { list: false, show: true, edit: false, filter: false } },
        enrolledAt: { isDisabled: true },
        consentAt: { isDisabled: true },
      },
      actions: {
        ...standardActions('Student'),
        new: { isAccessible: allowed('Student', 'new'), before: uncheckedIsFalse('active') },
        list: { isAccessible: allowed('Student', 'list'), after },
        show: { isAccessible: allowed('Student', 'show'), after: [after, withProfile(deps)] },
        delete: {
          isAccessible: allowed('Student', 'delete'),
          after: async (response: ActionResponse, request: ActionRequest, context: ActionContext) => {
            if (request.method === 'post' && context.record) {
              await writeAudit(deps.ds, { action: 'student.deleted', actor: auditActor(userOf(context)), entity: 'student', entityId: context.record.id() });
            }
            return response;
          },
        },
        deleteBiometrics: {
          actionType: 'record',
          icon: 'Trash2',
          variant: 'danger',
          component: Components.ConfirmAction,
          isAccessible: allowed('Student', 'deleteBiometrics'),
          custom: { message: 'Delete every face template of this student? Attendance history stays. Re-enrolment will be needed.', button: 'Delete biometric data' },
          handler: postOnly(async (_request, context) => {
            const { removed } = await deps.biometric.deleteTemplates(Number(context.record!.id()), auditActor(userOf(context)), null);
            return `Deleted ${removed} face template(s); the engines will drop them from their galleries.`;
          }),
        },
        recordConsent: {
          actionType: 'record',
          icon: 'CheckSquare',
          component: Components.ConfirmAction,
          isAccessible: allowed('Student', 'recordConsent'),
          custom: {
            message: 'Record the biometric consent given for this student (for a minor, by a parent or guardian).',
            button: 'Record consent',
            fields: [
              { name: 'givenBy', label: 'Given by (full name)' },
              { name: 'relationship', label: 'Relationship (mother, father, guardian, self…)' },
              { name: 'method', label: 'How', options: ['paper', 'digital', 'in_person'] },
              { name: 'policyVersion', label: 'Policy version' },
            ],
          },
          handler: postOnly(async (request, context) => {
            const p = (request.payload ?? {}) as Record<string, string>;
            await deps.consent.record(Number(context.record!.id()), { givenBy: p.givenBy, relationship: p.relationship, method: p.method, policyVersion: p.policyVersion }, auditActor(userOf(context)));
            return 'Consent recorded.';
          }),
        },
        withdrawConsent: {
          actionType: 'record',
          icon: 'XSquare',
          variant: 'danger',
          component: Components.ConfirmAction,
          isAccessible: allowed('Student', 'withdrawConsent'),
          custom: { message: 'Withdraw the biometric consent? Every face template of this student is erased at once; attendance is then marked by hand.', button: 'Withdraw consent and erase templates' },
          handler: postOnly(async (_request, context) => {
            const { removed } = await deps.consent.withdraw(Number(context.record!.id()), auditActor(userOf(context)));
            return `Consent withdrawn; ${removed} face template(s) erased.`;
          }),
        },
        exportData: {
          actionType: 'record',
          icon: 'Download',
          component: Components.DownloadLink,
          isAccessible: allowed('Student', 'exportData'),
          custom: { href: '/api/students/:id/export.json', message: 'Everything held about this student as JSON: record, consents, attendance and audit entries. Face templates appear only as a count. The export is audited.', button: 'Download JSON' },
          handler: async (_request, _response, context) => ({ record: context.record!.toJSON(context.currentAdmin) }),
        },
        registerFace: {
          actionType: 'record',
          icon: 'UserCheck',
          component: Components.RegisterFace,
          // The main thing staff come to a student for: a button of its own, not in the "More actions" menu.
          custom: { primary: true },
          isAccessible: allowed('Student', 'registerFace'),
          handler: async (_request, _response, context) => ({ record: context.record!.toJSON(context.currentAdmin) }),
        },
        enrollPhotos: {
          actionType: 'record',
          icon: 'Camera',
          component: Components.EnrollPhotos,
          isAccessible: allowed('Student', 'enrollPhotos'),
          handler: async (_request, _response, context) => ({ record: context.record!.toJSON(context.currentAdmin) }),
        },
      },
    },
  };
}
