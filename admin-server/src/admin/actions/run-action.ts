import type { ActionContext, ActionRequest, RecordActionResponse } from 'adminjs';
import { AppError, createLogger } from '@attendance/shared';

const log = createLogger('admin-actions');

/**
 * A record action that changes something: GET only shows the record (the confirm screen), POST
 * does the work. AdminJS calls custom actions with GET from its buttons, and a GET that erases data
 * could be triggered by a link; our confirm component posts instead. Known errors become a notice.
 */
export function postOnly(work: (request: ActionRequest, context: ActionContext) => Promise<string>) {
  return async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<RecordActionResponse> => {
    const record = context.record!.toJSON(context.currentAdmin);
    if (request.method !== 'post') return { record };
    try {
      const message = await work(request, context);
      return { record: context.record!.toJSON(context.currentAdmin), notice: { message, type: 'success' } };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      log.warn({ action: context.action.name, recordId: record.id, code: err.code, error: err.message }, 'action failed');
      return { record, notice: { message: err.message, type: 'error' } };
    }
  };
}
