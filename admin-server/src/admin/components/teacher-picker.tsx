import React, { useEffect, useState } from 'react';
import { FormGroup, FormMessage, Label } from '@adminjs/design-system';
import type { EditPropertyProps } from 'adminjs';

interface Teacher { id: number; label: string }

/**
 * A class group's teacher, chosen by name from GET /api/teachers (open to staff, unlike the users
 * themselves): AdminJS's own reference picker searched the admin-only users (empty for staff) and
 * listed usernames.
 */
const TeacherPicker: React.FC<EditPropertyProps> = ({ property, record, onChange }) => {
  const [teachers, setTeachers] = useState<Teacher[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch('/api/teachers').then(async (r) => {
      const body = await r.json();
      if (r.ok) setTeachers(body.teachers); else setError(body.message ?? `teachers could not be loaded (${r.status})`);
    }, (e: Error) => setError(e.message));
  }, []);
  const value = record?.params?.[property.path] ?? '';
  return (
    <FormGroup error={Boolean(record?.errors?.[property.path] || error)}>
      <Label htmlFor="teacher-picker">{property.label}</Label>
      <select id="teacher-picker" data-testid="teacher-picker" value={String(value ?? '')} disabled={!teachers}
        onChange={(e) => onChange(property.path, e.target.value === '' ? null : Number(e.target.value))}
        style={{ display: 'block', width: '100%', maxWidth: 480, padding: 8, fontSize: 14 }}>
        <option value="">{teachers ? 'No teacher' : 'Loading teachers…'}</option>
        {teachers?.map((t) => <option key={t.id} value={t.id}>{t.label}</option>)}
      </select>
      <FormMessage>{error ?? record?.errors?.[property.path]?.message}</FormMessage>
    </FormGroup>
  );
};

export default TeacherPicker;
