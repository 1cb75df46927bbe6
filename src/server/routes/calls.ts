import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  ContactsFileError,
  importContacts,
  maskedContactId,
  type ContactsSource,
  type ImportedContacts,
} from '../../agent/contacts/index.ts';
import type { ContactState } from '../../queue/index.ts';
import { contactDetail, contactRef, contactSummary, refKey } from '../contact-view.ts';
import { badRequest, conflict, notFound } from '../http-problem.ts';
import type { ServedAgent } from '../served-agent.ts';
import { parsed } from '../validate.ts';

const STATES = [
  'pending',
  'in_progress',
  'deferred',
  'completed',
  'failed',
] as const satisfies readonly ContactState[];

export const callsDefaults = { pageSize: 50, maxPageSize: 500 };

const listQuery = z
  .object({
    state: z.enum(STATES).optional(),
    cursor: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(callsDefaults.maxPageSize).optional(),
  })
  .strict();

const refParams = z.object({ id: z.string().min(1) });

/** Why a contact in `state` is not put back: only a failed one is. */
const NOT_REQUEUED: Readonly<Record<ContactState, string>> = {
  pending: 'it is pending already',
  deferred: 'it is deferred, not failed: it will be tried again',
  in_progress: 'it is in progress',
  completed: 'it is completed: its call was made',
  failed: 'it is failed',
};

/** A posted body by the import rules: a JSON array, or CSV bytes; 400 for anything else. */
async function importPosted(body: unknown, agent: ServedAgent): Promise<ImportedContacts> {
  const source: ContactsSource | undefined = Buffer.isBuffer(body)
    ? { text: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) }
    : Array.isArray(body)
      ? { items: body as unknown[] }
      : undefined;
  if (source === undefined) {
    throw badRequest('expected a JSON array of contacts, or a CSV body (Content-Type: text/csv)');
  }
  try {
    return await importContacts(source, { queue: agent.queue, defaultRegion: agent.defaultRegion });
  } catch (error) {
    // the CSV as a whole cannot be read (no header, not UTF-8 …)
    if (error instanceof ContactsFileError) throw badRequest(error.message);
    throw error;
  }
}

/**
 * `/calls`: contacts in (a JSON array or a CSV body, by `run`'s import rules), paged newest
 * first, one by one with its history, requeued, removed.
 */
export function callsRoutes(app: FastifyInstance, agent: ServedAgent): void {
  const { queue } = agent;

  app.post('/calls', async (request) => {
    const imported = await importPosted(request.body, agent);
    const queued = imported.enqueued?.added ?? 0;
    const duplicates = imported.enqueued?.duplicates ?? 0;
    if (queued > 0) agent.campaign.wake();
    agent.log(
      imported.errors.length > 0 ? 'WARNING' : 'INFO',
      `POST /calls: ${queued} queued (${duplicates} already in the queue, ${imported.errors.length} rejected)`,
      'contacts_posted',
    );
    return {
      queued,
      duplicates,
      rejected: imported.errors.map((error) => ({ line: error.line, reason: error.message })),
    };
  });

  app.get('/calls', async (request) => {
    const query = parsed(listQuery, request.query, 'query');
    const page = await queue.page({
      state: query.state,
      before: query.cursor,
      limit: query.limit ?? callsDefaults.pageSize,
    });
    return {
      contacts: page.contacts.map(contactSummary),
      next_cursor: page.next === undefined ? null : String(page.next),
    };
  });

  const find = async (ref: string) => {
    const contact = await queue.find(refKey(ref));
    if (contact === undefined) throw notFound(`no contact ${ref}`);
    return contact;
  };

  app.get('/calls/:id', async (request) => {
    const contact = await find(parsed(refParams, request.params, 'path').id);
    return contactDetail(contact, await agent.history.list(contact.id));
  });

  app.post('/calls/:id/requeue', async (request) => {
    const contact = await find(parsed(refParams, request.params, 'path').id);
    const result = await queue.requeue([contact.id]);
    const refused = result.notFailed[0];
    if (refused)
      throw conflict(`${contactRef(contact)}: not requeued, ${NOT_REQUEUED[refused.state]}`);
    if (result.requeued.length === 0) throw notFound(`no contact ${contactRef(contact)}`);
    agent.campaign.wake();
    agent.log('INFO', `Contact ${maskedContactId(contact.id)} requeued`, 'contact_requeued');
    return contactSummary((await queue.find({ seq: contact.seq })) ?? contact);
  });

  app.delete('/calls/:id', async (request) => {
    const contact = await find(parsed(refParams, request.params, 'path').id);
    const result = await queue.remove(contact.id);
    if (result === 'in_progress') {
      throw conflict(
        `${contactRef(contact)}: not removed, it is in progress (try again when it is done)`,
      );
    }
    if (result === 'not_found') throw notFound(`no contact ${contactRef(contact)}`);
    agent.log('INFO', `Contact ${maskedContactId(contact.id)} removed`, 'contact_removed');
    return { removed: contactRef(contact) };
  });
}
