import React from 'react';
import { Label } from '@adminjs/design-system';
import type { BasePropertyProps } from 'adminjs';

/** A class group's teacher by name (display name, then username), without a link to the admin-only user page. */
const TeacherName: React.FC<BasePropertyProps> = ({ property, record, where }) => {
  const teacher = record?.populated?.[property.path]?.params as { displayName?: string | null; username?: string } | undefined;
  const name = teacher ? (teacher.displayName ? `${teacher.displayName} (${teacher.username})` : teacher.username) : '–';
  if (where === 'list') return <span data-testid="teacher-name">{name}</span>;
  return (
    <div style={{ marginBottom: 24 }}>
      <Label>{property.label}</Label>
      <span data-testid="teacher-name">{name}</span>
    </div>
  );
};

export default TeacherName;
