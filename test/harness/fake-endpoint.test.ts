import { CreatePrefetchScheduleCommand, MediaTailorClient } from '@aws-sdk/client-mediatailor';
import { awsJsonError, FakeEndpoint, startFakeEndpoint } from './fake-endpoint';

describe('fake AWS endpoint helper', () => {
  let fake: FakeEndpoint;
  let mediaTailor: MediaTailorClient;

  beforeAll(async () => {
    fake = await startFakeEndpoint((request) => request.path.endsWith('/invalid-window')
      ? awsJsonError(400, 'BadRequestException', 'Retrieval window invalid')
      : { status: 200, body: { Arn: 'arn:aws:mediatailor:us-east-1:111111111111:prefetchSchedule/cfg/break-1', Name: 'break-1', StreamId: '1' } });
    mediaTailor = new MediaTailorClient({ endpoint: fake.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  });
  afterAll(async () => {
    mediaTailor?.destroy();
    await fake?.close();
  });

  const schedule = (name: string) => new CreatePrefetchScheduleCommand({
    PlaybackConfigurationName: 'cfg',
    Name: name,
    StreamId: '1',
    Retrieval: { StartTime: new Date('2026-01-01T00:00:00Z'), EndTime: new Date('2026-01-01T00:05:00Z') },
    Consumption: { EndTime: new Date('2026-01-01T00:10:00Z') },
  });

  test('records the SDK request: method, path and JSON body with epoch-second dates', async () => {
    const response = await mediaTailor.send(schedule('break-1'));
    expect(response.Name).toBe('break-1');
    const request = fake.requests.find((r) => r.path === '/prefetchSchedule/cfg/break-1')!;
    expect(request.method).toBe('POST');
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(request.json).toMatchObject({ StreamId: '1', Retrieval: { StartTime: 1767225600, EndTime: 1767225900 } });
  });

  test('turns an AWS JSON error into the named SDK exception', async () => {
    await expect(mediaTailor.send(schedule('invalid-window'))).rejects.toMatchObject({
      name: 'BadRequestException',
      message: 'Retrieval window invalid',
      $metadata: { httpStatusCode: 400 },
    });
  });
});
