import type { FastifyInstance } from 'fastify';
import type { ServedAgent } from '../served-agent.ts';

/** `/campaign`: the queue's progress; pause (stop claiming; calls in flight finish) and resume. */
export function campaignRoutes(app: FastifyInstance, agent: ServedAgent): void {
  const { campaign, queue } = agent;
  const progress = async () => ({
    paused: campaign.paused,
    in_flight: campaign.inFlight,
    contacts: await queue.counts(),
    crm_outbox: await queue.outboxSize(),
  });

  app.get('/campaign', progress);

  app.post('/campaign/pause', async () => {
    if (!campaign.paused) {
      campaign.pause();
      agent.log(
        'WARNING',
        'Campaign paused: no contact is claimed until it resumes',
        'campaign_paused',
      );
    }
    return progress();
  });

  app.post('/campaign/resume', async () => {
    if (campaign.paused) {
      campaign.resume();
      agent.log('INFO', 'Campaign resumed', 'campaign_resumed');
    }
    return progress();
  });
}
