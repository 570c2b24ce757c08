import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { LoopbackS3, startS3 } from './s3';

describe('s3rver helper', () => {
  let s3: LoopbackS3;

  beforeAll(async () => {
    s3 = await startS3([{ name: 'live-origin', cors: true }]);
  });
  afterAll(async () => s3?.stop());

  test('stores objects through the SDK with whole-second LastModified like S3', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'live-origin', Key: 'a/index.m3u8', Body: '#EXTM3U\n', ContentType: 'application/vnd.apple.mpegurl' }));
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: 'live-origin', Key: 'a/index.m3u8' }));
    expect(head.ContentType).toBe('application/vnd.apple.mpegurl');
    expect(head.LastModified!.getTime() % 1000).toBe(0);
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  test('emits an S3 notification record for every put, with key and eTag', async () => {
    const seen: string[] = [];
    s3.onEvent((record) => seen.push(record.s3.object.key));
    const put = await s3.client.send(new PutObjectCommand({ Bucket: 'live-origin', Key: 'b/index.m3u8', Body: '#EXTM3U\n' }));
    const record = s3.events.find((r) => r.s3.object.key === 'b/index.m3u8')!;
    expect(record.eventName).toBe('ObjectCreated:Put');
    expect(record.s3.bucket.name).toBe('live-origin');
    expect(`"${record.s3.object.eTag}"`).toBe(put.ETag);
    expect(seen).toContain('b/index.m3u8');
  });

  test('answers a conditional GET with 304 when the ETag matches', async () => {
    const put = await s3.client.send(new PutObjectCommand({ Bucket: 'live-origin', Key: 'c/index.m3u8', Body: '#EXTM3U\n' }));
    const conditional = s3.client.send(new GetObjectCommand({ Bucket: 'live-origin', Key: 'c/index.m3u8', IfNoneMatch: put.ETag }));
    await expect(conditional).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
  });

  test('serves objects to anonymous cross-origin players over plain HTTP', async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: 'live-origin', Key: 'd/index.m3u8', Body: '#EXTM3U\n' }));
    const response = await fetch(`${s3.endpoint}/live-origin/d/index.m3u8`, { headers: { origin: 'http://127.0.0.1:1' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('last-modified')).toBeTruthy();
    expect(await response.text()).toBe('#EXTM3U\n');
  });
});
