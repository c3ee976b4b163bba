import React from 'react';
import { useCurrentAdmin } from 'adminjs';
import type { ComponentType } from 'react';

/** Pages whose every action is admin-only on the server: other roles would only meet a refusal there. */
const ADMIN_PAGES = new Set(['import', 'rollover']);

interface Props { pages?: Array<{ name: string }>; OriginalComponent?: ComponentType<Props> }

/**
 * AdminJS lists every page for everyone (pages have no `isAccessible`). This drops the admin-only ones from a
 * teacher's or staff member's sidebar and hands the rest to AdminJS's own list. Hiding is for a clean menu;
 * the server's role checks are what protect the routes.
 */
const SidebarPages: React.FC<Props> = (props) => {
  const [admin] = useCurrentAdmin();
  const { OriginalComponent, pages = [] } = props;
  if (!OriginalComponent) return null;
  const isAdmin = (admin as { role?: string } | null)?.role === 'admin';
  return <OriginalComponent {...props} pages={pages.filter((p) => isAdmin || !ADMIN_PAGES.has(p.name))} />;
};

export default SidebarPages;
