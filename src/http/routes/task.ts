/** `GET /fhir/Task/:id`: a submission's status, for the client that sent it and nobody else. */
import type { Request, Response } from 'express';
import { clientOf, requireScope } from '../context';
import { logFields } from '../logging';
import { HttpError, sendResource } from '../respond';
import { submissionTask } from '../task';
import { SCOPE_READ, SCOPE_WRITE, type AppDeps } from '../types';

const ID = /^[A-Za-z0-9-.]{1,64}$/;

export function taskHandler(deps: AppDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const client = clientOf(req);
    requireScope(client, [SCOPE_READ, SCOPE_WRITE]);
    const id = String(req.params.id);
    const record = ID.test(id) ? await deps.store.getSubmission(id) : undefined;
    // Another client's submission is answered exactly like an unknown one: ids reveal nothing.
    if (!record || record.clientId !== client.clientId) {
      throw new HttpError(404, 'not-found', `Task/${ID.test(id) ? id : '<invalid id>'} is not known`);
    }
    Object.assign(logFields(res), { submissionId: record.id });
    sendResource(res, 200, submissionTask(record), { 'Last-Modified': new Date(record.updatedAt).toUTCString() });
  };
}
