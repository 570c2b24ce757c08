import {
  bareEtag, checkPlaylistUpload, checkQueueMessages, CheckContext, ConditionalDeleteResult, counterpartLocations, decodeS3EventKey, GuardConfig,
  locatePipeline, parseQueueMessage, PlaylistHead, PlaylistStore, PlaylistUpload, QueueMessage, readGuardConfig,
} from '../../lambda-src/stale-playlist-guard/check';
import { guardEnvironment } from '../../src/stale-playlist-guard/contract/protocol';

const t0 = Date.parse('2030-01-01T00:00:00.000Z');
const targetDuration = 2;
const thresholdMs = 3 * targetDuration * 1000;

interface StoredPlaylist {
  text: string;
  etag: string;
  lastModifiedMs: number;
  playlistType?: string;
}

/** A PlaylistStore in memory: If-Match enforced, every call recorded, failures injectable per key. */
class MemoryStore implements PlaylistStore {
  public readonly objects = new Map<string, StoredPlaylist>();
  public readonly calls: string[] = [];
  public readonly failures = new Map<string, Error>();
  /** Runs between the check and the delete (a re-upload racing the guard). */
  public beforeDelete?: (bucket: string, key: string) => void;
  private versions = 0;

  public put(bucket: string, key: string, text: string, lastModifiedMs: number, playlistType?: string): string {
    const etag = `etag${++this.versions}`;
    this.objects.set(`${bucket}/${key}`, { text, etag, lastModifiedMs, playlistType });
    return etag;
  }

  public async head(bucket: string, key: string): Promise<PlaylistHead | undefined> {
    this.record('head', bucket, key);
    const object = this.objects.get(`${bucket}/${key}`);
    // S3 answers HeadObject with a quoted ETag and a whole-second Last-Modified
    if (!object) return undefined;
    return { etag: `"${object.etag}"`, lastModified: new Date(Math.floor(object.lastModifiedMs / 1000) * 1000), playlistType: object.playlistType };
  }

  public async getText(bucket: string, key: string, etag: string): Promise<string | undefined> {
    this.record('get', bucket, key);
    const object = this.objects.get(`${bucket}/${key}`);
    return object && object.etag === bareEtag(etag) ? object.text : undefined;
  }

  public async deleteIfMatch(bucket: string, key: string, etag: string): Promise<ConditionalDeleteResult> {
    this.beforeDelete?.(bucket, key);
    this.record('delete', bucket, key);
    const object = this.objects.get(`${bucket}/${key}`);
    if (!object) return 'gone';
    if (object.etag !== bareEtag(etag)) return 'precondition-failed';
    this.objects.delete(`${bucket}/${key}`);
    return 'deleted';
  }

  private record(operation: string, bucket: string, key: string): void {
    this.calls.push(`${operation} ${bucket}/${key}`);
    const failure = this.failures.get(`${bucket}/${key}`);
    if (failure) throw failure;
  }
}

function livePlaylist(td = targetDuration, sequence = 100): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${td}`, `#EXT-X-MEDIA-SEQUENCE:${sequence}`];
  for (let i = 0; i < 3; i++) lines.push(`#EXTINF:${td}.000,`, `seg_${sequence + i}.ts`);
  return `${lines.join('\n')}\n`;
}

const twoPipelines: GuardConfig = {
  pipelines: [{ bucket: 'origin', prefix: 'pipeline-a/' }, { bucket: 'origin', prefix: 'pipeline-b/' }],
  staleAfterTargetDurations: 3,
};
const onePipeline: GuardConfig = { ...twoPipelines, pipelines: [{ bucket: 'origin', prefix: '' }] };

function context(store: MemoryStore, nowMs: number, config: GuardConfig = twoPipelines): CheckContext {
  return { store, config, now: () => nowMs };
}

function upload(key: string, etag: string, eventTimeMs: number | undefined = t0, bucket = 'origin'): PlaylistUpload {
  return { bucket, key, etag, eventTimeMs, eventName: 'ObjectCreated:Put' };
}

/** The body S3 sends to SQS for one ObjectCreated record; `key` as S3 encodes it. */
function s3Message(messageId: string, records: Array<{ key: string; etag: string; eventTimeMs?: number; bucket?: string }>): QueueMessage {
  return {
    messageId,
    body: JSON.stringify({
      Records: records.map((record) => ({
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventName: 'ObjectCreated:Put',
        eventTime: new Date(record.eventTimeMs ?? t0).toISOString(),
        s3: { bucket: { name: record.bucket ?? 'origin' }, object: { key: record.key, eTag: record.etag, size: 200, sequencer: '0A1B2C3D4E5F' } },
      })),
    }),
  };
}

/** A fresh store with pipeline A's playlist written at t0 and B's counterpart last written at `counterpartMs`. */
function redundantStore(counterpartMs: number | undefined, key = '720p/index.m3u8'): { store: MemoryStore; etag: string } {
  const store = new MemoryStore();
  const etag = store.put('origin', `pipeline-a/${key}`, livePlaylist(), t0);
  if (counterpartMs !== undefined) store.put('origin', `pipeline-b/${key}`, livePlaylist(), counterpartMs);
  return { store, etag };
}

const due = t0 + thresholdMs + 100;
const onePipelineJson = '[{"bucket":"a"}]';
const multipleVariable = guardEnvironment.staleAfterTargetDurations;
const testEventBody = JSON.stringify({
  Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2030-01-01T00:00:00.000Z', Bucket: 'origin', RequestId: 'R', HostId: 'H',
});

describe('readGuardConfig', () => {
  test('reads the pipelines and the multiple the construct wrote, each key prefix as written (the construct normalised it)', () => {
    const config = readGuardConfig({
      [guardEnvironment.pipelines]: JSON.stringify([
        { bucket: 'a', prefix: 'live/channel-a' }, { bucket: 'b', prefix: '' }, { bucket: 'c', prefix: 'x/' },
      ]),
      [guardEnvironment.staleAfterTargetDurations]: '4',
    });
    expect(config.pipelines).toEqual([{ bucket: 'a', prefix: 'live/channel-a' }, { bucket: 'b', prefix: '' }, { bucket: 'c', prefix: 'x/' }]);
    expect(config.staleAfterTargetDurations).toBe(4);
  });

  test('defaults to 3 target durations', () => {
    const config = readGuardConfig({ [guardEnvironment.pipelines]: '[{"bucket":"a","prefix":""}]' });
    expect(config.staleAfterTargetDurations).toBe(3);
  });

  test.each([
    [{}, guardEnvironment.pipelines],
    [{ [guardEnvironment.pipelines]: '[]' }, guardEnvironment.pipelines],
    [{ [guardEnvironment.pipelines]: '[{"prefix":"a/"}]' }, guardEnvironment.pipelines],
    [{ [guardEnvironment.pipelines]: '{"bucket":"a"}' }, guardEnvironment.pipelines],
    [{ [guardEnvironment.pipelines]: onePipelineJson, [multipleVariable]: 'three' }, multipleVariable],
    [{ [guardEnvironment.pipelines]: onePipelineJson, [multipleVariable]: '0' }, multipleVariable],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => readGuardConfig(env)).toThrow(variable);
  });
});

describe('keys, pipelines and messages', () => {
  test('decodes S3 event keys: + is a space, then percent-decoding', () => {
    expect(decodeS3EventKey('live/chan+1/index%281%29.m3u8')).toBe('live/chan 1/index(1).m3u8');
    expect(decodeS3EventKey('a%2Bb/c.m3u8')).toBe('a+b/c.m3u8');
    expect(decodeS3EventKey('pipeline-a/720p/index.m3u8')).toBe('pipeline-a/720p/index.m3u8');
  });

  test('strips quotes and weak markers from ETags', () => {
    expect(bareEtag('"abc"')).toBe('abc');
    expect(bareEtag('W/"abc"')).toBe('abc');
    expect(bareEtag('abc-2')).toBe('abc-2');
  });

  test('a key belongs to the pipeline with the longest matching prefix in its bucket', () => {
    const pipelines = [{ bucket: 'x', prefix: 'live/' }, { bucket: 'x', prefix: 'live/backup/' }, { bucket: 'y', prefix: '' }];
    expect(locatePipeline(pipelines, 'x', 'live/backup/720p.m3u8')).toEqual({ index: 1, relativeKey: '720p.m3u8' });
    expect(locatePipeline(pipelines, 'x', 'live/720p.m3u8')).toEqual({ index: 0, relativeKey: '720p.m3u8' });
    expect(locatePipeline(pipelines, 'y', 'any/720p.m3u8')).toEqual({ index: 2, relativeKey: 'any/720p.m3u8' });
    expect(locatePipeline(pipelines, 'x', 'vod/720p.m3u8')).toBeUndefined();
    expect(locatePipeline(pipelines, 'z', 'live/720p.m3u8')).toBeUndefined();
  });

  test('with key-prefix pipelines in one folder (MediaLive\'s redundant layout) a key belongs to the pipeline its name starts with', () => {
    const pipelines = [{ bucket: 'x', prefix: 'live/channel-a' }, { bucket: 'x', prefix: 'live/channel-b' }];
    expect(locatePipeline(pipelines, 'x', 'live/channel-b-720p.m3u8')).toEqual({ index: 1, relativeKey: '-720p.m3u8' });
    expect(locatePipeline(pipelines, 'x', 'live/channel-a.m3u8')).toEqual({ index: 0, relativeKey: '.m3u8' });
    expect(locatePipeline(pipelines, 'x', 'live/channel-c-720p.m3u8')).toBeUndefined();
    expect(counterpartLocations(pipelines, { index: 0, relativeKey: '-720p.m3u8' })).toEqual([{ bucket: 'x', key: 'live/channel-b-720p.m3u8' }]);
  });

  test('a playlist maps to the same relative key in every other pipeline, across buckets', () => {
    const pipelines = [{ bucket: 'east', prefix: 'a/' }, { bucket: 'west', prefix: '' }, { bucket: 'east', prefix: 'c/' }];
    expect(counterpartLocations(pipelines, { index: 1, relativeKey: '720p/index.m3u8' })).toEqual([
      { bucket: 'east', key: 'a/720p/index.m3u8' }, { bucket: 'east', key: 'c/720p/index.m3u8' },
    ]);
    expect(counterpartLocations([{ bucket: 'east', prefix: '' }], { index: 0, relativeKey: 'x.m3u8' })).toEqual([]);
  });

  test('reads S3 records, the test event, foreign and malformed messages', () => {
    const message = s3Message('m1', [{ key: 'live/chan+1/index%281%29.m3u8', etag: 'abc' }]);
    expect(parseQueueMessage(message.body)).toEqual({
      kind: 'records',
      records: [{ upload: { bucket: 'origin', key: 'live/chan 1/index(1).m3u8', etag: 'abc', eventTimeMs: t0, eventName: 'ObjectCreated:Put' } }],
    });
    expect(parseQueueMessage(testEventBody)).toEqual({ kind: 'test-event' });
    expect(parseQueueMessage('not json')).toMatchObject({ kind: 'unrecognised' });
    expect(parseQueueMessage('{"hello":1}')).toMatchObject({ kind: 'unrecognised' });
    expect(parseQueueMessage('{"Records":[{"eventName":"ObjectCreated:Put"}]}'))
      .toMatchObject({ kind: 'records', records: [{ malformed: expect.any(String) }] });
    expect(parseQueueMessage('{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"o"},"object":{"key":"%E0%A4%A.m3u8"}}}]}'))
      .toMatchObject({ kind: 'records', records: [{ malformed: expect.stringContaining('not URL-encoded') }] });
  });
});

describe('checkPlaylistUpload', () => {
  test('deletes a live media playlist still unchanged a threshold later while the other pipeline is updated', async () => {
    const { store, etag } = redundantStore(due - 1500);
    const decision = await checkPlaylistUpload(upload('pipeline-a/720p/index.m3u8', etag), context(store, due));
    expect(decision).toMatchObject({ decision: 'deleted', reason: 'stale', staleDetected: true, details: { thresholdMs, targetDurationSeconds: 2 } });
    expect(decision.details.counterparts).toEqual(['s3://origin/pipeline-b/720p/index.m3u8']);
    expect(store.objects.has('origin/pipeline-a/720p/index.m3u8')).toBe(false);
    expect(store.calls).toEqual([
      'head origin/pipeline-a/720p/index.m3u8', 'get origin/pipeline-a/720p/index.m3u8',
      'head origin/pipeline-b/720p/index.m3u8', 'delete origin/pipeline-a/720p/index.m3u8',
    ]);
  });

  test('key-prefix pipelines: a stalled pipeline\'s playlist is deleted while the other pipeline\'s same-named playlist is updated', async () => {
    const store = new MemoryStore();
    const etag = store.put('origin', 'live/channel-a-720p.m3u8', livePlaylist(), t0);
    store.put('origin', 'live/channel-b-720p.m3u8', livePlaylist(), due - 1500);
    const config: GuardConfig = { ...twoPipelines, pipelines: [{ bucket: 'origin', prefix: 'live/channel-a' }, { bucket: 'origin', prefix: 'live/channel-b' }] };
    const decision = await checkPlaylistUpload(upload('live/channel-a-720p.m3u8', etag), context(store, due, config));
    expect(decision).toMatchObject({ decision: 'deleted', reason: 'stale', details: { counterparts: ['s3://origin/live/channel-b-720p.m3u8'] } });
    expect(store.objects.has('origin/live/channel-a-720p.m3u8')).toBe(false);
  });

  test('with a single pipeline a stale playlist is kept: there is nothing to fail over to (only-pipeline)', async () => {
    const store = new MemoryStore();
    const etag = store.put('origin', '720p/index.m3u8', livePlaylist(), t0);
    const decision = await checkPlaylistUpload(upload('720p/index.m3u8', etag), context(store, due, onePipeline));
    expect(decision).toMatchObject({ decision: 'skipped', reason: 'only-pipeline', staleDetected: true });
    expect(store.objects.has('origin/720p/index.m3u8')).toBe(true);
    expect(store.calls).toEqual(['head origin/720p/index.m3u8', 'get origin/720p/index.m3u8']);
  });

  test.each([
    ['not-object-created', { ...upload('pipeline-a/720p/index.m3u8', 'x'), eventName: 'ObjectRemoved:Delete' }],
    ['not-a-playlist', upload('pipeline-a/720p/seg_1.ts', 'x')],
    ['outside-pipelines', upload('vod/720p/index.m3u8', 'x')],
    ['outside-pipelines', upload('pipeline-a/720p/index.m3u8', 'x', t0, 'other-bucket')],
  ])('skips without touching S3: %s', async (reason, event) => {
    const store = new MemoryStore();
    store.put('origin', event.key, livePlaylist(), t0);
    await expect(checkPlaylistUpload(event, context(store, due))).resolves.toMatchObject({ decision: 'skipped', reason, staleDetected: false });
    expect(store.calls).toEqual([]);
    expect(store.objects.size).toBe(1);
  });

  test('skips a playlist that is gone or that the encoder wrote again (healthy)', async () => {
    const { store, etag } = redundantStore(due);
    await expect(checkPlaylistUpload(upload('pipeline-a/360p/index.m3u8', etag), context(store, due))).resolves.toMatchObject({ reason: 'gone' });
    store.put('origin', 'pipeline-a/720p/index.m3u8', livePlaylist(2, 101), t0 + 2000);
    await expect(checkPlaylistUpload(upload('pipeline-a/720p/index.m3u8', etag), context(store, due))).resolves.toMatchObject({ reason: 'updated' });
    expect(store.calls.filter((call) => call.startsWith('get') || call.startsWith('delete'))).toEqual([]);
  });

  test.each([
    ['multivariant', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n360p/index.m3u8\n'],
    ['ended', `${livePlaylist()}#EXT-X-ENDLIST\n`],
    ['ended', livePlaylist().replace('#EXT-X-VERSION:3', '#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD')],
    ['no-target-duration', livePlaylist().replace(/#EXT-X-TARGETDURATION:\d+\n/, '')],
  ])('reads the very object of the event and skips it when %s', async (reason, text) => {
    const store = new MemoryStore();
    const etag = store.put('origin', 'pipeline-a/other-name.m3u8', text, t0);
    store.put('origin', 'pipeline-b/other-name.m3u8', livePlaylist(), due);
    const decision = await checkPlaylistUpload(upload('pipeline-a/other-name.m3u8', etag), context(store, due));
    expect(decision).toMatchObject({ decision: 'skipped', reason, staleDetected: false });
    expect(store.objects.has('origin/pipeline-a/other-name.m3u8')).toBe(true);
    expect(store.calls).toEqual(['head origin/pipeline-a/other-name.m3u8', 'get origin/pipeline-a/other-name.m3u8']);
  });

  test.each(['EVENT', 'VOD', ' vod ', 'Multivariant', 'ended'])('skips a playlist exempted by its playlist-type metadata %j (the contract\'s rule)', async (value) => {
    const store = new MemoryStore();
    const etag = store.put('origin', 'pipeline-a/720p/index.m3u8', livePlaylist(), t0, value);
    await expect(checkPlaylistUpload(upload('pipeline-a/720p/index.m3u8', etag), context(store, due))).resolves.toMatchObject({ reason: 'exempt' });
  });

  test('a multivariant playlist is told by its content whatever its name (no name list)', async () => {
    const store = new MemoryStore();
    const etag = store.put('origin', 'pipeline-a/master.m3u8', livePlaylist(), t0);
    store.put('origin', 'pipeline-b/master.m3u8', livePlaylist(), due);
    await expect(checkPlaylistUpload(upload('pipeline-a/master.m3u8', etag), context(store, due))).resolves.toMatchObject({ decision: 'deleted' });
  });

  test('judges an upper-case .M3U8 playlist like a .m3u8 one', async () => {
    const store = new MemoryStore();
    const etag = store.put('origin', 'pipeline-a/720P/INDEX.M3U8', livePlaylist(), t0);
    store.put('origin', 'pipeline-b/720P/INDEX.M3U8', livePlaylist(), due);
    await expect(checkPlaylistUpload(upload('pipeline-a/720P/INDEX.M3U8', etag), context(store, due))).resolves.toMatchObject({ decision: 'deleted' });
  });

  test('skips when the object changes between HEAD and GET', async () => {
    const { store, etag } = redundantStore(due);
    const head = store.head.bind(store);
    store.head = async (bucket, key) => {
      const result = await head(bucket, key);
      store.put('origin', 'pipeline-a/720p/index.m3u8', livePlaylist(2, 101), due);
      return result;
    };
    await expect(checkPlaylistUpload(upload('pipeline-a/720p/index.m3u8', etag), context(store, due))).resolves.toMatchObject({ reason: 'updated' });
  });

  test('a playlist declaring a longer target duration than the queue delay assumed is retried, not deleted', async () => {
    const store = new MemoryStore();
    const etag = store.put('origin', 'pipeline-a/720p/index.m3u8', livePlaylist(6), t0);
    store.put('origin', 'pipeline-b/720p/index.m3u8', livePlaylist(6), due);
    const decision = await checkPlaylistUpload(upload('pipeline-a/720p/index.m3u8', etag), context(store, due));
    expect(decision).toMatchObject({ decision: 'retry', reason: 'not-yet-due', staleDetected: false, details: { thresholdMs: 18000 } });
    expect(decision.details.dueAt).toBe(new Date(t0 + 18000).toISOString());
    expect(store.objects.has('origin/pipeline-a/720p/index.m3u8')).toBe(true);
    const later = await checkPlaylistUpload(upload('pipeline-a/720p/index.m3u8', etag), context(store, t0 + 18001));
    expect(later).toMatchObject({ decision: 'deleted' });
  });

  test('exactly at the threshold a playlist is not stale yet', async () => {
    const { store, etag } = redundantStore(t0 + thresholdMs);
    const decision = await checkPlaylistUpload(upload('pipeline-a/720p/index.m3u8', etag), context(store, t0 + thresholdMs));
    expect(decision).toMatchObject({ decision: 'retry', reason: 'not-yet-due' });
  });

  test('without an event time the threshold counts from Last-Modified', async () => {
    const { store, etag } = redundantStore(due);
    const early = await checkPlaylistUpload(upload('pipeline-a/720p/index.m3u8', etag, undefined), context(store, t0 + thresholdMs - 10));
    expect(early).toMatchObject({ decision: 'retry' });
    const decision = await checkPlaylistUpload(upload('pipeline-a/720p/index.m3u8', etag, undefined), context(store, due));
    expect(decision).toMatchObject({ decision: 'deleted' });
  });

  test.each([
    ['missing', undefined],
    ['stale itself', t0 - 500],
    ['older than the threshold by a millisecond', due - thresholdMs - 1],
  ])('keeps a stale playlist when its only counterpart is %s (all-pipelines-stale)', async (_, counterpartMs) => {
    const { store, etag } = redundantStore(counterpartMs);
    const decision = await checkPlaylistUpload(upload('pipeline-a/720p/index.m3u8', etag), context(store, due));
    expect(decision).toMatchObject({ decision: 'skipped', reason: 'all-pipelines-stale', staleDetected: true });
    expect(decision.details.counterparts).toEqual(['s3://origin/pipeline-b/720p/index.m3u8']);
    expect(store.objects.has('origin/pipeline-a/720p/index.m3u8')).toBe(true);
    expect(store.calls.some((call) => call.startsWith('delete'))).toBe(false);
  });

  test('one healthy counterpart among several is enough', async () => {
    const config: GuardConfig = {
      ...twoPipelines,
      pipelines: [{ bucket: 'origin', prefix: 'pipeline-a/' }, { bucket: 'origin', prefix: 'pipeline-b/' }, { bucket: 'backup', prefix: '' }],
    };
    const { store, etag } = redundantStore(t0 - 1000);
    store.put('backup', '720p/index.m3u8', livePlaylist(), due - 1000);
    const decision = await checkPlaylistUpload(upload('pipeline-a/720p/index.m3u8', etag), context(store, due, config));
    expect(decision).toMatchObject({ decision: 'deleted', details: { counterparts: ['s3://backup/720p/index.m3u8'] } });
  });

  test('a re-upload landing between the check and the delete wins (re-uploaded), a concurrent delete is gone', async () => {
    const { store, etag } = redundantStore(due);
    store.beforeDelete = (bucket, key) => store.put(bucket, key, livePlaylist(2, 101), due);
    const raced = await checkPlaylistUpload(upload('pipeline-a/720p/index.m3u8', etag), context(store, due));
    expect(raced).toMatchObject({ decision: 'skipped', reason: 're-uploaded', staleDetected: true });
    expect(store.objects.get('origin/pipeline-a/720p/index.m3u8')?.text).toContain('MEDIA-SEQUENCE:101');

    const second = redundantStore(due);
    second.store.beforeDelete = (bucket, key) => second.store.objects.delete(`${bucket}/${key}`);
    const gone = await checkPlaylistUpload(upload('pipeline-a/720p/index.m3u8', second.etag), context(second.store, due));
    expect(gone).toMatchObject({ decision: 'skipped', reason: 'gone', staleDetected: true });
  });

  test('store errors propagate to the caller', async () => {
    const { store, etag } = redundantStore(due);
    store.failures.set('origin/pipeline-b/720p/index.m3u8', Object.assign(new Error('Slow Down'), { name: 'SlowDown' }));
    await expect(checkPlaylistUpload(upload('pipeline-a/720p/index.m3u8', etag), context(store, due))).rejects.toThrow('Slow Down');
    expect(store.objects.has('origin/pipeline-a/720p/index.m3u8')).toBe(true);
  });
});

describe('checkQueueMessages', () => {
  test('ignores the s3:TestEvent message S3 sends when the notification is set up', async () => {
    const store = new MemoryStore();
    const result = await checkQueueMessages([{ messageId: 'test', body: testEventBody }], context(store, due));
    expect(result).toEqual({
      batchItemFailures: [], outcomes: [{ messageId: 'test', decision: 'ignored', reason: 'test-event', staleDetected: false }],
    });
    expect(store.calls).toEqual([]);
  });

  test('decodes URL-encoded keys as S3 sends them before looking them up', async () => {
    const store = new MemoryStore();
    const etag = store.put('origin', 'pipeline-a/chan 1/index(1).m3u8', livePlaylist(), t0);
    store.put('origin', 'pipeline-b/chan 1/index(1).m3u8', livePlaylist(), due);
    const result = await checkQueueMessages([s3Message('m1', [{ key: 'pipeline-a/chan+1/index%281%29.m3u8', etag }])], context(store, due));
    expect(result.outcomes).toEqual([expect.objectContaining({ key: 'pipeline-a/chan 1/index(1).m3u8', decision: 'deleted' })]);
    expect(store.calls).toContain('head origin/pipeline-b/chan 1/index(1).m3u8');
    expect(store.objects.has('origin/pipeline-a/chan 1/index(1).m3u8')).toBe(false);
  });

  test('one record that throws fails only its message; every other record is still decided', async () => {
    const store = new MemoryStore();
    const etags: Record<string, string> = {};
    for (const rendition of ['360p', '540p', '720p', '1080p']) {
      etags[rendition] = store.put('origin', `pipeline-a/${rendition}/index.m3u8`, livePlaylist(), t0);
      store.put('origin', `pipeline-b/${rendition}/index.m3u8`, livePlaylist(), due - 1000);
    }
    store.failures.set('origin/pipeline-a/540p/index.m3u8', Object.assign(new Error('We encountered an internal error'), { name: 'InternalError' }));
    const result = await checkQueueMessages([
      s3Message('m1', [{ key: 'pipeline-a/360p/index.m3u8', etag: etags['360p'] }]),
      s3Message('m2', [{ key: 'pipeline-a/540p/index.m3u8', etag: etags['540p'] }, { key: 'pipeline-a/720p/index.m3u8', etag: etags['720p'] }]),
      { messageId: 'm3', body: '{"Records":[{"eventName":"ObjectCreated:Put"}]}' },
      s3Message('m4', [{ key: 'pipeline-a/1080p/index.m3u8', etag: etags['1080p'] }]),
    ], context(store, due));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(result.outcomes.map((outcome) => [outcome.messageId, outcome.key, outcome.decision, outcome.reason])).toEqual([
      ['m1', 'pipeline-a/360p/index.m3u8', 'deleted', 'stale'],
      ['m2', 'pipeline-a/540p/index.m3u8', 'failed', 'InternalError'],
      ['m2', 'pipeline-a/720p/index.m3u8', 'deleted', 'stale'],
      ['m3', undefined, 'skipped', 'malformed-record'],
      ['m4', 'pipeline-a/1080p/index.m3u8', 'deleted', 'stale'],
    ]);
    expect(result.outcomes[1].error).toBeInstanceOf(Error);
    expect(store.objects.has('origin/pipeline-a/540p/index.m3u8')).toBe(true);
  });

  test('a not-yet-due record makes its message a batch item failure so the queue brings it back', async () => {
    const store = new MemoryStore();
    const etag = store.put('origin', 'pipeline-a/720p/index.m3u8', livePlaylist(10), t0);
    const result = await checkQueueMessages([s3Message('m1', [{ key: 'pipeline-a/720p/index.m3u8', etag }])], context(store, due));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(result.outcomes).toEqual([expect.objectContaining({ decision: 'retry', reason: 'not-yet-due' })]);
  });

  test('a message that is not an S3 event is ignored, not retried', async () => {
    const result = await checkQueueMessages([{ messageId: 'x', body: 'hello' }], context(new MemoryStore(), due));
    expect(result).toEqual({
      batchItemFailures: [],
      outcomes: [{ messageId: 'x', decision: 'ignored', reason: 'unrecognised-message', staleDetected: false, error: 'the body is not JSON' }],
    });
  });
});
