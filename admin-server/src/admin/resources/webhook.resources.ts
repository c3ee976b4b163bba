import { ValidationError, type ActionRequest, type ResourceWithOptions } from 'adminjs';
import { AppError, WEBHOOK_EVENTS, WebhookDelivery, WebhookEndpoint } from '@attendance/shared';
import { checkEndpoint, newWebhookSecret } from '../../services/webhook.service.js';
import { ScopedResource } from '../scoped-resource.js';
import { payloadOf, standardActions } from './common.js';

/** URL and events are checked; an empty secret on a new endpoint gets a random one (shown on its page). */
async function checkWebhook(request: ActionRequest): Promise<ActionRequest> {
  if (request.method !== 'post') return request;
  const p = payloadOf(request);
  try {
    checkEndpoint({ url: p.url, events: p.events });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const { message } = err;
    throw new ValidationError({ [/events/.test(message) ? 'events' : 'url']: { message } });
  }
  return { ...request, payload: { ...p, secret: typeof p.secret === 'string' && p.secret.length >= 16 ? p.secret : newWebhookSecret() } };
}

/** Where "student absent", "student late" and "register confirmed" are sent, signed (admins only). */
export function webhookEndpointResource(): ResourceWithOptions {
  const std = standardActions('WebhookEndpoint');
  return {
    resource: new ScopedResource(WebhookEndpoint, { resourceId: 'WebhookEndpoint' }),
    options: {
      id: 'WebhookEndpoint',
      navigation: { name: 'Administration', icon: 'Settings' },
      listProperties: ['name', 'url', 'events', 'active', 'createdAt'],
      showProperties: ['id', 'name', 'url', 'events', 'secret', 'active', 'createdAt'],
      editProperties: ['name', 'url', 'events', 'secret', 'active'],
      properties: {
        events: { description: `Comma-separated: ${WEBHOOK_EVENTS.join(', ')}` },
        secret: { description: 'The receiver checks X-Attendance-Signature with it (README, "Webhooks"). Leave empty on a new endpoint for a random one.' },
      },
      actions: { ...std, new: { ...std.new, before: checkWebhook }, edit: { ...std.edit, before: checkWebhook } },
    },
  };
}

/** The delivery log: each event sent to each endpoint, its tries and the last answer. */
export function webhookDeliveryResource(): ResourceWithOptions {
  return {
    resource: new ScopedResource(WebhookDelivery, { resourceId: 'WebhookDelivery' }),
    options: {
      id: 'WebhookDelivery',
      navigation: { name: 'Administration', icon: 'Settings' },
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['createdAt', 'endpointId', 'event', 'status', 'attempts', 'lastStatusCode', 'lastError'],
      filterProperties: ['endpointId', 'event', 'status', 'createdAt'],
      properties: { payload: { type: 'textarea' } },
      actions: standardActions('WebhookDelivery'),
    },
  };
}
