import { InitialSchema1763800000000 } from './1763800000000-initial-schema.js';
import { StudentPresence1763900000000 } from './1763900000000-student-presence.js';
import { Consents1763950000000 } from './1763950000000-consents.js';
import { Retention1764000000000 } from './1764000000000-retention.js';
import { GalleryOutbox1764100000000 } from './1764100000000-gallery-outbox.js';
import { RosterWebhooks1765200000000 } from './1765200000000-roster-webhooks.js';
import { RegisterCalendar1765100000000 } from './1765100000000-register-calendar.js';
import { SchooldayAttendanceEvents1795981080901 } from './1795981080901-schoolday-attendance-events.js';
import { SchooldayYears1795981347560 } from './1795981347560-schoolday-years.js';
import { SchooldayLessonRoom1795981616153 } from './1795981616153-schoolday-lesson-room.js';

/** Every migration, in order. New ones are appended here. */
export const MIGRATIONS = [InitialSchema1763800000000, StudentPresence1763900000000, Consents1763950000000, Retention1764000000000, GalleryOutbox1764100000000, RegisterCalendar1765100000000, RosterWebhooks1765200000000,
  SchooldayAttendanceEvents1795981080901, SchooldayYears1795981347560, SchooldayLessonRoom1795981616153];
