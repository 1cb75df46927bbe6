import { describe, expect, it } from 'vitest';
import { useServe } from './serve-harness.test-support.ts';

const serve = useServe();

describe('/mock/faults (with --mock-providers)', () => {
  it('breaks and heals a mock provider with the body POST /__faults takes', async () => {
    const h = await serve({ paused: true });
    const broken = await h.request({
      method: 'POST',
      url: '/mock/faults',
      payload: { elevenlabs: { outages: [{ afterMs: 0 }] } },
    });
    expect(broken.statusCode).toBe(200);
    expect(broken.json().faults.elevenlabs.outages).toHaveLength(1);
    expect(h.mock.faults).toMatchObject({ elevenlabs: { outages: [{ from: h.clock.now() }] } });
    const healed = await h.request({
      method: 'POST',
      url: '/mock/faults',
      payload: { elevenlabs: null },
    });
    expect(healed.json().faults.elevenlabs.outages).toEqual([]);
    expect((await h.request({ method: 'GET', url: '/mock/faults' })).json()).toEqual(healed.json());
  });

  it.each([
    [{ elevenlab: null }, /invalid faults/],
    [{}, /names no provider/],
    [{ twilio: { script: ['no_such_error'] } }, /twilio has no error named 'no_such_error'/],
  ])('refuses %j with 400', async (payload, message) => {
    const h = await serve({ paused: true });
    const response = await h.request({ method: 'POST', url: '/mock/faults', payload });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: 'bad_request',
      message: expect.stringMatching(message),
    });
  });
});
