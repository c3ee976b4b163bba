import type { ActionContext, ActionRequest, ResourceWithOptions } from 'adminjs';
import { In } from 'typeorm';
import { ATTENDANCE_SOURCES, ATTENDANCE_STATUSES, AppError, AttendanceLog } from '@attendance/shared';
import type { MarksService } from '../../services/marks.service.js';
import { Components } from '../component-loader.js';
import { groupScope, nonEmpty } from '../policy.js';
import { ScopedResource } from '../scoped-resource.js';
import { allowed, auditActor, payloadOf, standardActions, userOf } from './common.js';

const options = (values: readonly string[]) => values.map((v) => ({ value: v, label: v }));
type ClassFilterContext = ActionContext & { classGroupFilter?: number };

/** AttendanceLog has no class column: the "class" filter is moved aside here and applied through the student. */
async function takeClassFilter(request: ActionRequest, context: ClassFilterContext): Promise<ActionRequest> {
  const query = { ...(request.query ?? {}) } as Record<string, unknown>;
  const value = query['filters.classGroupId'];
  delete query['filters.classGroupId'];
  if (value !== undefined && value !== '') context.classGroupFilter = Number(value);
  return { ...request, query };
}

/** The mutation handlers answer form errors (duplicate mark, bad status) with a notice on the form. */
function formAction(work: (request: ActionRequest, context: ActionContext) => Promise<number>) {
  return async (request: ActionRequest, _response: unknown, context: ActionContext) => {
    if (request.method !== 'post') return { record: context.record?.toJSON(context.currentAdmin) ?? {} };
    try {
      const id = await work(request, context);
      const record = await context.resource.findOne(String(id), context);
      return {
        record: record!.toJSON(context.currentAdmin),
        redirectUrl: context.h.resourceUrl({ resourceId: 'AttendanceLog' }),
        notice: { message: 'Attendance saved and audited.', type: 'success' },
      };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return { record: context.record?.toJSON(context.currentAdmin) ?? { params: payloadOf(request), errors: {} }, notice: { message: err.message, type: 'error' } };
    }
  };
}

export function attendanceResource(marks: MarksService): ResourceWithOptions {
  return {
    resource: new ScopedResource(AttendanceLog, {
      resourceId: 'AttendanceLog',
      scope: (filter, user, context) => {
        const chosen = (context as ClassFilterContext).classGroupFilter;
        let ids = groupScope(user);
        if (chosen !== undefined) ids = ids === null ? [chosen] : ids.filter((i) => i === chosen);
        if (ids !== null) filter.filters.student = { path: 'student', value: '', custom: { classGroupId: In(nonEmpty(ids)) } } as never;
      },
    }),
    options: {
      id: 'AttendanceLog',
      navigation: { name: 'Attendance', icon: 'CheckSquare' },
      sort: { sortBy: 'markedAt', direction: 'desc' },
      listProperties: ['day', 'markedAt', 'studentId', 'status', 'slot', 'source', 'confidence', 'cameraId'],
      filterProperties: ['day', 'markedAt', 'classGroupId', 'studentId', 'status', 'source', 'cameraId'],
      showProperties: ['id', 'studentId', 'day', 'slot', 'status', 'markedAt', 'source', 'confidence', 'cameraId', 'classSessionId', 'markedById', 'note', 'createdAt'],
      editProperties: ['status', 'note'],
      properties: {
        status: { availableValues: options(ATTENDANCE_STATUSES) },
        source: { availableValues: options(ATTENDANCE_SOURCES) },
        day: { description: 'YYYY-MM-DD; empty = today' },
        slot: { description: '"day", or "session:<timetable id>"; empty = day' },
        classGroupId: { type: 'reference', reference: 'ClassGroup', isVisible: { list: false, show: false, edit: false, filter: true } },
      },
      actions: {
        ...standardActions('AttendanceLog'),
        list: { isAccessible: allowed('AttendanceLog', 'list'), before: takeClassFilter },
        new: {
          isAccessible: allowed('AttendanceLog', 'new'),
          layout: ['studentId', 'day', 'slot', 'status', 'note'],
          handler: formAction((request, context) => {
            const p = payloadOf(request);
            const user = userOf(context);
            return marks.mark({ studentId: Number(p.studentId), day: String(p.day ?? ''), slot: String(p.slot ?? ''), status: String(p.status ?? ''), note: p.note ? String(p.note) : null }, auditActor(user), groupScope(user));
          }),
        },
        edit: {
          isAccessible: allowed('AttendanceLog', 'edit'),
          handler: formAction(async (request, context) => {
            const p = payloadOf(request);
            const id = Number(context.record!.id());
            await marks.correct(id, { status: String(p.status ?? ''), note: p.note === undefined ? undefined : String(p.note) }, auditActor(userOf(context)));
            return id;
          }),
        },
        exportCsv: {
          actionType: 'resource',
          icon: 'Download',
          component: Components.ExportCsv,
          // In a drawer AdminJS keeps the list's query string, so the export starts from the list's filters.
          showInDrawer: true,
          isAccessible: allowed('AttendanceLog', 'exportCsv'),
          handler: async () => ({}),
        },
      },
    },
  };
}
