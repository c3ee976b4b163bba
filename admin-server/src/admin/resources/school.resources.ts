import type { ResourceWithOptions } from 'adminjs';
import { ClassGroup, ClassSession } from '@attendance/shared';
import { ScopedResource } from '../scoped-resource.js';
import { groupScoped, standardActions } from './common.js';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export function classGroupResource(): ResourceWithOptions {
  return {
    resource: new ScopedResource(ClassGroup, { resourceId: 'ClassGroup', scope: groupScoped('id') }),
    options: {
      navigation: { name: 'School', icon: 'Users' },
      sort: { sortBy: 'name', direction: 'asc' },
      listProperties: ['name', 'description', 'teacherId'],
      editProperties: ['name', 'description', 'teacherId'],
      actions: standardActions('ClassGroup'),
    },
  };
}

/** The timetable: one row per weekly lesson of a class group in front of a camera. */
export function classSessionResource(): ResourceWithOptions {
  return {
    resource: new ScopedResource(ClassSession, { resourceId: 'ClassSession', scope: groupScoped('classGroupId') }),
    options: {
      id: 'ClassSession',
      navigation: { name: 'School', icon: 'Users' },
      sort: { sortBy: 'weekday', direction: 'asc' },
      listProperties: ['classGroupId', 'subject', 'weekday', 'startTime', 'endTime', 'lateAfterMinutes', 'cameraId'],
      filterProperties: ['classGroupId', 'weekday', 'cameraId', 'subject'],
      editProperties: ['classGroupId', 'subject', 'weekday', 'startTime', 'endTime', 'lateAfterMinutes', 'cameraId'],
      properties: {
        weekday: { availableValues: WEEKDAYS.map((label, i) => ({ value: String(i + 1), label })) },
        startTime: { description: 'HH:MM, school time zone' },
        endTime: { description: 'HH:MM, school time zone' },
      },
      actions: standardActions('ClassSession'),
    },
  };
}
