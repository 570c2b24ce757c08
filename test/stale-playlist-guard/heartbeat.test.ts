import { Logger } from '@aws-lambda-powertools/logger';
import type { S3Event } from 'aws-lambda';
import { loadMarkerModule, silentMetrics } from './marker-module';
import { PlaylistUpload } from '../../lambda-src/stale-playlist-guard/check';
import { HeartbeatPublisher, HeartbeatStore } from '../../lambda-src/stale-playlist-guard/heartbeat';
import { KeyValueStoreHeartbeats } from '../../lambda-src/stale-playlist-guard/kvs-store';
import { MarkerStore } from '../../lambda-src/stale-playlist-guard/mark';
import { pipelineHeartbeatKey } from '../../src/stale-playlist-guard/contract/protocol';
import { KeyValueStoreStandIn, startKeyValueStore } from '../harness/key-value-store';

const PIPELINES = [{ bucket: 'live', prefix: 'pipeline-a/' }, { bucket: 'live', prefix: 'pipeline-b/' }];
const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const upload = (key: string, atMs: number, eventName = 'ObjectCreated:Put'): PlaylistUpload => ({ bucket: 'live', key, etag: 'e', eventName, eventTimeMs: atMs });

/** Records every put. */
class RecordingStore implements HeartbeatStore {
  public readonly puts: Array<[string, string]> = [];
  public async put(key: string, value: string): Promise<void> {
    this.puts.push([key, value]);
  }
}

describe('HeartbeatPublisher', () => {
  test('writes a pipeline\'s heartbeat at most once per interval of upload time, each pipeline on its own', async () => {
    const store = new RecordingStore();
    const publisher = new HeartbeatPublisher(store, PIPELINES, 5000);
    const outcomes = [];
    for (const [key, at] of [
      ['pipeline-a/360p/index.m3u8', T0], ['pipeline-a/180p/index.m3u8', T0 + 10], ['pipeline-b/360p/index.m3u8', T0 + 300],
      ['pipeline-a/360p/index.m3u8', T0 + 4999], ['pipeline-a/360p/index.m3u8', T0 + 5000], ['pipeline-b/360p/index.m3u8', T0 + 5299],
    ] as const) outcomes.push((await publisher.beat(upload(key, at))).heartbeat);
    expect(outcomes).toEqual(['written', 'coalesced', 'written', 'coalesced', 'written', 'coalesced']);
    expect(store.puts).toEqual([
      [pipelineHeartbeatKey(0), String(T0)], [pipelineHeartbeatKey(1), String(T0 + 300)], [pipelineHeartbeatKey(0), String(T0 + 5000)],
    ]);
  });

  test.each([
    ['the marker\'s own copy', upload('pipeline-a/master.m3u8', T0, 'ObjectCreated:Copy')],
    ['a removal', upload('pipeline-a/360p/index.m3u8', T0, 'ObjectRemoved:Delete')],
    ['a segment', upload('pipeline-a/360p/seg_1.ts', T0)],
    ['a key outside the pipelines', upload('vod/index.m3u8', T0)],
  ])('%s is no heartbeat', async (_name, event) => {
    const store = new RecordingStore();
    await expect(new HeartbeatPublisher(store, PIPELINES, 5000).beat(event)).resolves.toEqual({ heartbeat: 'none' });
    expect(store.puts).toEqual([]);
  });

  test('an upload in an upper-case .M3U8 playlist counts, and a failed write is tried again on the next upload', async () => {
    let fail = true;
    const puts: string[] = [];
    const publisher = new HeartbeatPublisher({
      put: async (_key, value) => {
        if (fail) throw new Error('throttled');
        puts.push(value);
      },
    }, PIPELINES, 5000);
    await expect(publisher.beat(upload('pipeline-a/360p/INDEX.M3U8', T0))).rejects.toThrow('throttled');
    fail = false;
    await expect(publisher.beat(upload('pipeline-a/360p/INDEX.M3U8', T0 + 100))).resolves.toMatchObject({ heartbeat: 'written' });
    expect(puts).toEqual([String(T0 + 100)]);
  });
});

describe('KeyValueStoreHeartbeats through the SDK client to the KeyValueStore stand-in', () => {
  let kvs: KeyValueStoreStandIn;
  beforeEach(async () => {
    kvs = await startKeyValueStore();
  });
  afterEach(() => kvs.close());

  const calls = () => kvs.requests.map((r) => `${r.method} ${r.path.replace(`/key-value-stores/${kvs.arn}`, '')}`);

  test('reads the store\'s ETag once, then names the ETag of its own last write (one API call per heartbeat)', async () => {
    const store = new KeyValueStoreHeartbeats(kvs.client(), kvs.arn);
    await store.put('pipeline-0', '1');
    await store.put('pipeline-0', '2');
    await store.put('pipeline-1', '3');
    expect(calls()).toEqual(['GET ', 'PUT /keys/pipeline-0', 'PUT /keys/pipeline-0', 'PUT /keys/pipeline-1']);
    expect(kvs.data).toEqual({ 'pipeline-0': '2', 'pipeline-1': '3' });
    expect(kvs.requests.every((r) => /^AWS4-ECDSA-P256-SHA256 /.test(String(r.headers.authorization)))).toBe(true); // SigV4A
    expect(kvs.requests.filter((r) => r.method === 'PUT').every((r) => r.headers['if-match'] !== undefined)).toBe(true);
  });

  test('when another writer changed the store meanwhile (409), reads the ETag again and writes once more', async () => {
    const mine = new KeyValueStoreHeartbeats(kvs.client(), kvs.arn);
    const other = new KeyValueStoreHeartbeats(kvs.client(), kvs.arn);
    await mine.put('pipeline-0', '1');
    await other.put('pipeline-1', '2');
    await mine.put('pipeline-0', '3');
    expect(kvs.data).toEqual({ 'pipeline-0': '3', 'pipeline-1': '2' });
    // mine: GET, PUT; other: GET, PUT; mine again: PUT refused (409), GET, PUT
    expect(calls()).toEqual(['GET ', 'PUT /keys/pipeline-0', 'GET ', 'PUT /keys/pipeline-1', 'PUT /keys/pipeline-0', 'GET ', 'PUT /keys/pipeline-0']);
    expect(kvs.writes).toBe(3);
  });

  test('any other error is thrown, naming the service\'s reason', async () => {
    const store = new KeyValueStoreHeartbeats(kvs.client(), 'arn:aws:cloudfront::123456789012:key-value-store/not-this-one');
    await expect(store.put('pipeline-0', '1')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('the marker handler with heartbeats', () => {
  const liveStore: MarkerStore = {
    readRange: async () => ({ text: '#EXTM3U\n#EXT-X-TARGETDURATION:6\n', etag: '"e"', size: 30, attributes: { metadata: {} } }),
    copyInPlaceIfMatch: async () => 'copied',
  };
  const event = (key: string, at: number) => ({
    Records: [{ eventName: 'ObjectCreated:Put', eventTime: new Date(at).toISOString(), s3: { bucket: { name: 'live' }, object: { key, eTag: 'e' } } }],
  }) as unknown as S3Event;

  test('a heartbeat the store refuses neither fails the event nor stops the marking', async () => {
    const handler = loadMarkerModule(PIPELINES).createPlaylistMarkerHandler({
      pipelines: PIPELINES,
      store: liveStore,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: silentMetrics(),
      heartbeats: { store: { put: async () => Promise.reject(new Error('AccessDenied')) }, intervalMs: 5000 },
    });
    const result = await handler(event('pipeline-a/360p/index.m3u8', T0));
    expect(result.decisions).toMatchObject([{ decision: 'skipped', reason: 'live' }]);
    expect(result.heartbeats).toEqual([]);
  });

  test('without a store (one pipeline) there are no heartbeats', async () => {
    const handler = loadMarkerModule([PIPELINES[0]]).createPlaylistMarkerHandler({
      pipelines: [PIPELINES[0]], store: liveStore, logger: new Logger({ logLevel: 'SILENT' }), metrics: silentMetrics(),
    });
    expect((await handler(event('pipeline-a/360p/index.m3u8', T0))).heartbeats).toEqual([]);
  });
});
