import React from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { Box, Button, H2, H3, Icon } from '@adminjs/design-system';
import {
  Breadcrumbs, actionHref, buildActionClickHandler, buildActionTestId, useActionResponseHandler, useFilterDrawer, useModal, useTranslation,
  type ActionHeaderProps, type ActionJSON,
} from 'adminjs';

/**
 * Replaces AdminJS's action header, which put every record action in one unwrapping row (on a student,
 * "Register face" ended up past the right edge) under a generic title ("Show"). Here the title names the
 * record, the record page shows Edit and the actions marked `custom.primary` as buttons and the rest in a
 * "More actions" menu, everything wraps at any width, and an action's own page repeats no other action.
 */
const ActionHeader: React.FC<ActionHeaderProps> = ({ resource, record, action, toggleFilter, actionPerformed, tag, omitActions }) => {
  const { translateAction, translateButton, translateLabel } = useTranslation();
  const translateFunctions = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const modalFunctions = useModal();
  const actionResponseHandler = useActionResponseHandler(actionPerformed);
  const { toggleFilter: openFilter, filtersCount } = useFilterDrawer();
  if (action.hideActionHeader) return null;

  const params = { resourceId: resource.id, recordId: record?.id };
  const label = (a: ActionJSON) => translateAction(a.label, resource.id);
  const title = record
    ? (action.name === 'show' ? record.title : `${label(action)}: ${record.title}`)
    : action.name === 'list' ? translateLabel(resource.name, resource.id) : label(action);

  // Record pages list the record's actions; an action's own page (edit, live view…) only its title.
  // A list also offers its resource's own actions (Export CSV, Create SIS API key…).
  const others = record
    ? (action.name === 'show' ? record.recordActions.filter((a) => a.name !== 'show') : [])
    : resource.resourceActions.filter((a) => a.name !== action.name && (a.name === 'new' || (action.showResourceActions && a.name !== 'list')));
  const isPrimary = (a: ActionJSON) => a.actionType === 'resource' || a.name === 'edit' || a.custom?.primary === true;
  const primary = others.filter(isPrimary).sort((a, b) => Number(b.custom?.primary === true) - Number(a.custom?.primary === true));
  // Everyday actions first, the ones that delete or withdraw last.
  const more = others.filter((a) => !isPrimary(a)).sort((a, b) => Number(a.variant === 'danger') - Number(b.variant === 'danger'));

  const click = (a: ActionJSON) => (event: React.MouseEvent) => buildActionClickHandler({
    action: a, params, actionResponseHandler, navigate, location, translateFunctions, modalFunctions,
  })(event);
  const href = (a: ActionJSON) => actionHref(a, params) ?? undefined;
  const Heading = action.showInDrawer ? H3 : H2;

  return (
    <Box data-css="fa-action-header" mb={action.showInDrawer ? 'xl' : 'lg'} px={['default', 0]}>
      {!action.showInDrawer && <Breadcrumbs resource={resource} actionName={action.name} record={record} />}
      <Box flex flexDirection="row" flexWrap="wrap" alignItems="center" justifyContent="space-between" style={{ gap: 12 }} mt={action.showInDrawer ? 0 : 'lg'}>
        <Heading mb={0} data-testid="page-title" style={{ overflowWrap: 'anywhere', minWidth: 0 }}>
          {title}{tag ? <small style={{ marginLeft: 8, fontSize: 14, fontWeight: 400 }}>{tag}</small> : null}
        </Heading>
        {!omitActions && (
          <Box flex flexWrap="wrap" alignItems="center" style={{ gap: 8 }} data-testid="page-actions">
            {primary.map((a, i) => (
              <Button key={a.name} as="a" href={href(a)} onClick={click(a)} size="sm" variant={i === 0 && a.custom?.primary ? 'contained' : 'outlined'}
                data-testid={buildActionTestId(a)}>
                {a.icon ? <Icon icon={a.icon} /> : null}{label(a)}
              </Button>
            ))}
            {more.length > 0 && <MoreMenu actions={more} label={label} href={href} click={click} />}
            {toggleFilter && (
              <Button size="sm" variant="outlined" onClick={openFilter} data-testid="filter-button">
                <Icon icon="Filter" />{translateButton(filtersCount > 0 ? 'filterActive' : 'filter', resource.id, { count: filtersCount })}
              </Button>
            )}
          </Box>
        )}
      </Box>
    </Box>
  );
};

/** A plain disclosure menu: opens on click or tap (not hover), and its items stay inside the viewport. */
function MoreMenu({ actions, label, href, click }: {
  actions: ActionJSON[]; label: (a: ActionJSON) => string; href: (a: ActionJSON) => string | undefined; click: (a: ActionJSON) => (e: React.MouseEvent) => void;
}) {
  const ref = React.useRef<HTMLDetailsElement>(null);
  const close = () => { if (ref.current) ref.current.open = false; };
  // Opens leftwards from its button, unless that would cross the left edge (a narrow, wrapped header).
  const place = () => {
    const menu = ref.current?.querySelector('ul');
    if (!menu || !ref.current?.open) return;
    Object.assign(menu.style, { left: 'auto', right: '0' });
    if (menu.getBoundingClientRect().left < 8) Object.assign(menu.style, { left: '0', right: 'auto' });
  };
  return (
    <details ref={ref} data-testid="more-actions" style={{ position: 'relative' }} onToggle={place}>
      <summary style={{ listStyle: 'none', cursor: 'pointer', padding: '6px 12px', border: '1px solid #c0c0ca', borderRadius: 4, fontSize: 14, userSelect: 'none' }}>
        More actions ▾
      </summary>
      <ul role="menu" style={{
        position: 'absolute', right: 0, zIndex: 20, margin: '4px 0 0', padding: 4, listStyle: 'none', background: '#fff',
        border: '1px solid #dcdce4', borderRadius: 4, boxShadow: '0 4px 12px rgba(0,0,0,.12)', minWidth: 220, maxWidth: 'calc(100vw - 32px)',
      }}>
        {actions.map((a) => (
          <li key={a.name} role="none">
            <a role="menuitem" href={href(a)} data-testid={buildActionTestId(a)} onClick={(e) => { close(); click(a)(e); }}
              style={{ display: 'flex', gap: 8, alignItems: 'center', padding: '8px 12px', color: a.variant === 'danger' ? '#b42318' : '#1c1c38', textDecoration: 'none' }}>
              {a.icon ? <Icon icon={a.icon} /> : null}{label(a)}
            </a>
          </li>
        ))}
      </ul>
    </details>
  );
}

export default ActionHeader;
