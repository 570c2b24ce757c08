import { MediaLiveClient } from '@aws-sdk/client-medialive';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createStopOnDeleteHandler, MediaLiveChannelControl } from '../../lambda-src/live-ott-pipeline/stop-on-delete.lambda';
import { stopOnDeleteProperties } from '../../src/live-ott-pipeline/contract/stop-on-delete';
import { awsJsonError, FakeEndpoint, FakeResponse, RecordedRequest, startFakeEndpoint } from '../harness/fake-endpoint';

const channelId = '1234567';
const channelPath = `/prod/channels/${channelId}`;

/** A fake MediaLive that answers DescribeChannel with the next state of `states` (the last one repeats). */
function fakeMediaLive(states: Array<string | FakeResponse>, onStop: FakeResponse = { status: 202, body: { id: channelId, state: 'STOPPING' } }) {
  let described = 0;
  return (request: RecordedRequest): FakeResponse => {
    if (request.method === 'POST' && request.path === `${channelPath}/stop`) return onStop;
    if (request.method === 'GET' && request.path === channelPath) {
      const next = states[Math.min(described++, states.length - 1)];
      return typeof next === 'string' ? { status: 200, body: { id: channelId, state: next } } : next;
    }
    return { status: 400, body: { message: `unexpected ${request.method} ${request.path}` } };
  };
}

function deleteEvent(
  responseUrl: string,
  properties: Record<string, unknown> = { [stopOnDeleteProperties.channelId]: channelId },
): CloudFormationCustomResourceEvent {
  return {
    RequestType: 'Delete',
    ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:stop',
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Live/guid',
    RequestId: 'request-1',
    LogicalResourceId: 'StopChannelOnDelete',
    PhysicalResourceId: `stop-on-delete-${channelId}`,
    ResourceType: 'Custom::MediaLiveChannelStopOnDelete',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:stop', ...properties },
  } as CloudFormationCustomResourceEvent;
}

describe('stop-on-delete custom resource against a MediaLive API on loopback', () => {
  let mediaLive: FakeEndpoint | undefined;
  let cloudFormation: FakeEndpoint;
  let clock: number;
  let pauses: number[];

  beforeEach(async () => {
    cloudFormation = await startFakeEndpoint(() => ({ status: 200 }));
    clock = 1_000_000;
    pauses = [];
  });
  afterEach(async () => {
    await mediaLive?.close();
    await cloudFormation.close();
  });

  /** The handler wired to the real SDK client on the fake, with a virtual clock; `remainingMs` is the Lambda time left. */
  async function run(handlerFor: (request: RecordedRequest) => FakeResponse, event?: CloudFormationCustomResourceEvent, remainingMs = 600_000) {
    mediaLive = await startFakeEndpoint(handlerFor);
    const client = new MediaLiveClient({ endpoint: mediaLive.url, region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
    const handler = createStopOnDeleteHandler({
      control: new MediaLiveChannelControl(client),
      now: () => clock,
      sleep: async (ms) => {
        pauses.push(ms);
        clock += ms;
      },
      pollIntervalMs: 5_000,
    });
    const answer = await handler(event ?? deleteEvent(`${cloudFormation.url}/response?X-Amz-Signature=abc`), { getRemainingTimeInMillis: () => remainingMs });
    const sent = cloudFormation.requests
      .map((request) => ({ method: request.method, path: request.path, body: request.json as Record<string, unknown> }));
    const calls = mediaLive.requests.map((request) => `${request.method} ${request.path}`);
    return { answer, sent, calls };
  }

  test('a running channel is stopped and the delete answers SUCCESS once it is IDLE', async () => {
    const { answer, sent, calls } = await run(fakeMediaLive(['RUNNING', 'STOPPING', 'STOPPING', 'IDLE']));
    expect(calls).toEqual([`GET ${channelPath}`, `POST ${channelPath}/stop`, `GET ${channelPath}`, `GET ${channelPath}`, `GET ${channelPath}`]);
    expect(pauses).toEqual([5_000, 5_000, 5_000]);
    expect(answer.Status).toBe('SUCCESS');
    expect(sent).toEqual([{
      method: 'PUT',
      path: '/response',
      body: expect.objectContaining({ Status: 'SUCCESS', RequestId: 'request-1', LogicalResourceId: 'StopChannelOnDelete', PhysicalResourceId: `stop-on-delete-${channelId}` }),
    }]);
  });

  test('an idle channel is left alone', async () => {
    const { answer, calls } = await run(fakeMediaLive(['IDLE']));
    expect(calls).toEqual([`GET ${channelPath}`]);
    expect(pauses).toEqual([]);
    expect(answer.Status).toBe('SUCCESS');
  });

  test('a channel that no longer exists is a successful delete', async () => {
    const { answer, sent, calls } = await run(fakeMediaLive([awsJsonError(404, 'NotFoundException', 'channel not found')]));
    expect(calls).toEqual([`GET ${channelPath}`]);
    expect(answer.Status).toBe('SUCCESS');
    expect(sent[0].body).toMatchObject({ Status: 'SUCCESS' });
  });

  test('throttled calls are retried after a doubling pause', async () => {
    const throttled = awsJsonError(429, 'TooManyRequestsException', 'slow down');
    const { answer, calls } = await run(fakeMediaLive([throttled, throttled, 'RUNNING', 'IDLE']));
    expect(calls).toEqual([`GET ${channelPath}`, `GET ${channelPath}`, `GET ${channelPath}`, `POST ${channelPath}/stop`, `GET ${channelPath}`]);
    expect(pauses).toEqual([10_000, 20_000, 5_000]);
    expect(answer.Status).toBe('SUCCESS');
  });

  test('a throttled StopChannel is asked again', async () => {
    let stops = 0;
    const describe = fakeMediaLive(['RUNNING', 'RUNNING', 'STOPPING', 'IDLE']);
    const { answer, calls } = await run((request) => {
      if (request.path.endsWith('/stop')) return stops++ === 0 ? awsJsonError(429, 'TooManyRequestsException', 'slow down') : { status: 202, body: { state: 'STOPPING' } };
      return describe(request);
    });
    expect(calls.filter((call) => call.endsWith('/stop'))).toHaveLength(2);
    expect(answer.Status).toBe('SUCCESS');
  });

  test('a channel that does not stop before the deadline fails the delete with the way forward', async () => {
    const { answer, sent } = await run(fakeMediaLive(['RUNNING', 'STOPPING']), undefined, 60_000);
    // 60 s left minus the 30 s reserve: the waits stop before the reserve is touched
    expect(pauses.reduce((sum, pause) => sum + pause, 0)).toBeLessThanOrEqual(30_000);
    expect(answer.Status).toBe('FAILED');
    expect(sent[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining(`MediaLive channel ${channelId} did not stop in time (last state STOPPING)`) });
  });

  test('an unexpected API error fails the delete, naming the error, and still answers CloudFormation', async () => {
    const { answer, sent } = await run(fakeMediaLive([awsJsonError(403, 'ForbiddenException', 'not allowed')]));
    expect(answer.Status).toBe('FAILED');
    expect(sent[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('ForbiddenException') });
  });

  test('Create records the channel without calling MediaLive', async () => {
    const created = { ...deleteEvent(`${cloudFormation.url}/response`), RequestType: 'Create' } as CloudFormationCustomResourceEvent;
    const { answer, calls } = await run(fakeMediaLive(['RUNNING']), created);
    expect(calls).toEqual([]);
    expect(answer).toEqual({ Status: 'SUCCESS', PhysicalResourceId: `stop-on-delete-${channelId}` });
  });

  test('Create with a property that is not a channel id fails with the reason', async () => {
    const created = { ...deleteEvent(`${cloudFormation.url}/response`, { [stopOnDeleteProperties.channelId]: 'x; rm' }), RequestType: 'Create' } as CloudFormationCustomResourceEvent;
    const { answer } = await run(fakeMediaLive(['RUNNING']), created);
    expect(answer).toMatchObject({ Status: 'FAILED', Reason: 'ChannelId must be a MediaLive channel id (digits)' });
  });
});
