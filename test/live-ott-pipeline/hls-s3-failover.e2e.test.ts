/**
 * LiveOttPipeline's S3 packaging end to end: a STANDARD pipeline is synthesized with HLS-to-S3 packaging; a MediaLive
 * stand-in (one real-time ffmpeg per pipeline) writes the layout that channel's HLS output group writes, named from
 * the synthesized channel (destinations, renditions, segment length, window), with redundant main manifests, into
 * one folder of s3rver; the guard's marker runs on s3rver's notifications with the synthesized configuration (one
 * guard pipeline per MediaLive pipeline, by key prefix) and publishes each pipeline's heartbeat through the real
 * KeyValueStore SDK client to the KeyValueStore stand-in; the CDN stand-in applies the synthesized distribution's
 * behaviors with the synthesized guard function reading that store; hls.js in Chromium plays pipeline 0's main
 * manifest, the playback URL, and pipeline 0 is killed mid-play.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MediaLiveHlsS3StandIn, StandInRendition } from './medialive-hls-s3-stand-in';
import type { PipelineLocation } from '../../lambda-src/stale-playlist-guard/check';
import { ChannelClass, EncodingProfile, LiveInput, LiveOttPipeline, Packaging } from '../../src';
import { destinationKeyPrefix, pipelineBaseFilename } from '../../src/live-ott-pipeline/contract/hls-s3-layout';
import { guardEnvironment, pipelineHeartbeatKey, playlistTypeMetadataName, stalePlaylistHeader } from '../../src/stale-playlist-guard/contract/protocol';
import { defaultStaleAfterTargetDurations, staleAfterMs as staleAfterMsFor } from '../../src/stale-playlist-guard/contract/staleness';
import { renderEdgeGuardFunction } from '../../src/stale-playlist-guard/edge-function';
import { CdnBehavior, CdnRequestRecord, CdnStandIn, startCdnStandIn } from '../harness/cdn-stand-in';
import { loadCloudFrontFunction } from '../harness/cloudfront-function';
import { standInBehaviors } from '../harness/cloudfront-template';
import { failoverPlaylistLoadPolicy, HlsPlayer, PlaybackResult } from '../harness/hls-player';
import { KeyValueStoreStandIn, startKeyValueStore } from '../harness/key-value-store';
import { LoopbackS3, startS3 } from '../harness/s3';
import { describeWithTools } from '../harness/tools';
import { LoopbackMarker, runMarkerOnLoopbackS3 } from '../stale-playlist-guard/marker-module';

const PREFIX = 'live/';
const BASE = 'channel';
const SEGMENT_SECONDS = 2;
const TD_MS = SEGMENT_SECONDS * 1000;
/** The S3 stand-in's bucket (the synthesized bucket's name is a token). */
const BUCKET = 'output';
/** hls.js's default live delay: three segments behind the newest. */
const LIVE_SYNC_SEGMENTS = 3;

/** The synthesized pipeline: STANDARD, a two-rendition ladder small enough for ffmpeg in real time, 2 s segments, a 4-segment window. */
function synthesize(): { template: Template; pipeline: LiveOttPipeline; stack: Stack } {
  const stack = new Stack(new App(), 'Live', { env: { account: '111111111111', region: 'eu-west-1' } });
  const pipeline = new LiveOttPipeline(stack, 'Live', {
    channelClass: ChannelClass.STANDARD,
    input: LiveInput.urlPull({ urls: ['https://a.example.com/live/index.m3u8', 'https://b.example.com/live/index.m3u8'] }),
    encoding: EncodingProfile.custom({
      framerate: 25,
      renditions: [
        { width: 256, height: 144, maxBitrate: 300_000, qualityLevel: 7 },
        { width: 192, height: 108, maxBitrate: 150_000, qualityLevel: 7 },
      ],
    }),
    segmentLength: Duration.seconds(SEGMENT_SECONDS),
    packaging: Packaging.hlsToS3({ prefix: PREFIX, baseFilename: BASE, playlistWindow: Duration.seconds(4 * SEGMENT_SECONDS) }),
  });
  return { template: Template.fromStack(stack), pipeline, stack };
}

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, any>;
}

/** The only resource of `type`. */
function only(resources: Record<string, Resource>, type: string): Resource {
  const found = Object.values(resources).filter((resource) => resource.Type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/**
 * The distribution's behaviors for the CDN stand-in (TTLs and cache keys from the template), with the synthesized
 * guard function (reading the KeyValueStore stand-in) on the behaviors that associate it and the custom headers of
 * their response headers policy.
 */
function guardedBehaviors(
  template: Template, originUrl: string, functionFile: string, keyValueStore: Record<string, string>,
): { behaviors: CdnBehavior[]; errorTtlSeconds: number } {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const config = only(resources, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
  const declared = [...(config.CacheBehaviors ?? []), config.DefaultCacheBehavior] as Array<Record<string, any>>;
  const behaviors = standInBehaviors(template, () => originUrl, (_logicalId, code) => {
    fs.writeFileSync(functionFile, code);
    return loadCloudFrontFunction(functionFile, { keyValueStore });
  }).map((behavior, index): CdnBehavior => {
    const policyId = declared[index].ResponseHeadersPolicyId?.Ref;
    const policy = policyId ? resources[policyId].Properties.ResponseHeadersPolicyConfig : undefined;
    const headers = (policy?.CustomHeadersConfig?.Items ?? []) as Array<{ Header: string; Value: string }>;
    return {
      ...behavior,
      responseHeaders: headers.length > 0 ? Object.fromEntries(headers.map((header) => [header.Header.toLowerCase(), header.Value])) : undefined,
    };
  });
  const errorResponses = config.CustomErrorResponses as Array<{ ErrorCode: number; ErrorCachingMinTTL: number }>;
  const notFound = errorResponses.find((response) => response.ErrorCode === 404)!;
  return { behaviors, errorTtlSeconds: notFound.ErrorCachingMinTTL };
}

/**
 * What the synthesized guard configures its marker with: the pipelines (the bucket's name, a token, read as the
 * stand-in's bucket) and the heartbeat interval. Nothing here is configured by the test.
 */
function markerConfiguration(template: Template): { pipelines: PipelineLocation[]; heartbeatIntervalMs: number } {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const marker = Object.values(resources).find((resource) => resource.Type === 'AWS::Lambda::Function'
    && String(resource.Properties.Description).includes('stale-playlist-guard/mark'))!;
  const variables = marker.Properties.Environment.Variables;
  const joined = variables[guardEnvironment.pipelines]['Fn::Join'][1] as unknown[];
  return {
    pipelines: JSON.parse(joined.map((part) => (typeof part === 'string' ? part : BUCKET)).join('')),
    heartbeatIntervalMs: Number(variables[guardEnvironment.heartbeatIntervalMs]),
  };
}

/** The stand-in's view of the synthesized channel: renditions, segment length and window, checked against the layout. */
interface ChannelLayout {
  readonly renditions: StandInRendition[];
  readonly segmentLengthSeconds: number;
  readonly playlistSegments: number;
  /** The literal tail of each destination URL after the bucket, e.g. `/live/channel-a`. */
  readonly destinations: string[];
}

function channelLayout(template: Template): ChannelLayout {
  const channel = only(template.toJSON().Resources as Record<string, Resource>, 'AWS::MediaLive::Channel').Properties;
  const group = channel.EncoderSettings.OutputGroups[0];
  type VideoDescription = { Name: string; Width: number; Height: number; CodecSettings: { H264Settings: { MaxBitrate: number } } };
  const descriptions = channel.EncoderSettings.VideoDescriptions as VideoDescription[];
  return {
    renditions: descriptions.map((description) => ({
      name: description.Name,
      width: description.Width,
      height: description.Height,
      videoKbps: description.CodecSettings.H264Settings.MaxBitrate / 1000,
    })),
    segmentLengthSeconds: group.OutputGroupSettings.HlsGroupSettings.SegmentLength,
    playlistSegments: group.OutputGroupSettings.HlsGroupSettings.IndexNSegments,
    destinations: (channel.Destinations[0].Settings as Array<{ Url: { 'Fn::Join': [string, unknown[]] } }>).map((setting) => setting.Url['Fn::Join'][1].at(-1) as string),
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the CDN and the player saw, in ms from `zero`: for a failure message, so a real-time failure explains itself. */
function timeline(zero: number, requests: readonly CdnRequestRecord[], result: PlaybackResult, heartbeats: Record<string, string>): string {
  const at = (ms: number) => `${ms - zero >= 0 ? '+' : ''}${ms - zero}`;
  const playlists = requests.filter((request) => request.path.endsWith('.m3u8') || request.status >= 400).map((request) =>
    `${at(request.time)} ${request.status} ${request.cache} ${request.path}${request.headers[stalePlaylistHeader] ? ` (${request.headers[stalePlaylistHeader]})` : ''}`);
  const errors = result.errors.map((error) => `${error.fatal ? 'fatal ' : ''}${error.details} ${error.code ?? ''} ${error.url ?? ''} ${error.reason ?? ''}`);
  const pipelines = [...new Set(result.fragments.map((fragment) => new URL(fragment.url).pathname.split('_')[0]))];
  return [
    `player: ${result.outcome} at ${result.currentTime.toFixed(1)} s after ${result.wallSeconds.toFixed(1)} s; fragments from ${pipelines.join(', ') || 'nowhere'}`,
    `last heartbeats: ${Object.entries(heartbeats).map(([key, value]) => `${key} ${at(Number(value))}`).join(', ')}`,
    'CDN playlist requests and errors (arrival, status, cache):', ...playlists,
    'player errors:', ...errors,
  ].join('\n');
}

/** Runs `assertions`; a failure's message gets `explain()` appended. */
function explained(assertions: () => void, explain: () => string): void {
  try {
    assertions();
  } catch (error) {
    throw new Error(`${(error as Error).message}\n\nms from the pipeline's stop:\n${explain()}`);
  }
}

describeWithTools(['ffmpeg', 'chromium'], 'LiveOttPipeline S3 packaging: MediaLive HLS-to-S3 layout -> s3rver -> CDN + guard -> hls.js, across a pipeline failure', () => {
  const { template, pipeline, stack } = synthesize();
  const layout = channelLayout(template);
  const markerConfig = markerConfiguration(template);
  const windowSegments = layout.playlistSegments;
  let workDir: string;
  let s3: LoopbackS3;
  let kvs: KeyValueStoreStandIn;
  let marker: LoopbackMarker;
  let cdn: CdnStandIn;
  let medialive: MediaLiveHlsS3StandIn;
  let player: HlsPlayer;
  let staleAfterMs: number;
  const measured: Record<string, number> = {};
  const playbackPath = () => {
    const url = stack.resolve(pipeline.hlsPlaybackUrl) as { 'Fn::Join': [string, unknown[]] };
    return url['Fn::Join'][1].at(-1) as string; // after https://<distribution domain>
  };

  /**
   * hls.js at its default live delay, started a quarter second after the point liveSync would pick (the first window
   * spans [0, window x TD)), so the stall measurement knows where playback began; a playlist 404 fails over at once and
   * an origin hiccup (a 5xx or a timeout) is retried, so only the guard makes the player leave pipeline 0.
   */
  const hlsConfig = {
    liveSyncDurationCount: LIVE_SYNC_SEGMENTS,
    startPosition: (windowSegments - LIVE_SYNC_SEGMENTS) * SEGMENT_SECONDS + 0.25,
    playlistLoadPolicy: failoverPlaylistLoadPolicy,
  };

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hls-s3-e2e-'));
    s3 = await startS3([{ name: BUCKET, cors: true }]);
    kvs = await startKeyValueStore();
    // the marker as the synthesized guard configures it: one pipeline per MediaLive pipeline, heartbeats to the store
    marker = runMarkerOnLoopbackS3({
      s3, pipelines: markerConfig.pipelines, heartbeats: { store: kvs, intervalMs: markerConfig.heartbeatIntervalMs },
    });
    const { behaviors, errorTtlSeconds } = guardedBehaviors(template, `${s3.endpoint}/${BUCKET}`, path.join(workDir, 'stale-playlist-guard.js'), kvs.data);
    // the threshold the synthesized function applies: the guard's default for this segment length and playlist TTL
    const playlistTtlMs = behaviors.find((behavior) => behavior.viewerResponseFunction)!.ttlSeconds * 1000;
    staleAfterMs = staleAfterMsFor(SEGMENT_SECONDS, defaultStaleAfterTargetDurations(SEGMENT_SECONDS, playlistTtlMs));
    expect(fs.readFileSync(path.join(workDir, 'stale-playlist-guard.js'), 'utf8'))
      .toBe(renderEdgeGuardFunction({ staleAfterMs, pipelinePrefixes: markerConfig.pipelines.map((location) => location.prefix) }));
    cdn = await startCdnStandIn({ origin: `${s3.endpoint}/${BUCKET}`, behaviors, errorTtlSeconds });
    medialive = await MediaLiveHlsS3StandIn.start({
      client: s3.client,
      bucket: BUCKET,
      prefix: PREFIX,
      baseFilename: BASE,
      renditions: layout.renditions,
      segmentLengthSeconds: layout.segmentLengthSeconds,
      playlistSegments: windowSegments,
    });
    // a full window on both pipelines before anyone plays
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      // s3rver on a loaded machine resets a connection now and then (before or during the body): that poll just counts as not full yet
      const full = await Promise.all([0, 1].map(async (index) => {
        const response = await fetch(`${s3.endpoint}/${BUCKET}/${medialive.childManifestKeys(index)[0]}`).catch(() => undefined);
        const text = response?.ok === true ? await response.text().catch(() => '') : '';
        return (text.match(/#EXTINF/g) ?? []).length >= windowSegments;
      }));
      if (full.every(Boolean) && medialive.writes.some((write) => write.key === medialive.mainManifestKey(1))) break;
      await sleep(500);
    }
    player = await HlsPlayer.launch();
  }, 180_000);

  afterAll(async () => {
    await medialive?.close();
    await player?.close();
    await cdn?.close();
    await marker?.settled();
    await kvs?.close();
    await s3?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    if (Object.keys(measured).length > 0) process.stderr.write(`hls-s3 e2e measurements: ${JSON.stringify(measured)}\n`);
  });

  test('the synthesized channel writes MediaLive\'s layout: destinations in one folder, redundant main manifests, a guard pipeline each with its heartbeat', async () => {
    expect(layout.destinations).toEqual([0, 1].map((index) => `/${PREFIX}${pipelineBaseFilename(BASE, index)}`));
    // the guard's pipelines are the destinations' key prefixes, derived from MediaLive's naming, not configured
    expect(markerConfig.pipelines).toEqual([0, 1].map((index) => ({ bucket: BUCKET, prefix: destinationKeyPrefix(PREFIX, BASE, index) })));
    expect(markerConfig.pipelines.map((location) => `/${location.prefix}`)).toEqual(layout.destinations);
    expect(playbackPath()).toBe(`/${medialive.mainManifestKey(0)}`);
    expect(staleAfterMs).toBe(3.5 * TD_MS); // TD 2 s: the smallest safe multiple, rounded up to a quarter
    await marker.settled();
    expect(marker.errors).toEqual([]);
    // both pipelines beat: each one's uploads reached the store under its own key
    const now = Date.now();
    for (const index of [0, 1]) expect(now - Number(kvs.data[pipelineHeartbeatKey(index)])).toBeLessThanOrEqual(staleAfterMs);
    for (const index of [0, 1]) {
      const main = await s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: medialive.mainManifestKey(index) }));
      expect(main.Metadata?.[playlistTypeMetadataName]).toBe('multivariant');
      for (const key of medialive.childManifestKeys(index)) {
        const child = await s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
        expect(child.Metadata?.[playlistTypeMetadataName]).toBeUndefined();
      }
    }
    // pipeline 0's main manifest: each variant of its own pipeline, then the same attributes for pipeline 1
    const main = await (await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: medialive.mainManifestKey(0) }))).Body!.transformToString();
    const lines = main.split('\n').filter((line) => line !== '');
    const uris = lines.filter((line) => !line.startsWith('#'));
    const [own, other] = [0, 1].map((index) => medialive.childManifestKeys(index).map((key) => key.slice(PREFIX.length)));
    expect(uris).toEqual(own.flatMap((key, index) => [key, other[index]]));
    const streamInfs = lines.filter((line) => line.startsWith('#EXT-X-STREAM-INF:'));
    expect(streamInfs).toHaveLength(2 * layout.renditions.length);
    for (let index = 0; index < streamInfs.length; index += 2) expect(streamInfs[index]).toBe(streamInfs[index + 1]);
    // child manifests list segments named <base><modifier>_<$dt$>_<counter>.ts, with a program date time each
    const child = await (await fetch(`${cdn.origin}/${medialive.childManifestKeys(1)[1]}`)).text();
    const segments = child.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(segments.length).toBe(windowSegments);
    const modifier = `${pipelineBaseFilename(BASE, 1)}-${layout.renditions[1].name}`;
    expect(segments.every((segment) => new RegExp(`^${modifier}_\\d{8}T\\d{6}_\\d{5}\\.ts$`).test(segment))).toBe(true);
    expect(child).toContain(`#EXT-X-TARGETDURATION:${SEGMENT_SECONDS}\n`);
    expect((child.match(/#EXT-X-PROGRAM-DATE-TIME:/g) ?? []).length).toBe(windowSegments);
    // the CDN answers the main manifest with the guard's playlist headers, and never a 404 while both pipelines run
    const response = await fetch(`${cdn.origin}${playbackPath()}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(cdn.requests.filter((request) => request.status === 404)).toEqual([]);
  }, 60_000);

  test('when pipeline 0 dies mid-play, its child manifests turn 404 within the guard\'s bound and hls.js plays on from pipeline 1', async () => {
    const from = Date.now();
    const playing = player.play(`${cdn.origin}${playbackPath()}`, { rate: 1, timeoutMs: 32_000, hlsConfig });
    // let the player settle on pipeline 0, then kill it right after it wrote its child manifests: the slowest case to detect
    await sleep(6000);
    await medialive.nextChildManifestWrite(0, 10_000);
    await medialive.stopPipeline(0);
    const stoppedAt = Date.now();
    const result: PlaybackResult = await playing;
    const requests: CdnRequestRecord[] = cdn.requests.filter((request) => request.time >= from);
    const pipeline0 = new RegExp(`^/${PREFIX}${pipelineBaseFilename(BASE, 0)}-`);
    const pipeline1 = `/${PREFIX}${pipelineBaseFilename(BASE, 1)}-`;

    explained(() => {
      // the CDN: the guard's 404s, for pipeline 0's child manifests only, only after it stopped, within threshold + TTL + a reload
      const notFound = requests.filter((request) => request.status >= 400 && request.status < 500);
      expect(notFound.length).toBeGreaterThan(0);
      expect(notFound.every((request) => pipeline0.test(request.path) && request.path.endsWith('.m3u8') && request.status === 404 && request.time > stoppedAt)).toBe(true);
      expect(notFound.every((request) => new RegExp('^age=\\d+s$').test(request.headers[stalePlaylistHeader]) && request.headers['cache-control'] === 'no-store')).toBe(true);
      const detectionMs = notFound[0].finishedAt - stoppedAt;
      // each rendition's child manifest is written on its own segment boundary, so the one that turned 404 may predate the
      // write that triggered the stop: age counts from its own last write. S3 stamps the object after the request
      // arrived, and Last-Modified drops the milliseconds: never before threshold - 1 s
      const notFoundKey = decodeURIComponent(notFound[0].path.slice(1));
      const lastWrite = medialive.writes.filter((write) => write.method === 'PUT' && write.key === notFoundKey).at(-1)!;
      const sinceLastWriteMs = notFound[0].finishedAt - lastWrite.startedAt;
      expect(sinceLastWriteMs).toBeGreaterThan(staleAfterMs - 1000);
      expect(detectionMs).toBeLessThanOrEqual(staleAfterMs + 2 * TD_MS);

      // the player: never fatal, still live at the end, its network errors only pipeline 0's 404s
      expect(result.outcome).toBe('timeout');
      expect(result.errors.filter((error) => error.fatal)).toEqual([]);
      const networkErrors = result.errors.filter((error) => error.type === 'networkError' && (error.code ?? 0) >= 400 && (error.code ?? 0) < 500);
      expect(networkErrors.every((error) => error.code === 404 && pipeline0.test(new URL(error.url ?? 'http://x/').pathname))).toBe(true);

      // continuity: pipeline 0's segments, then pipeline 1's, and playback past the detection by several segments
      const switchedAt = result.fragments.findIndex((fragment) => new URL(fragment.url).pathname.startsWith(pipeline1));
      expect(switchedAt).toBeGreaterThan(0);
      expect(result.fragments.slice(0, switchedAt).every((fragment) => pipeline0.test(new URL(fragment.url).pathname))).toBe(true);
      expect(result.fragments.slice(switchedAt).every((fragment) => new URL(fragment.url).pathname.startsWith(pipeline1))).toBe(true);
      expect(result.fragments.length - switchedAt).toBeGreaterThanOrEqual(3);
      // wallSeconds counts from loadSource, which precedes the main manifest request: this end is never early
      const snapshotAt = requests.find((request) => request.path === playbackPath())!.time + result.wallSeconds * 1000;
      expect(snapshotAt - notFound[0].finishedAt).toBeGreaterThan(3 * TD_MS);
      // pipeline 1's segments line up with pipeline 0's by program date time: no jump back or ahead by a segment or more
      const [before, after] = [result.fragments[switchedAt - 1], result.fragments[switchedAt]];
      expect(Math.abs(after.programDateTime! - (before.programDateTime! + before.duration * 1000))).toBeLessThan(TD_MS);

      // the stall: wall time the playhead stood still from the first segment's arrival to the end (start-up included),
      // counting media the player skipped over (a hole between two played segments) as not played
      expect(result.fragments[0].start).toBe((windowSegments - LIVE_SYNC_SEGMENTS) * SEGMENT_SECONDS);
      const firstSegment = requests.find((request) => request.path.endsWith('.ts'))!;
      const skippedMs = result.fragments.slice(1).reduce((sum, fragment, index) => {
        const previous = result.fragments[index];
        return sum + Math.max(0, fragment.start - (previous.start + previous.duration)) * 1000;
      }, 0);
      const stallMs = snapshotAt - firstSegment.finishedAt - ((result.currentTime - hlsConfig.startPosition) * 1000 - skippedMs);
      expect(stallMs).toBeLessThanOrEqual(3 * TD_MS);
      Object.assign(measured, {
        staleAfterMs,
        detectionAfterStopMs: detectionMs,
        detectionAfterLastWriteMs: sinceLastWriteMs,
        stallUpperBoundMs: Math.round(stallMs),
        playedAfterDetectionMs: snapshotAt - notFound[0].finishedAt,
        nonFatalErrors: result.errors.length,
        standInErrors: medialive.errors.length,
      });
      expect(marker.errors).toEqual([]);
      expect(medialive.errors).toEqual([]);
      // the encoders pruned old segments, as MediaLive's live mode does, and never a playlist (the channel role may not)
      const deletes = medialive.writes.filter((write) => write.method === 'DELETE');
      expect(deletes.length).toBeGreaterThan(0);
      expect(deletes.every((write) => write.key.endsWith('.ts'))).toBe(true);
    }, () => timeline(stoppedAt, requests, result, kvs.data));
  }, 90_000);
});
