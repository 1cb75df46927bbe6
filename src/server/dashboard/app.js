import { api, ApiError, onUnauthorized, setToken, token } from './api.js';
import { contactsTable } from './contacts.js';
import { eventFeed } from './feed.js';
import { connectEvents } from './event-stream.js';
import { mockControls } from './mock.js';
import { queueProgress } from './progress.js';
import { serviceCards } from './services.js';
import { timelineCharts } from './timeline.js';

const $ = (id) => document.getElementById(id);

/** Polls `path` every `ms` and hands the answer to `show`; `now()` polls at once. */
function poll(path, ms, show) {
  let timer;
  const now = async () => {
    clearTimeout(timer);
    try {
      show(await api(path));
    } catch (error) {
      if (!(error instanceof ApiError)) console.warn(path, error);
    } finally {
      timer = setTimeout(now, ms);
    }
  };
  return now;
}

function askForToken(message) {
  $('dashboard').hidden = true;
  $('token-form').hidden = false;
  $('token-error').hidden = !message;
  $('token-error').textContent = message ?? '';
  $('token').focus();
}

let started = false;

async function start() {
  // one request tells whether the token (or its absence) is accepted
  try {
    await api('/campaign');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      askForToken(token() ? 'That token was refused.' : undefined);
      return;
    }
    throw error;
  }
  if (started) return;
  started = true;
  $('token-form').hidden = true;
  $('dashboard').hidden = false;
  $('forget-token').hidden = !token();

  const refresh = {};
  const changed = () => Object.values(refresh).forEach((now) => now());
  refresh.services = poll('/services', 1000, serviceCards($('services'), { onChanged: changed }));
  refresh.campaign = poll('/campaign', 1000, (campaign) => {
    $('campaign-state').textContent = campaign.paused
      ? 'paused'
      : `running, ${campaign.in_flight} in flight`;
    $('campaign-state').dataset.paused = String(campaign.paused);
    $('pause').hidden = campaign.paused;
    $('resume').hidden = !campaign.paused;
    showProgress(campaign);
  });
  const showProgress = queueProgress($('progress'), $('counts'));
  refresh.contacts = poll(
    '/calls?limit=20',
    2000,
    contactsTable($('contacts').tBodies[0], { onChanged: changed }),
  );
  refresh.timeline = poll('/services/timeline', 2000, timelineCharts($('charts')));
  try {
    const showMock = mockControls($('mock'), { onChanged: changed });
    showMock(await api('/mock/faults'));
    $('mock-section').hidden = false;
    refresh.mock = poll('/mock/faults', 3000, showMock);
  } catch {
    // no mock providers: no controls
  }
  for (const now of Object.values(refresh)) now();

  $('pause').addEventListener('click', () =>
    api('/campaign/pause', { method: 'POST' }).then(changed),
  );
  $('resume').addEventListener('click', () =>
    api('/campaign/resume', { method: 'POST' }).then(changed),
  );

  const feed = eventFeed($('feed'));
  connectEvents('/events', {
    onEvent: (type, data, id) => {
      feed(type, data, id);
      if (data.event === 'circuit_state_changed') refresh.services();
    },
    onStatus: (status) => {
      $('stream-state').textContent = status;
      $('stream-state').dataset.status = status;
    },
  });
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  setToken($('token').value.trim());
  $('token').value = '';
  void start();
});
$('forget-token').addEventListener('click', () => {
  setToken(undefined);
  location.reload();
});
onUnauthorized(() => {
  if (started) askForToken('The token was refused: enter it again.');
});
void start();
