import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import * as fc from 'fast-check';
import { filesUnder, writeEncoderLayouts, EncoderLayout } from './encoder-layouts';
import { bareEtag, PlaylistUpload } from '../../lambda-src/stale-playlist-guard/check';
import { ConditionalCopyResult, MarkerStore, markPlaylistUpload, ObjectAttributes, PlaylistRange } from '../../lambda-src/stale-playlist-guard/mark';
import type { PlaylistMarkerResult } from '../../lambda-src/stale-playlist-guard/mark.lambda';
import { S3PlaylistStore } from '../../lambda-src/stale-playlist-guard/s3-store';
import { isExemptPlaylistType, markerReadLimits } from '../../src/stale-playlist-guard/contract/playlist-marks';
import {
  exemptPlaylistTypes, guardEnvironment, pipelineHeartbeatKey, playlistTypeMetadataHeader, playlistTypeMetadataName,
} from '../../src/stale-playlist-guard/contract/protocol';
import { renderEdgeGuardFunction } from '../../src/stale-playlist-guard/edge-function';
import { CdnStandIn, startCdnStandIn } from '../harness/cdn-stand-in';
import { loadCloudFrontFunction, viewerResponseEvent } from '../harness/cloudfront-function';
import { setEnvironment } from '../harness/environment';
import { asS3Delivers, LoopbackS3, startS3 } from '../harness/s3';
import { describeWithTools } from '../harness/tools';

/** An in-memory store that honours `x-amz-copy-source-if-match` and ranges as S3 does (s3rver ignores the condition). */
class MemoryMarkerStore implements MarkerStore {
  public readonly objects = new Map<string, { text: string; etag: string; attributes: ObjectAttributes }>();
  public readonly calls: string[] = [];
  /** Runs between the marker's reads and its copy (an encoder re-upload racing the marker). */
  public beforeCopy?: () => void;
  private versions = 0;

  public put(key: string, text: string, metadata: Record<string, string> = {}): string {
    const etag = `etag${++this.versions}`;
    this.objects.set(key, { text, etag, attributes: { contentType: 'application/vnd.apple.mpegurl', cacheControl: 'max-age=1', metadata } });
    return etag;
  }

  public async readRange(_bucket: string, key: string, start: number, end: number, etag?: string): Promise<PlaylistRange | undefined> {
    this.calls.push(`get ${key} ${start}-${end}`);
    const object = this.objects.get(key);
    if (!object || (etag !== undefined && bareEtag(etag) !== object.etag)) return undefined;
    const bytes = Buffer.from(object.text);
    return { text: bytes.subarray(start, end + 1).toString('utf8'), etag: `"${object.etag}"`, size: bytes.length, attributes: object.attributes };
  }

  public async copyInPlaceIfMatch(_bucket: string, key: string, etag: string, attributes: ObjectAttributes): Promise<ConditionalCopyResult> {
    this.beforeCopy?.();
    this.calls.push(`copy ${key}`);
    const object = this.objects.get(key);
    if (!object) return 'gone';
    if (object.etag !== bareEtag(etag)) return 'precondition-failed';
    this.objects.set(key, { ...object, attributes });
    return 'copied';
  }
}

const pipelines = [{ bucket: 'live', prefix: '' }];
const upload = (key: string, etag: string, eventName = 'ObjectCreated:Put'): PlaylistUpload => ({ bucket: 'live', key, etag, eventName });
const multivariant = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n720p.m3u8\n';

function mediaPlaylist(segments: number, ended: boolean): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:0'];
  for (let i = 0; i < segments; i++) lines.push('#EXTINF:2.000,', `segment_${String(i).padStart(6, '0')}.ts`);
  if (ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

describe('one exemption rule for the marker, the origin check and the shipped edge function', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'exempt-')), 'edge-guard.js');
  // the playlist's pipeline at the root, and a standby pipeline whose heartbeat is fresh: a stale live playlist is a 404
  fs.writeFileSync(file, renderEdgeGuardFunction({ staleAfterMs: 18_000, pipelinePrefixes: ['', 'standby/'] }));
  const lastModified = 'Sun, 22 Nov 2026 10:00:00 GMT';
  const now = Date.parse(lastModified) + 3_600_000;
  const guard = loadCloudFrontFunction(file, { now, keyValueStore: { [pipelineHeartbeatKey(1)]: String(now) } });
  const passes = async (value: string) => {
    const event = viewerResponseEvent({ uri: '/live/x.m3u8', statusCode: 200, responseHeaders: { 'last-modified': lastModified, [playlistTypeMetadataHeader]: value } });
    return (await guard.run(event) as { statusCode: number }).statusCode === 200;
  };

  test.each(['multivariant', 'ended', 'vod', 'event', 'VOD', ' Event ', 'MULTIVARIANT', 'live', 'vod2', '', 'véd'])('%j: the edge function agrees with the contract', async (value) => {
    expect(await passes(value)).toBe(isExemptPlaylistType(value));
  });

  test('property: for any metadata value the edge function lets a stale playlist through exactly when the contract exempts it', async () => {
    await fc.assert(fc.asyncProperty(
      fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(...exemptPlaylistTypes).map((value) => ` ${value.toUpperCase()}\t`)),
      async (value) => (await passes(value)) === isExemptPlaylistType(value),
    ), { numRuns: 300 });
  });
});

describe('markPlaylistUpload', () => {
  test.each([
    ['multivariant', 'channel.m3u8', multivariant],
    ['multivariant', 'audio-only.m3u8', '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="en.m3u8"\n'],
    ['ended', 'stream_0/index.m3u8', mediaPlaylist(3, true)],
    ['ended', 'vod.M3U8', mediaPlaylist(3, false).replace('#EXT-X-VERSION:3', '#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD')],
  ])('marks a %s playlist (%s), keeping its content type, cache control and metadata', async (mark, key, text) => {
    const store = new MemoryMarkerStore();
    const etag = store.put(key, text, { encoder: 'x' });
    await expect(markPlaylistUpload(upload(key, etag), { store, pipelines })).resolves.toMatchObject({ decision: 'marked', mark });
    expect(store.objects.get(key)!.attributes).toEqual({
      contentType: 'application/vnd.apple.mpegurl', cacheControl: 'max-age=1', metadata: { encoder: 'x', [playlistTypeMetadataName]: mark },
    });
  });

  test('leaves a live media playlist unmarked after reading its first bytes only', async () => {
    const store = new MemoryMarkerStore();
    const etag = store.put('stream_0/index.m3u8', mediaPlaylist(5, false));
    await expect(markPlaylistUpload(upload('stream_0/index.m3u8', etag), { store, pipelines })).resolves.toMatchObject({ decision: 'skipped', reason: 'live' });
    expect(store.calls).toEqual([`get stream_0/index.m3u8 0-${markerReadLimits.headBytes - 1}`]);
  });

  test('finds EXT-X-ENDLIST at the end of a long playlist, reading a bounded head and tail only', async () => {
    const store = new MemoryMarkerStore();
    const text = mediaPlaylist(5000, true);
    expect(text.length).toBeGreaterThan(100_000);
    const etag = store.put('event/index.m3u8', text);
    const decision = await markPlaylistUpload(upload('event/index.m3u8', etag), { store, pipelines });
    expect(decision).toMatchObject({ decision: 'marked', mark: 'ended' });
    expect(decision.bytesRead).toBe(markerReadLimits.headBytes + markerReadLimits.tailBytes);
    expect(store.calls.slice(0, 2)).toEqual([
      `get event/index.m3u8 0-${markerReadLimits.headBytes - 1}`, `get event/index.m3u8 ${text.length - markerReadLimits.tailBytes}-${text.length - 1}`,
    ]);
    const live = store.put('event/live.m3u8', mediaPlaylist(5000, false));
    await expect(markPlaylistUpload(upload('event/live.m3u8', live), { store, pipelines })).resolves.toMatchObject({ reason: 'live' });
  });

  test('the copy\'s own ObjectCreated:Copy event finds the playlist marked and writes nothing: no loop', async () => {
    const store = new MemoryMarkerStore();
    const etag = store.put('master.m3u8', multivariant);
    await markPlaylistUpload(upload('master.m3u8', etag), { store, pipelines });
    store.calls.length = 0;
    await expect(markPlaylistUpload(upload('master.m3u8', etag, 'ObjectCreated:Copy'), { store, pipelines }))
      .resolves.toMatchObject({ decision: 'skipped', reason: 'already-marked' });
    expect(store.calls.filter((call) => call.startsWith('copy'))).toEqual([]);
  });

  test('never overwrites a newer upload: a re-upload between the read and the copy wins (copy-source-if-match)', async () => {
    const store = new MemoryMarkerStore();
    const etag = store.put('master.m3u8', multivariant);
    store.beforeCopy = () => store.put('master.m3u8', mediaPlaylist(3, false));
    await expect(markPlaylistUpload(upload('master.m3u8', etag), { store, pipelines })).resolves.toMatchObject({ reason: 're-uploaded' });
    expect(store.objects.get('master.m3u8')!.text).toBe(mediaPlaylist(3, false));
    expect(store.objects.get('master.m3u8')!.attributes.metadata).toEqual({});
  });

  test.each([
    ['updated', upload('master.m3u8', 'an-older-etag')],
    ['not-a-playlist', upload('stream_0/index0.ts', 'x')],
    ['not-object-created', upload('master.m3u8', 'x', 'ObjectRemoved:Delete')],
    ['gone', upload('missing.m3u8', 'x')],
  ])('skips: %s', async (reason, event) => {
    const store = new MemoryMarkerStore();
    store.put('master.m3u8', multivariant);
    await expect(markPlaylistUpload(event, { store, pipelines })).resolves.toMatchObject({ decision: 'skipped', reason });
    expect(store.calls.filter((call) => call.startsWith('copy'))).toEqual([]);
  });

  test('skips keys outside the pipelines', async () => {
    const store = new MemoryMarkerStore();
    const etag = store.put('vod/master.m3u8', multivariant);
    await expect(markPlaylistUpload(upload('vod/master.m3u8', etag), { store, pipelines: [{ bucket: 'live', prefix: 'pipeline-a/' }] }))
      .resolves.toMatchObject({ reason: 'outside-pipelines' });
  });
});

describeWithTools(['ffmpeg'], 'the marker on encoder layouts written by ffmpeg, against s3rver, with the shipped edge function', () => {
  const bucket = 'live';
  let workDir: string;
  let layouts: EncoderLayout[];
  let s3: LoopbackS3;
  let cdn: CdnStandIn;
  const invocations: Array<{ eventName: string; key: string; result: PlaylistMarkerResult }> = [];
  const lastModifiedAt = Date.now();

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'marker-'));
    layouts = writeEncoderLayouts(workDir);
    s3 = await startS3([{ name: bucket }]);
    // the module builds its default handler from the environment when loaded, as in Lambda
    const restoreEnvironment = setEnvironment({
      [guardEnvironment.pipelines]: JSON.stringify([{ bucket, prefix: '' }]),
      POWERTOOLS_METRICS_DISABLED: 'true', // EMF lines would flood the test output
    });
    let markerModule: typeof import('../../lambda-src/stale-playlist-guard/mark.lambda') | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      markerModule = require('../../lambda-src/stale-playlist-guard/mark.lambda');
    });
    const handler = markerModule!.createPlaylistMarkerHandler({
      store: new S3PlaylistStore(s3.client), logger: new Logger({ logLevel: 'SILENT' }), metrics: new Metrics({ namespace: 'test', serviceName: 'test' }),
    });
    restoreEnvironment();
    const pending: S3EventRecord[] = [];
    s3.onEvent((record) => pending.push(record));
    for (const layout of layouts) {
      for (const file of filesUnder(path.join(workDir, layout.folder))) {
        const contentType = /\.m3u8$/i.test(file) ? 'application/vnd.apple.mpegurl' : 'video/mp2t';
        await s3.client.send(new PutObjectCommand({
          Bucket: bucket, Key: `${layout.folder}${file}`, Body: fs.readFileSync(path.join(workDir, layout.folder, file)), ContentType: contentType,
        }));
      }
    }
    // S3 invokes the marker for every playlist ObjectCreated (the notification filters on the suffix), including its own copies
    for (let round = 0; pending.length > 0 && round < 1000; round++) {
      const record = pending.shift()!;
      if (!/\.m3u8$/i.test(record.s3.object.key)) continue;
      const result = await handler({ Records: [asS3Delivers(record)] } as S3Event);
      invocations.push({ eventName: record.eventName, key: record.s3.object.key, result });
    }
    expect(pending).toEqual([]);
    const functionFile = path.join(workDir, 'edge-guard.js');
    // the layouts' pipeline at the root and a standby pipeline whose heartbeat is fresh (it would take over)
    fs.writeFileSync(functionFile, renderEdgeGuardFunction({ staleAfterMs: 18_000, pipelinePrefixes: ['', 'standby/'] }));
    // an hour after the uploads every playlist is far older than the threshold
    const now = lastModifiedAt + 3_600_000;
    const guard = loadCloudFrontFunction(functionFile, { now: () => now, keyValueStore: { [pipelineHeartbeatKey(1)]: String(now) } });
    cdn = await startCdnStandIn({
      origin: `${s3.endpoint}/${bucket}`,
      behaviors: [
        { pathPattern: '*.m3u8', ttlSeconds: 0, viewerResponseFunction: guard },
        { pathPattern: '*.M3U8', ttlSeconds: 0, viewerResponseFunction: guard },
        { pathPattern: '*', ttlSeconds: 60 },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await cdn?.close();
    await s3?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('ffmpeg wrote every layout: multivariant playlists under every name, media playlists live or ended', () => {
    expect(layouts.map((layout) => layout.folder)).toHaveLength(10);
    const master = fs.readFileSync(path.join(workDir, 'ffmpeg-index/index.m3u8'), 'utf8');
    expect(master).toContain('#EXT-X-STREAM-INF:');
    expect(master).toContain('stream_0/index.m3u8');
    expect(fs.readFileSync(path.join(workDir, 'ffmpeg-index/stream_0/index.m3u8'), 'utf8')).not.toContain('#EXT-X-ENDLIST');
    expect(fs.readFileSync(path.join(workDir, 'ended/stream_0/index.m3u8'), 'utf8')).toContain('#EXT-X-ENDLIST');
    expect(Object.keys(layouts.find((layout) => layout.folder === 'medialive/')!.playlists).sort())
      .toEqual(['channel.m3u8', 'channel_1080p.m3u8', 'channel_720p.m3u8']);
  });

  test('marks every multivariant and ended playlist and no live one, keeping the content type', async () => {
    for (const layout of layouts) {
      for (const [key, role] of Object.entries(layout.playlists)) {
        const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${layout.folder}${key}` }));
        expect({ key: `${layout.folder}${key}`, mark: head.Metadata?.[playlistTypeMetadataName] })
          .toEqual({ key: `${layout.folder}${key}`, mark: role === 'live' ? undefined : role });
        expect(head.ContentType).toBe('application/vnd.apple.mpegurl');
      }
    }
  });

  test('each copy raised one more event, and that event wrote nothing: no loop', () => {
    const copies = invocations.filter((invocation) => invocation.eventName === 'ObjectCreated:Copy');
    const marked = invocations.filter((invocation) => invocation.result.decisions.some((decision) => decision.decision === 'marked'));
    const expectedMarks = layouts.flatMap((layout) => Object.values(layout.playlists)).filter((role) => role !== 'live').length;
    expect(marked).toHaveLength(expectedMarks);
    expect(copies).toHaveLength(expectedMarks);
    expect(copies.every((copy) => copy.result.decisions.every((decision) => decision.decision === 'skipped' && decision.reason === 'already-marked'))).toBe(true);
  });

  test('the shipped edge function answers 404 only for the live media playlists (another pipeline healthy), whatever the multivariant name', async () => {
    for (const layout of layouts) {
      for (const [key, role] of Object.entries(layout.playlists)) {
        const urlPath = `/${layout.folder}${key}`.split('/').map(encodeURIComponent).join('/');
        const response = await fetch(`${cdn.origin}${urlPath}`);
        expect({ key: `${layout.folder}${key}`, status: response.status }).toEqual({ key: `${layout.folder}${key}`, status: role === 'live' ? 404 : 200 });
      }
    }
  });
});
