import { ValidationError, type ActionContext, type ActionRequest, type ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { ClassGroup, ClassSession } from '@attendance/shared';
import { lessonFieldErrors } from '../../services/timetable.js';
import { Components } from '../component-loader.js';
import { ScopedResource } from '../scoped-resource.js';
import { groupScoped, payloadOf, standardActions } from './common.js';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export function classGroupResource(): ResourceWithOptions {
  return {
    resource: new ScopedResource(ClassGroup, { resourceId: 'ClassGroup', scope: groupScoped('id') }),
    options: {
      navigation: { name: 'School', icon: 'Users' },
      sort: { sortBy: 'name', direction: 'asc' },
      listProperties: ['name', 'description', 'teacherId'],
      editProperties: ['name', 'description', 'teacherId'],
      // AdminJS's teacher filter would search the admin-only users.
      filterProperties: ['name', 'description'],
      properties: {
        teacherId: { components: { edit: Components.TeacherPicker, list: Components.TeacherName, show: Components.TeacherName } },
      },
      actions: standardActions('ClassGroup'),
    },
  };
}

/**
 * A lesson is checked before it is saved: 24-hour times ("3pm" would be stored and never match a clock),
 * the end after the start, no overlap with another lesson of the class or in the same room (camera).
 */
const checkLesson = (ds: DataSource) => async (request: ActionRequest, context: ActionContext): Promise<ActionRequest> => {
  if (request.method !== 'post') return request;
  const p = payloadOf(request);
  const current = context.record?.params ?? {};
  const value = (k: string) => String(p[k] ?? current[k] ?? '').trim();
  const errors = await lessonFieldErrors(ds.manager, {
    id: context.record ? Number(context.record.id()) : undefined,
    classGroupId: Number(value('classGroupId')), cameraId: value('cameraId') ? Number(value('cameraId')) : null, room: value('room') || null,
    weekday: Number(value('weekday')), startTime: value('startTime'), endTime: value('endTime'),
  });
  if (Object.keys(errors).length) throw new ValidationError(Object.fromEntries(Object.entries(errors).map(([k, message]) => [k, { message }])));
  return { ...request, payload: { ...p, startTime: value('startTime'), endTime: value('endTime'), room: value('room') || null } };
};

/** The timetable: one row per weekly lesson of a class group in front of a camera. */
export function classSessionResource(ds: DataSource): ResourceWithOptions {
  return {
    resource: new ScopedResource(ClassSession, { resourceId: 'ClassSession', scope: groupScoped('classGroupId') }),
    options: {
      id: 'ClassSession',
      navigation: { name: 'School', icon: 'Users' },
      sort: { sortBy: 'weekday', direction: 'asc' },
      listProperties: ['classGroupId', 'subject', 'weekday', 'startTime', 'endTime', 'lateAfterMinutes', 'cameraId', 'room'],
      filterProperties: ['classGroupId', 'weekday', 'cameraId', 'room', 'subject'],
      editProperties: ['classGroupId', 'subject', 'weekday', 'startTime', 'endTime', 'lateAfterMinutes', 'cameraId', 'room'],
      properties: {
        weekday: { availableValues: WEEKDAYS.map((label, i) => ({ value: String(i + 1), label })) },
        startTime: { description: '24-hour HH:MM (e.g. 08:30 or 15:00), school time zone' },
        endTime: { description: '24-hour HH:MM, after the start' },
        room: { description: 'Or, instead of a camera: the room (as on its cameras); every camera of that room runs the lesson' },
      },
      actions: {
        ...standardActions('ClassSession'),
        new: { ...standardActions('ClassSession').new, before: checkLesson(ds) },
        edit: { ...standardActions('ClassSession').edit, before: checkLesson(ds) },
      },
    },
  };
}
