import { expect, it } from 'vitest';
import { VirtualClock } from '../../resilience/index.ts';
import { createInProcessClient, IN_PROCESS_ORIGIN } from './in-process-client.ts';
import { MockProviders } from './mock-providers.ts';

/** The mock HubSpot over the in-process client: POST `path` with `body`, its answer parsed. */
function hubSpot() {
  const mock = new MockProviders({ clock: new VirtualClock() });
  const client = createInProcessClient(mock);
  const post = async (path: string, body: unknown): Promise<{ status: number; body: unknown }> => {
    const result = await client(
      {
        method: 'POST',
        url: `${mock.baseUrls(IN_PROCESS_ORIGIN).hubspot}/crm/v3/objects/calls${path}`,
        headers: { authorization: 'Bearer pat-token', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
      new AbortController().signal,
    );
    return { status: result.status, body: JSON.parse(Buffer.from(result.body).toString()) };
  };
  return { post };
}

const eq = (propertyName: string, value: string) => ({ propertyName, operator: 'EQ', value });

it('search: finds by EQ filters (ANDed in a group, groups ORed); any other operator is a 400', async () => {
  const { post } = hubSpot();
  const created = (sid: string) =>
    post('', { properties: { hs_timestamp: '2026-12-02T00:00:00Z', hs_call_external_id: sid } });
  const a = (await created('CA-a')).body as { id: string };
  await created('CA-b');

  const one = await post('/search', {
    filterGroups: [{ filters: [eq('hs_call_external_id', 'CA-a')] }],
  });
  expect(one).toMatchObject({ status: 200, body: { total: 1, results: [{ id: a.id }] } });
  const none = await post('/search', {
    filterGroups: [
      { filters: [eq('hs_call_external_id', 'CA-a'), eq('hs_call_external_id', 'CA-b')] },
    ],
  });
  expect(none.body).toMatchObject({ total: 0, results: [] });
  const either = await post('/search', {
    filterGroups: [
      { filters: [eq('hs_call_external_id', 'CA-a')] },
      { filters: [eq('hs_call_external_id', 'CA-b')] },
    ],
  });
  expect(either.body).toMatchObject({ total: 2 });

  // the mock does not speak IN, nor an empty group: it says so rather than match everything
  const unsupported = [
    {
      filterGroups: [
        { filters: [{ propertyName: 'hs_call_external_id', operator: 'IN', values: ['CA-a'] }] },
      ],
    },
    { filterGroups: [{ filters: [] }] },
  ];
  for (const body of unsupported) {
    expect(await post('/search', body)).toMatchObject({
      status: 400,
      body: { category: 'VALIDATION_ERROR' },
    });
  }
});
