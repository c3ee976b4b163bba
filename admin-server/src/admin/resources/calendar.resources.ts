import { ValidationError, type ActionRequest, type ResourceWithOptions } from 'adminjs';
import { AbsenceReason, CALENDAR_KINDS, CalendarEntry } from '@attendance/shared';
import { checkCalendarEntry } from '../../services/calendar.service.js';
import { ScopedResource } from '../scoped-resource.js';
import { payloadOf, standardActions, uncheckedIsFalse } from './common.js';

const KIND_LABELS: Record<(typeof CALENDAR_KINDS)[number], string> = {
  term: 'Term (school runs)', holiday: 'Holiday (no lessons)', closure: 'Closure (no lessons)', exception: 'Class exception (a trip: no lessons for one class)',
};

/** A calendar entry is checked before it is saved: dates, order, and a class group only on an exception. */
async function checkEntry(request: ActionRequest): Promise<ActionRequest> {
  if (request.method !== 'post') return request;
  const p = payloadOf(request);
  const errors = checkCalendarEntry({ kind: p.kind, startDay: p.startDay, endDay: p.endDay, classGroupId: p.classGroupId ?? null });
  if (Object.keys(errors).length) throw new ValidationError(Object.fromEntries(Object.entries(errors).map(([k, message]) => [k, { message }])));
  return { ...request, payload: { ...p, classGroupId: p.classGroupId === '' ? null : p.classGroupId } };
}

/** The school calendar: terms, holidays, closures and per-class exceptions; reports skip the days without lessons. */
export function calendarEntryResource(): ResourceWithOptions {
  return {
    resource: new ScopedResource(CalendarEntry, { resourceId: 'CalendarEntry' }),
    options: {
      id: 'CalendarEntry',
      navigation: { name: 'School', icon: 'Users' },
      sort: { sortBy: 'startDay', direction: 'desc' },
      listProperties: ['kind', 'name', 'startDay', 'endDay', 'classGroupId'],
      filterProperties: ['kind', 'name', 'startDay', 'classGroupId'],
      editProperties: ['kind', 'name', 'startDay', 'endDay', 'classGroupId'],
      properties: {
        kind: { availableValues: CALENDAR_KINDS.map((value) => ({ value, label: KIND_LABELS[value] })) },
        startDay: { description: 'First day, YYYY-MM-DD' },
        endDay: { description: 'Last day (the same as the first for one day), YYYY-MM-DD' },
        classGroupId: { description: 'Only for a class exception (a trip)' },
      },
      actions: { ...standardActions('CalendarEntry'), new: { ...standardActions('CalendarEntry').new, before: checkEntry }, edit: { ...standardActions('CalendarEntry').edit, before: checkEntry } },
    },
  };
}

/** Reasons a teacher can give for an absence; retired (Active off), never deleted. */
export function absenceReasonResource(): ResourceWithOptions {
  return {
    resource: new ScopedResource(AbsenceReason, { resourceId: 'AbsenceReason' }),
    options: {
      id: 'AbsenceReason',
      navigation: { name: 'School', icon: 'Users' },
      sort: { sortBy: 'label', direction: 'asc' },
      listProperties: ['label', 'code', 'excused', 'active'],
      editProperties: ['label', 'code', 'excused', 'active'],
      properties: {
        code: { description: 'Short code in exports, e.g. illness' },
        excused: { description: 'An absence with this reason is excused (does not lower the attendance rate)' },
      },
      actions: { ...standardActions('AbsenceReason'), new: { ...standardActions('AbsenceReason').new, before: uncheckedIsFalse('excused', 'active') } },
    },
  };
}
