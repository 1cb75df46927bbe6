import { describe, expect, it } from 'vitest';
import { isTimeoutError, VirtualClock } from '../../resilience/index.ts';
import { expectNoSecrets, failure } from '../contract/contract-harness.ts';
import { contractRecord, describeCrmContract } from '../contract/crm-contract.ts';
import { mockHarness } from '../contract/mock-harness.ts';
import { fetchClient } from '../http/http-client.ts';
import { createInProcessClient, IN_PROCESS_ORIGIN } from '../mock/in-process-client.ts';
import { MockProviders } from '../mock/mock-providers.ts';
import { HubSpotCrm } from './hubspot-crm.ts';

const TOKEN = 'pat-na1-HUBSPOT-token-0005';
const live = (): AbortSignal => new AbortController().signal;

describeCrmContract('HubSpotCrm', () =>
  mockHarness('hubspot', [TOKEN], (baseUrl) => new HubSpotCrm({ baseUrl, accessToken: TOKEN })),
);

function inProcess(script: string[] = []) {
  const clock = new VirtualClock();
  const mock = new MockProviders({ clock, faults: { hubspot: { script } } });
  const adapter = new HubSpotCrm({
    baseUrl: mock.baseUrls(IN_PROCESS_ORIGIN).hubspot,
    accessToken: TOKEN,
    httpClient: createInProcessClient(mock),
    clock,
    ttfbMs: 1_000,
  });
  return { clock, mock, adapter };
}

describe('HubSpotCrm', () => {
  it('creates a call engagement with the outcome as properties', async () => {
    const { mock, adapter } = inProcess();
    const { id } = await adapter.recordCall({ ...contractRecord, degraded: true }, live());
    const [record] = mock.crmRecords;
    expect(record?.id).toBe(id);
    expect(record?.properties).toMatchObject({
      hs_timestamp: '2026-01-29T18:17:00.000Z',
      hs_call_status: 'QUEUED',
      hs_call_direction: 'OUTBOUND',
      hs_call_to_number: contractRecord.phone,
      hs_call_title: 'AI call to Ada Lovelace (degraded)',
      hs_call_external_id: contractRecord.callSid,
    });
    expect(record?.properties.hs_call_body).toContain(contractRecord.callSid);
  });

  /** The requests the mock answered, as `POST /search ok`. */
  const trail = (mock: MockProviders): string[] =>
    mock
      .requests('hubspot')
      .map((r) => `${r.method} ${r.path.replace('/crm/v3/objects/calls', '') || '/'} ${r.fault}`);

  it('a write whose answer was lost is searched for by its call SID, not written twice', async () => {
    const { mock, adapter } = inProcess(['accept-then-reset']);
    const lost = await failure(() => adapter.recordCall(contractRecord, live()));
    expect(lost).toMatchObject({ errorClass: 'transient' });
    const { id } = await adapter.recordCall(contractRecord, live());
    expect(mock.crmRecords.map((record) => record.id)).toEqual([id]);
    expect(trail(mock)).toEqual(['POST / accept-then-reset', 'POST /search ok']);
    const search = JSON.parse(mock.requests('hubspot')[1]?.body ?? '{}') as unknown;
    expect(search).toMatchObject({
      filterGroups: [
        {
          filters: [
            { propertyName: 'hs_call_external_id', operator: 'EQ', value: contractRecord.callSid },
          ],
        },
      ],
    });
  });

  it('a write refused outright is written again without a search: it was never processed', async () => {
    const { mock, adapter } = inProcess(['TEN_SECONDLY_ROLLING']);
    await failure(() => adapter.recordCall(contractRecord, live()));
    await adapter.recordCall(contractRecord, live());
    expect(trail(mock)).toEqual(['POST / TEN_SECONDLY_ROLLING', 'POST / ok']);
    expect(mock.crmRecords).toHaveLength(1);
  });

  it('lookUpFirst: searches, and writes the record when HubSpot has none', async () => {
    const { mock, adapter } = inProcess();
    await adapter.recordCall(contractRecord, live(), { lookUpFirst: true });
    await adapter.recordCall({ ...contractRecord, callSid: 'CA-other' }, live());
    await adapter.recordCall(contractRecord, live(), { lookUpFirst: true });
    expect(trail(mock)).toEqual(['POST /search ok', 'POST / ok', 'POST / ok', 'POST /search ok']);
    expect(mock.crmRecords).toHaveLength(2);
  });

  it('a search refused as a bad request (a gateway without the route, 400) writes the record: the look-up must not lose it', async () => {
    for (const refusal of ['404', 'VALIDATION_ERROR']) {
      const { mock, adapter } = inProcess([refusal]);
      const { id } = await adapter.recordCall(contractRecord, live(), { lookUpFirst: true });
      expect(trail(mock)).toEqual([`POST /search ${refusal}`, 'POST / ok']);
      expect(mock.crmRecords.map((record) => record.id)).toEqual([id]);
    }
  });

  it('a search that fails for a while (429, 503, garbage) fails the write, which writes nothing', async () => {
    for (const fault of ['rate-limit:2', '503', 'garbage']) {
      const { mock, adapter } = inProcess([fault]);
      const error = await failure(() =>
        adapter.recordCall(contractRecord, live(), { lookUpFirst: true }),
      );
      expect(error).toMatchObject({ errorClass: 'transient' });
      expect(mock.crmRecords).toHaveLength(0);
    }
  });

  it('TEN_SECONDLY_ROLLING is transient with a 10 s hint', async () => {
    const { adapter } = inProcess(['TEN_SECONDLY_ROLLING']);
    const error = await failure(() => adapter.recordCall(contractRecord, live()));
    expect(error).toMatchObject({
      errorClass: 'transient',
      retryAfterMs: 10_000,
      providerCode: 'TEN_SECONDLY_ROLLING',
    });
  });

  it('DAILY is permanent for the service; so is a 401', async () => {
    const { adapter } = inProcess(['DAILY', '401']);
    const daily = await failure(() => adapter.recordCall(contractRecord, live()));
    expect(daily).toMatchObject({ errorClass: 'permanent/service', providerCode: 'DAILY' });
    const unauthorized = await failure(() => adapter.recordCall(contractRecord, live()));
    expect(unauthorized).toMatchObject({ errorClass: 'permanent/service', status: 401 });
    expectNoSecrets(unauthorized, [TOKEN]);
  });

  it('strips the token when a provider or gateway echoes it back', async () => {
    const echoing = new HubSpotCrm({
      accessToken: TOKEN,
      httpClient: fetchClient(
        async () =>
          new Response(
            JSON.stringify({
              status: 'error',
              message: `token ${TOKEN} expired`,
              category: 'EXPIRED_AUTHENTICATION',
            }),
            { status: 401 },
          ),
      ),
    });
    const error = await failure(() => echoing.recordCall(contractRecord, live()));
    expect((error as Error).message).toBe('401 EXPIRED_AUTHENTICATION: token [REDACTED] expired');
    expectNoSecrets(error, [TOKEN]);
  });

  it('probes GET {base}/crm/v3/objects/calls?limit=1', async () => {
    const { mock, adapter } = inProcess();
    await adapter.probe(live());
    expect(mock.requests('hubspot')[0]).toMatchObject({
      method: 'GET',
      path: '/crm/v3/objects/calls',
      query: { limit: '1' },
    });
  });

  it('times out after ttfbMs, on the injected clock', async () => {
    const { clock, adapter } = inProcess(['slow:30000']);
    const outcome = adapter.recordCall(contractRecord, live()).catch((e: unknown) => e);
    await clock.advance(1_000);
    expect(isTimeoutError(await outcome)).toBe(true);
  });
});
