import type { ResourceWithOptions } from 'adminjs';
import { StudentPresence } from '@attendance/shared';
import { ScopedResource } from '../scoped-resource.js';
import { standardActions } from './common.js';

/**
 * First and last seen per student, day and camera (entry and exit), written by the engine beside the
 * attendance mark. Read-only; a teacher sees the students of their class groups.
 */
export function presenceResource(): ResourceWithOptions {
  return {
    // A teacher sees their classes' students wherever they were seen (policy.rowScope), not a room's passers-by.
    resource: new ScopedResource(StudentPresence, { resourceId: 'StudentPresence' }),
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
