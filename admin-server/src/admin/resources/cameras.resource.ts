import { ValidationError, type ActionContext, type ActionRequest, type ActionResponse, type RecordJSON, type ResourceWithOptions } from 'adminjs';
import { AppError, Camera, redactUrl } from '@attendance/shared';
import { postOnly } from '../actions/run-action.js';
import { Components } from '../component-loader.js';
import type { AdminDeps } from '../deps.js';
import { ScopedResource } from '../scoped-resource.js';
import { allowed, standardActions, userOf } from './common.js';

/** The source forms the engine opens (its parseSource): anything else is refused with a sentence, not saved to fail later. */
const CAMERA_SOURCE = /^((rtsps?|https?):\/\/[^\s/?#]+\S*|usb:\d{1,2}|file:\S+)$/i;

async function checkSource(request: ActionRequest): Promise<ActionRequest> {
  const source = (request.payload as Record<string, unknown> | undefined)?.source;
  if (request.method === 'post' && source !== undefined && !CAMERA_SOURCE.test(String(source).trim())) {
    throw new ValidationError({ source: { message: 'Not a camera address. Use rtsp://user:password@camera-address/path (or http:// or https://), usb:0 for a camera plugged into the server, or file:/path/video.mp4.' } });
  }
  return request;
}

/** Cameras with their live status (the engine writes it); teachers see and drive their rooms' cameras. */
export function cameraResource(deps: AdminDeps): ResourceWithOptions {
  const detection = (start: boolean) => postOnly(async (_request, context) => {
    const user = userOf(context);
    const id = Number(context.record!.id());
    const token = await deps.engineToken(user);
    if (start) await deps.engine.startDetection(token, id);
    else await deps.engine.stopDetection(token, id);
    return `Detection ${start ? 'starting' : 'stopping'} on ${String(context.record!.params.name)}.`;
  });
  // The engine's own view (running, reconnecting…) next to the status it last wrote to the database.
  const withLiveState = async (response: ActionResponse, _req: ActionRequest, context: ActionContext): Promise<ActionResponse> => {
    const records: RecordJSON[] = response.records ?? (response.record ? [response.record] : []);
    let live: Map<number, { state: string; engine: string | null }> | null = null;
    try {
      const status = await deps.engine.detectionStatus(await deps.engineToken(userOf(context)));
      live = new Map(status.cameras.map((c) => [c.camera_id, { state: c.state, engine: c.engine ?? null }]));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
    }
    for (const r of records) {
      const c = live?.get(Number(r.id));
      r.params.engineState = live ? (c?.state ?? 'not running') : 'engine offline';
      // Several engines: the one holding the camera's lease runs it.
      r.params.runsOn = live ? (c?.engine ?? '—') : '—';
    }
    return response;
  };
  return {
    resource: new ScopedResource(Camera, {
      resourceId: 'Camera',
      // Credentials in an RTSP URL are for the engine, not for a teacher's list, search or reference.
      redactForTeachers: { source: redactUrl },
    }),
    options: {
      navigation: { name: 'Cameras', icon: 'Camera' },
      sort: { sortBy: 'name', direction: 'asc' },
      listProperties: ['name', 'room', 'enabled', 'engineState', 'runsOn', 'status', 'statusDetail', 'statusAt'],
      showProperties: ['id', 'name', 'room', 'source', 'enabled', 'engineState', 'runsOn', 'status', 'statusDetail', 'statusAt', 'createdAt'],
      editProperties: ['name', 'room', 'source', 'enabled'],
      properties: {
        source: { description: 'rtsp://user:pass@host/path, usb:0 or file:/path/video.mp4' },
        engineState: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } },
        runsOn: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } },
        status: { availableValues: ['stopped', 'starting', 'running', 'reconnecting', 'failed'].map((v) => ({ value: v, label: v })) },
      },
      actions: {
        ...standardActions('Camera'),
        new: { isAccessible: allowed('Camera', 'new'), before: checkSource },
        edit: { isAccessible: allowed('Camera', 'edit'), before: checkSource },
        list: { isAccessible: allowed('Camera', 'list'), after: withLiveState },
        show: { isAccessible: allowed('Camera', 'show'), after: withLiveState },
        liveView: {
          actionType: 'record', icon: 'Monitor', component: Components.LiveView, custom: { primary: true },
          isAccessible: allowed('Camera', 'liveView'),
          handler: async (_request, _response, context) => ({ record: context.record!.toJSON(context.currentAdmin) }),
        },
        startDetection: {
          actionType: 'record', icon: 'Play', component: Components.ConfirmAction,
          isAccessible: allowed('Camera', 'startDetection'),
          custom: { message: 'Start face detection on this camera now?', button: 'Start detection' },
          handler: detection(true),
        },
        stopDetection: {
          actionType: 'record', icon: 'Square', component: Components.ConfirmAction,
          isAccessible: allowed('Camera', 'stopDetection'),
          custom: { message: 'Stop face detection on this camera?', button: 'Stop detection' },
          handler: detection(false),
        },
      },
    },
  };
}
