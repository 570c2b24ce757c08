import { MediaLiveClient } from '@aws-sdk/client-medialive';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createStopOnDeleteHandler, MediaLiveChannelControl } from '../../lambda-src/live-ott-pipeline/stop-on-delete.lambda';
import { stopOnDeleteProperties } from '../../src/live-ott-pipeline/contract/stop-on-delete';
import { awsJsonError, FakeEndpoint, FakeResponse, RecordedRequest, startFakeEndpoint } from '../harness/fake-endpoint';

const channelId = '1234567';
const channelPath = `/prod/channels/${channelId}`;

/** A fake MediaLive that answers DescribeChannel with the next state of `states` (the last one repeats). */
function fakeMediaLive(
  states: Array<string | FakeResponse>,
  onStop: FakeResponse = { status: 202, body: { id: channelId, state: 'STOPPING' } },
  onStart: FakeResponse = { status: 202, body: { id: channelId, state: 'STARTING' } },
) {
  let described = 0;
  return (request: RecordedRequest): FakeResponse => {
    if (request.method === 'POST' && request.path === `${channelPath}/stop`) return onStop;
    if (request.method === 'POST' && request.path === `${channelPath}/start`) return onStart;
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

  describe('autoStart', () => {
    const withAutoStart = (requestType: 'Create' | 'Update', old?: Record<string, unknown>, properties: Record<string, unknown> = {}) => ({
      ...deleteEvent(`${cloudFormation.url}/response`, { [stopOnDeleteProperties.channelId]: channelId, [stopOnDeleteProperties.autoStart]: 'true', ...properties }),
      RequestType: requestType,
      ...(old ? { OldResourceProperties: old } : {}),
    }) as CloudFormationCustomResourceEvent;
    const start = `POST ${channelPath}/start`;
    const describe = `GET ${channelPath}`;

    test('Create starts an idle channel and answers SUCCESS once it runs', async () => {
      const { answer, sent, calls } = await run(fakeMediaLive(['IDLE', 'STARTING', 'STARTING', 'RUNNING']), withAutoStart('Create'));
      expect(calls).toEqual([describe, start, describe, describe, describe]);
      expect(pauses).toEqual([5_000, 5_000, 5_000]);
      expect(answer).toEqual({ Status: 'SUCCESS', PhysicalResourceId: `stop-on-delete-${channelId}` });
      expect(sent[0].body).toMatchObject({ Status: 'SUCCESS' });
    });

    test('a channel that already runs is not started again', async () => {
      const { answer, calls } = await run(fakeMediaLive(['RUNNING']), withAutoStart('Create'));
      expect(calls).toEqual([describe]);
      expect(answer.Status).toBe('SUCCESS');
    });

    test('a stopping channel is waited for, then started', async () => {
      const { answer, calls } = await run(fakeMediaLive(['STOPPING', 'IDLE', 'RUNNING']), withAutoStart('Create'));
      expect(calls).toEqual([describe, describe, start, describe]);
      expect(answer.Status).toBe('SUCCESS');
    });

    test('a throttled StartChannel is asked again after a longer pause', async () => {
      let starts = 0;
      const states = fakeMediaLive(['IDLE', 'IDLE', 'RUNNING']);
      const { answer, calls } = await run((request) => {
        if (request.path.endsWith('/start')) return starts++ === 0 ? awsJsonError(429, 'TooManyRequestsException', 'slow down') : { status: 202, body: { state: 'STARTING' } };
        return states(request);
      }, withAutoStart('Create'));
      expect(calls.filter((call) => call === start)).toHaveLength(2);
      expect(pauses[0]).toBe(10_000);
      expect(answer.Status).toBe('SUCCESS');
    });

    test('Update starts the channel when AutoStart turns true, or when the channel was replaced; otherwise it leaves it alone', async () => {
      const turnedOn = await run(fakeMediaLive(['IDLE', 'RUNNING']), withAutoStart('Update', { [stopOnDeleteProperties.channelId]: channelId }));
      expect(turnedOn.calls).toEqual([describe, start, describe]);
      await mediaLive?.close();
      const replaced = await run(fakeMediaLive(['IDLE', 'RUNNING']), withAutoStart('Update', { [stopOnDeleteProperties.channelId]: '7654321', [stopOnDeleteProperties.autoStart]: 'true' }));
      expect(replaced.calls).toEqual([describe, start, describe]);
      await mediaLive?.close();
      const unchanged = await run(fakeMediaLive(['IDLE']), withAutoStart('Update', { [stopOnDeleteProperties.channelId]: channelId, [stopOnDeleteProperties.autoStart]: 'true' }));
      expect(unchanged.calls).toEqual([]);
      expect(unchanged.answer.Status).toBe('SUCCESS');
    });

    test('Create without AutoStart, or with any value but true, leaves the channel stopped', async () => {
      const { calls } = await run(fakeMediaLive(['IDLE']), withAutoStart('Create', undefined, { [stopOnDeleteProperties.autoStart]: 'yes' }));
      expect(calls).toEqual([]);
    });

    test('a channel that does not run before the deadline fails the deploy with the way forward, within the reserve', async () => {
      const { answer, sent } = await run(fakeMediaLive(['IDLE', 'STARTING']), withAutoStart('Create'), 60_000);
      expect(pauses.reduce((sum, pause) => sum + pause, 0)).toBeLessThanOrEqual(30_000);
      expect(answer.Status).toBe('FAILED');
      expect(sent[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining(`MediaLive channel ${channelId} did not reach RUNNING in time (last state STARTING)`) });
    });

    test('a failed channel, or a missing one, fails the deploy naming the state', async () => {
      const failed = await run(fakeMediaLive(['CREATE_FAILED']), withAutoStart('Create'));
      expect(failed.calls).toEqual([describe]);
      expect(failed.answer).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('cannot start from state CREATE_FAILED') });
      await mediaLive?.close();
      const missing = await run(fakeMediaLive([awsJsonError(404, 'NotFoundException', 'channel not found')]), withAutoStart('Create'));
      expect(missing.answer).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('does not exist') });
    });

    test('an unexpected StartChannel error fails the deploy, naming the error', async () => {
      const { answer } = await run(fakeMediaLive(['IDLE'], undefined, awsJsonError(403, 'ForbiddenException', 'not allowed')), withAutoStart('Create'));
      expect(answer).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^starting the MediaLive channel failed: .*ForbiddenException/) });
    });
  });

  test('Create with a property that is not a channel id fails with the reason', async () => {
    const created = { ...deleteEvent(`${cloudFormation.url}/response`, { [stopOnDeleteProperties.channelId]: 'x; rm' }), RequestType: 'Create' } as CloudFormationCustomResourceEvent;
    const { answer } = await run(fakeMediaLive(['RUNNING']), created);
    expect(answer).toMatchObject({ Status: 'FAILED', Reason: 'ChannelId must be a MediaLive channel id (digits)' });
  });
});
