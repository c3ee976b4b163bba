import type { ResourceWithOptions } from 'adminjs';
import { StudentPresence } from '@attendance/shared';
import { ScopedResource } from '../scoped-resource.js';
import { restrictFilter, standardActions } from './common.js';

/**
 * First and last seen per student, day and camera (entry and exit), written by the engine beside the
 * attendance mark. Read-only; a teacher sees the cameras of their rooms.
 */
export function presenceResource(): ResourceWithOptions {
  return {
    resource: new ScopedResource(StudentPresence, {
      scope: (filter, user) => restrictFilter(filter, 'cameraId', user.role === 'teacher' ? user.cameraIds : null),
    }),
    options: {
      id: 'StudentPresence',
      navigation: { name: 'Attendance', icon: 'CheckSquare' },
      sort: { sortBy: 'lastSeenAt', direction: 'desc' },
      listProperties: ['day', 'studentId', 'cameraId', 'firstSeenAt', 'lastSeenAt'],
      filterProperties: ['day', 'studentId', 'cameraId'],
      showProperties: ['day', 'studentId', 'cameraId', 'firstSeenAt', 'lastSeenAt'],
      properties: { cameraKey: { isVisible: false } },
      actions: standardActions('StudentPresence'),
    },
  };
}
