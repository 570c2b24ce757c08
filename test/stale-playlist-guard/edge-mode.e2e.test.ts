/**
 * StalePlaylistGuard edge mode end to end: a simulated live encoder with two redundant pipelines writes
 * to s3rver (its multivariant playlist named `channel.m3u8`, as MediaLive names it, at the bucket root), the guard's
 * marker runs on s3rver's notifications and publishes each pipeline's heartbeat through the real KeyValueStore SDK
 * client to the KeyValueStore stand-in, the CDN stand-in has the behaviors the construct deploys for pipelines
 * `pipeline-a/` and `pipeline-b/` and runs the rendered guard function (reading that store) on their playlists with
 * the construct's response headers, and hls.js in Chromium plays through it in real time, through Chromium's own HTTP cache.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { LoopbackMarker, runMarkerOnLoopbackS3 } from './marker-module';
import { playlistPathPatternSuffix } from '../../src/stale-playlist-guard/contract/playlist-marks';
import { pipelineHeartbeatKey, playlistTypeMetadataName } from '../../src/stale-playlist-guard/contract/protocol';
import { heartbeatIntervalMs } from '../../src/stale-playlist-guard/contract/staleness';
import { renderEdgeGuardFunction } from '../../src/stale-playlist-guard/edge-function';
import { CdnRequestRecord, CdnStandIn, startCdnStandIn } from '../harness/cdn-stand-in';
import { loadCloudFrontFunction } from '../harness/cloudfront-function';
import { hlsFixtureFormat, hlsFixtures } from '../harness/hls-fixtures';
import { failoverPlaylistLoadPolicy, HlsPlayer, PlaybackResult } from '../harness/hls-player';
import { KeyValueStoreStandIn, startKeyValueStore } from '../harness/key-value-store';
import { LiveEncoder, streamInfByRendition } from '../harness/live-encoder';
import { LoopbackS3, startS3 } from '../harness/s3';
import { describeWithTools } from '../harness/tools';

const TD_MS = 2000;
const WINDOW_SEGMENTS = 4;
const STALE_AFTER_MS = 3 * TD_MS;
const PLAYLIST_TTL_MS = TD_MS / 2;
/** S3's Last-Modified is whole seconds, so a playlist can look up to 1 s older than it is. */
const LAST_MODIFIED_GRANULARITY_MS = 1000;
const PIPELINE_A_PLAYLIST = /^\/pipeline-a\/[^/]+\/index\.m3u8$/;
const MEDIA_PLAYLIST = /^\/pipeline-[ab]\/[^/]+\/index\.m3u8$/;
/** The guard's pipelines, as the construct configures the marker and the function. */
const PIPELINES = [{ bucket: 'live', prefix: 'pipeline-a/' }, { bucket: 'live', prefix: 'pipeline-b/' }];
const SEGMENT = /\.ts$/;
const MULTIVARIANT = 'channel.m3u8';
/** What the guard's playlist response headers policy adds. */
const PLAYLIST_HEADERS = { 'cache-control': 'no-cache' };
/** Largest total time the playhead may stand still in a session (start-up included); a loaded 2-core machine stays within it. */
const STALL_BOUND_MS = 2 * TD_MS;
/** Longest the restart test polls for every playlist of the restarted pipeline to answer 200. */
const RECOVERY_POLL_BOUND_MS = 12_000;

/**
 * hls.js near the live edge: liveSyncDurationCount 2 sets the latency target, and startPosition pins the start
 * so the stall measurement knows it exactly. The first window a player loads spans [0, 4 x TD) of its timeline,
 * so liveSync would start at about 2 x TD; this starts a quarter second later (slightly less buffer, a harsher
 * test), because exactly on the boundary the video buffer begins a few ms late and hls.js reports a
 * bufferSeekOverHole. A playlist 404 fails over at once, as the guard intends; an origin hiccup is retried.
 */
const hlsConfig = {
  liveSyncDurationCount: 2,
  startPosition: (WINDOW_SEGMENTS - 2) * TD_MS / 1000 + 0.25,
  playlistLoadPolicy: failoverPlaylistLoadPolicy,
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A playback session observed for a fixed wall-time window, with the CDN requests made meanwhile. */
interface Session {
  readonly result: PlaybackResult;
  /** Wall time when the session was started and when play() returned (ms since epoch). */
  readonly from: number;
  readonly to: number;
  readonly requests: CdnRequestRecord[];
}

/**
 * Upper bound of the time the playhead stood still, in ms (the harness records no wall time per fragment, so
 * this compares playhead progress with wall time): from the first segment's arrival (playback cannot start
 * earlier) to the snapshot (wallSeconds after loadSource, which precedes the master playlist request), minus
 * how far the playhead moved from the configured start. Start-up time counts as stall, so it over-estimates.
 */
function stallUpperBoundMs(session: Session): number {
  expect(session.result.fragments[0].start).toBe((WINDOW_SEGMENTS - 2) * TD_MS / 1000); // started where configured
  const master = session.requests.find((r) => r.path === `/${MULTIVARIANT}`)!;
  const firstSegment = session.requests.find((r) => SEGMENT.test(r.path))!;
  const snapshotAt = master.time + session.result.wallSeconds * 1000;
  const progressMs = (session.result.currentTime - hlsConfig.startPosition) * 1000;
  return snapshotAt - firstSegment.finishedAt - progressMs;
}

/** Largest wall-time gap between two consecutive segment fetches of the session, in ms. */
function largestSegmentFetchGapMs(session: Session): number {
  const times = session.requests.filter((r) => SEGMENT.test(r.path)).map((r) => r.time);
  return Math.max(...times.slice(1).map((time, i) => time - times[i]));
}

describeWithTools(['ffmpeg', 'chromium'], 'StalePlaylistGuard edge mode: live redundant encoder -> s3rver -> CDN + guard -> hls.js', () => {
  let workDir: string;
  let s3: LoopbackS3;
  let kvs: KeyValueStoreStandIn;
  let cdn: CdnStandIn;
  let encoder: LiveEncoder;
  let player: HlsPlayer;
  let marker: LoopbackMarker;
  const measured: Record<string, number> = {};

  async function observe(timeoutMs: number, during?: (from: number) => Promise<void>): Promise<Session> {
    const from = Date.now();
    const playing = player.play(`${cdn.origin}/${MULTIVARIANT}`, { rate: 1, timeoutMs, hlsConfig });
    await during?.(from);
    const result = await playing;
    const to = Date.now();
    return { result, from, to, requests: cdn.requests.filter((r) => r.time >= from && r.time <= to) };
  }

  function fetchCdn(key: string): Promise<Response> {
    return fetch(`${cdn.origin}/${key}`);
  }

  beforeAll(async () => {
    const set = hlsFixtures().sets['content-ts'];
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-mode-'));
    const functionFile = path.join(workDir, 'stale-playlist-guard.js');
    fs.writeFileSync(functionFile, renderEdgeGuardFunction({ staleAfterMs: STALE_AFTER_MS, pipelinePrefixes: PIPELINES.map((p) => p.prefix) }));
    s3 = await startS3([{ name: 'live', cors: true }]);
    kvs = await startKeyValueStore();
    // the marker, as S3 invokes it: once per playlist ObjectCreated (its own copies included), one event at a time here
    const intervalMs = heartbeatIntervalMs(TD_MS / 1000, STALE_AFTER_MS);
    marker = runMarkerOnLoopbackS3({ s3, pipelines: PIPELINES, heartbeats: { store: kvs, intervalMs } });
    const guard = loadCloudFrontFunction(functionFile, { keyValueStore: kvs.data });
    const playlist = { ttlSeconds: PLAYLIST_TTL_MS / 1000, responseHeaders: PLAYLIST_HEADERS };
    // the construct's behaviors, in its order: each pipeline's playlists (judged) and segments, then playlists elsewhere (not judged)
    cdn = await startCdnStandIn({
      origin: `${s3.endpoint}/live`,
      behaviors: [
        ...PIPELINES.flatMap(({ prefix }) => [
          { pathPattern: `${prefix}*${playlistPathPatternSuffix}`, ...playlist, viewerResponseFunction: guard },
          { pathPattern: `${prefix}*`, ttlSeconds: 60 },
        ]),
        { pathPattern: `*${playlistPathPatternSuffix}`, ...playlist },
        { pathPattern: '*', ttlSeconds: 60 },
      ],
    });
    const streamInf = streamInfByRendition(path.join(set.dir, hlsFixtureFormat.multivariantFile));
    encoder = await LiveEncoder.start({
      client: s3.client,
      bucket: 'live',
      pipelines: ['pipeline-a', 'pipeline-b'],
      renditions: hlsFixtureFormat.renditions.map((name) => ({
        name,
        streamInf: streamInf[name],
        segmentFiles: Array.from({ length: set.segmentCount }, (_, i) => path.join(set.dir, name, `seg_${String(i).padStart(3, '0')}.ts`)),
      })),
      targetDurationSeconds: TD_MS / 1000,
      windowSize: WINDOW_SEGMENTS,
      multivariantKey: MULTIVARIANT,
    });
    player = await HlsPlayer.launch();
  }, 120_000);

  afterAll(async () => {
    await encoder?.stop();
    await player?.close();
    await cdn?.close();
    await kvs?.close();
    await s3?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    if (Object.keys(measured).length > 0) process.stderr.write(`edge-mode e2e measurements: ${JSON.stringify(measured)}\n`);
  });

  afterEach(() => {
    expect(encoder.errors).toEqual([]);
    expect(marker.errors).toEqual([]);
  });

  test('the encoder writes a redundant multivariant playlist and sliding-window live playlists; the marker publishes both heartbeats', async () => {
    await marker.settled();
    // the multivariant playlist sits outside the pipelines: the catch-all behavior serves it, never judged, so it needs no mark
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: 'live', Key: MULTIVARIANT }));
    expect(head.Metadata?.[playlistTypeMetadataName]).toBeUndefined();
    const media = await s3.client.send(new HeadObjectCommand({ Bucket: 'live', Key: 'pipeline-a/360p/index.m3u8' }));
    expect(media.Metadata?.[playlistTypeMetadataName]).toBeUndefined();
    // each pipeline's heartbeat, written through the SDK (SigV4A) at most once a second per pipeline
    const now = Date.now();
    for (const index of [0, 1]) expect(now - Number(kvs.data[pipelineHeartbeatKey(index)])).toBeLessThanOrEqual(STALE_AFTER_MS);
    expect(kvs.requests.filter((r) => r.method === 'PUT').every((r) => /^AWS4-ECDSA-P256-SHA256 /.test(String(r.headers.authorization)))).toBe(true);
    const response = await fetchCdn(MULTIVARIANT);
    expect(cdn.requests.at(-1)).toMatchObject({ behavior: `*${playlistPathPatternSuffix}`, functionRan: false });
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const master = await response.text();
    const variants = master.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(variants).toEqual(['pipeline-a/360p/index.m3u8', 'pipeline-b/360p/index.m3u8', 'pipeline-a/180p/index.m3u8', 'pipeline-b/180p/index.m3u8']);
    const streamInfs = master.split('\n').filter((line) => line.startsWith('#EXT-X-STREAM-INF:'));
    expect(streamInfs[0]).toBe(streamInfs[1]);
    expect(streamInfs[2]).toBe(streamInfs[3]);

    const mediaText = await (await fetchCdn('pipeline-b/180p/index.m3u8')).text();
    expect(mediaText).toContain('#EXT-X-TARGETDURATION:2\n');
    expect(mediaText.match(/#EXTINF:2\.000,/g)).toHaveLength(WINDOW_SEGMENTS);
    expect(mediaText).not.toContain('#EXT-X-ENDLIST');
    expect(encoder.mediaPlaylist(21)).toMatch(/#EXT-X-MEDIA-SEQUENCE:18\n#EXT-X-DISCONTINUITY-SEQUENCE:1\n(.*\n){4}#EXT-X-DISCONTINUITY\n#EXTINF/);
  });

  test('(a) while both pipelines run: no 4xx, no fatal error, playback continues, the stall stays bounded', async () => {
    const session = await observe(10_000);
    const { result, requests } = session;

    // the properties this proves, and only those: a loaded machine may add a non-fatal buffer stall, never a 4xx
    expect(result.outcome).toBe('timeout'); // still playing live at the end of the window
    expect(result.errors.filter((e) => e.fatal)).toEqual([]);
    expect(result.errors.filter((e) => e.type === 'networkError' && (e.code ?? 0) >= 400 && (e.code ?? 0) < 500)).toEqual([]);
    // 4xx would be the guard's doing; a 5xx is s3rver losing a read/write race under load, passed through as CloudFront would
    expect(requests.filter((r) => r.status >= 400 && r.status < 500)).toEqual([]);
    // the function judged every playlist that reached the player (none runs on an origin 5xx or a failed origin fetch)
    expect(requests.filter((r) => PIPELINE_A_PLAYLIST.test(r.path) && r.method === 'GET' && r.status < 400).every((r) => r.functionRan)).toBe(true);
    // played on past its first fragment; how long it stood still since the first segment arrived is bounded below
    // (page load and hls.js start-up before that depend on the machine's load, and are not the guard's doing)
    expect(result.fragments.length).toBeGreaterThanOrEqual(2);
    // the first pathway throughout, unless s3rver failed one of its requests (a 5xx under load makes hls.js switch pathway)
    const originFailures = requests.filter((r) => r.status >= 500);
    expect(originFailures.length > 0 || result.fragments.every((f) => f.url.includes('/pipeline-a/'))).toBe(true);
    const stallMs = stallUpperBoundMs(session);
    expect(stallMs).toBeLessThanOrEqual(STALL_BOUND_MS); // start-up included

    // the encoder's update intervals, reported (timers on a loaded machine stretch some past the RFC's 1.5 x TD)
    const intervals = ['pipeline-a', 'pipeline-b'].flatMap((pipeline) => {
      const starts = encoder.writes.filter((w) => w.pipeline === pipeline).map((w) => w.startedAt);
      return starts.slice(1).map((start, i) => start - starts[i]);
    });
    const [shortest, longest] = intervals.reduce(([low, high], interval) => [Math.min(low, interval), Math.max(high, interval)], [Infinity, 0]);
    Object.assign(measured, {
      healthyStallUpperBoundMs: Math.round(stallMs),
      updateIntervalMinMs: shortest,
      updateIntervalMaxMs: longest,
      healthyNonFatalErrors: result.errors.length,
      healthyOriginFailures: originFailures.length,
    });
  }, 30_000);

  test('(b) when pipeline A stops, its playlists turn 404 within 3 x TD + TD and hls.js continues on pipeline B', async () => {
    let stoppedAt = 0;
    let lastWriteAt = 0;
    const session = await observe(22_000, async (from) => {
      // let the player settle on pipeline A, then fail A right after an update: the slowest case to detect
      await sleep(4000 - (Date.now() - from));
      lastWriteAt = (await encoder.nextWrite('pipeline-a')).startedAt;
      await encoder.stopPipeline('pipeline-a');
      stoppedAt = Date.now();
    });
    const { result, requests } = session;

    // the CDN: 404 (no-store) for pipeline A's media playlists only, only after A stopped, soon enough and not too soon
    const failures = requests.filter((r) => r.status >= 400 && r.status < 500); // the guard's answers (5xx: s3rver races, passed through)
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((r) => PIPELINE_A_PLAYLIST.test(r.path) && r.status === 404 && r.time > stoppedAt)).toBe(true);
    expect(failures.every((r) => r.headers['cache-control'] === 'no-store' && /^age=\d+s$/.test(r.headers['x-stale-playlist']))).toBe(true);
    // finishedAt is after the guard ran, so it bounds the guard's clock from above
    const detectionMs = failures[0].finishedAt - stoppedAt;
    const sinceLastWriteMs = failures[0].finishedAt - lastWriteAt;
    expect(detectionMs).toBeLessThanOrEqual(STALE_AFTER_MS + TD_MS);
    expect(sinceLastWriteMs).toBeGreaterThan(STALE_AFTER_MS - LAST_MODIFIED_GRANULARITY_MS);
    // hls.js may try A's other rendition before it switches pathway, or switch at once: A's playlists only, either way
    expect(new Set(failures.map((r) => r.path)).size).toBeLessThanOrEqual(hlsFixtureFormat.renditions.length);

    // the player: never fatal; its network errors are only A's 404s (other non-fatal errors cost stall, bounded below)
    expect(result.outcome).toBe('timeout');
    expect(result.errors.filter((e) => e.fatal)).toEqual([]);
    const networkErrors = result.errors.filter((e) => e.type === 'networkError' && (e.code ?? 0) >= 400 && (e.code ?? 0) < 500);
    expect(networkErrors.length).toBeGreaterThan(0);
    expect(networkErrors.every((e) => e.details === 'levelLoadError' && e.code === 404 && /\/pipeline-a\//.test(e.url ?? ''))).toBe(true);

    // continuity: every media sequence number in order, none skipped, and pipeline B after the switch
    const sequences = result.fragments.map((f) => f.sn);
    expect(sequences.slice(1).every((sn, i) => sn - sequences[i] === 0 || sn - sequences[i] === 1)).toBe(true);
    const firstB = result.fragments.findIndex((f) => f.url.includes('/pipeline-b/'));
    expect(firstB).toBeGreaterThan(0);
    expect(result.fragments.slice(0, firstB).every((f) => f.url.includes('/pipeline-a/'))).toBe(true);
    expect(result.fragments.slice(firstB).every((f) => f.url.includes('/pipeline-b/'))).toBe(true);
    expect(result.fragments.length - firstB).toBeGreaterThanOrEqual(3);
    const lastA = requests.filter((r) => r.path.startsWith('/pipeline-a/') && SEGMENT.test(r.path)).pop()!;
    expect(requests.filter((r) => r.path.startsWith('/pipeline-a/') && r.time > failures[0].time)).toEqual(failures.slice(1));
    expect(lastA.time).toBeLessThan(failures[0].time);

    // the stall: total time the playhead stood still (start-up included) stays within the bound
    const stallMs = stallUpperBoundMs(session);
    expect(stallMs).toBeLessThanOrEqual(STALL_BOUND_MS);
    Object.assign(measured, {
      detectionAfterStopMs: detectionMs,
      detectionAfterLastWriteMs: sinceLastWriteMs,
      failoverStallUpperBoundMs: Math.round(stallMs),
      largestSegmentFetchGapMs: largestSegmentFetchGapMs(session),
    });
  }, 60_000);

  test('(c) when pipeline A restarts, its playlists answer 200 again at once: the 404 is not cached', async () => {
    if (encoder.isRunning('pipeline-a')) { // (b) did not run: make A stale first
      await encoder.stopPipeline('pipeline-a');
      await sleep(STALE_AFTER_MS + LAST_MODIFIED_GRANULARITY_MS);
    }
    const keys = hlsFixtureFormat.renditions.map((rendition) => encoder.mediaPlaylistKey('pipeline-a', rendition));
    // a viewer still polling A keeps its stale copy cached (TTL 1 s) right up to the restart: the worst case
    const before = await fetchCdn(keys[0]);
    expect(before.status).toBe(404);
    expect(before.headers.get('cache-control')).toBe('no-store');
    const windowStartBefore = encoder.lastWrite('pipeline-a')!.newestSequence - WINDOW_SEGMENTS + 1;

    await encoder.startPipeline('pipeline-a');
    const restartedAt = encoder.lastWrite('pipeline-a')!.finishedAt;
    const polls: Array<{ key: string; at: number; status: number; body: string }> = [];
    // a TTL and a target duration of polling, longer while a playlist has not yet answered 200 to this poller: on a
    // loaded machine it may get only a few requests in (the CDN's own clock bounds the 404s below, not the poller's)
    const recovered = () => keys.every((key) => polls.some((p) => p.key === key && p.status === 200));
    while (Date.now() - restartedAt < PLAYLIST_TTL_MS + TD_MS || (!recovered() && Date.now() - restartedAt < RECOVERY_POLL_BOUND_MS)) {
      await Promise.all(keys.map(async (key) => {
        const response = await fetchCdn(key);
        polls.push({ key, at: Date.now(), status: response.status, body: await response.text() });
      }));
      await sleep(50);
    }

    const recoveries = keys.map((key) => {
      const own = polls.filter((p) => p.key === key);
      const firstOk = own.findIndex((p) => p.status === 200);
      expect(firstOk).toBeGreaterThanOrEqual(0);
      expect(own.slice(firstOk).filter((p) => p.status === 404)).toEqual([]); // never a 404 again (s3rver may 5xx under load)
      expect(Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(own[firstOk].body)![1])).toBeGreaterThan(windowStartBefore);
      return own[firstOk].at - restartedAt;
    });
    // the rendition nobody polled is 200 on the very first request after the restart
    expect(polls.find((p) => p.key === keys[1])!.status).toBe(200);
    // the primed one only until the stale copy cached before the restart expires: the 404 itself is never cached, and
    // no 404 arrives later than the TTL after the restart (the CDN's own clock, not the poller's, which a load slows)
    const afterRestart = cdn.requests.filter((r) => keys.includes(r.path.slice(1)) && r.time >= restartedAt);
    const notFound = afterRestart.filter((r) => r.status === 404);
    expect(notFound.every((r) => r.cache === 'hit' && r.originStatus === 200)).toBe(true);
    expect(notFound.every((r) => r.time <= restartedAt + PLAYLIST_TTL_MS)).toBe(true);
    expect(afterRestart.filter((r) => r.cache === 'miss').every((r) => r.status !== 404)).toBe(true);
    Object.assign(measured, { recoveryPrimedMs: recoveries[0], recoveryUnprimedMs: recoveries[1] });
  }, 30_000);

  test('(d) through Chromium\'s own HTTP cache a stale playlist reaches the page as a 404, requested plain or conditionally', async () => {
    const key = encoder.mediaPlaylistKey('pipeline-a', hlsFixtureFormat.renditions[0]);
    if (!encoder.isRunning('pipeline-a')) await encoder.startPipeline('pipeline-a');
    await sleep(TD_MS);
    const url = `${cdn.origin}/${key}`;
    const fetches: Array<{ at: number; status: number; conditional: boolean }> = [];
    const observed = await player.withPage(async (page) => {
      // the page's fetch() goes through Chromium's HTTP cache (default mode), as hls.js's XHRs do
      const plain = async () => {
        const status = await page.evaluate((target) => fetch(target).then((response) => response.status), url);
        fetches.push({ at: Date.now(), status, conditional: false });
        return status;
      };
      // a client that validates with a date it holds: the CDN answers 304 from its cache, and the guard sees that 304
      const conditional = async (since: number) => {
        const status = await page.evaluate(([target, date]) => fetch(target, { headers: { 'If-Modified-Since': date } })
          .then((response) => response.status), [url, new Date(since).toUTCString()] as const);
        fetches.push({ at: Date.now(), status, conditional: true });
        return status;
      };
      for (let i = 0; i < 4; i++) {
        await plain();
        await sleep(TD_MS / 4);
      }
      // s3rver, the S3 stand-in, now and then answers 5xx on a loaded machine: ask again (bounded), as a player would
      let freshConditional = await conditional(Date.now() + 60_000);
      for (let attempt = 1; attempt < 3 && freshConditional >= 500; attempt++) freshConditional = await conditional(Date.now() + 60_000);
      const lastWriteAt = (await encoder.nextWrite('pipeline-a')).startedAt;
      await encoder.stopPipeline('pipeline-a');
      const stoppedAt = Date.now();
      let firstNotFoundAt = 0;
      while (Date.now() - stoppedAt < STALE_AFTER_MS + TD_MS + 2000 && firstNotFoundAt === 0) {
        if (await plain() === 404) firstNotFoundAt = Date.now();
        else await sleep(TD_MS / 4);
      }
      const after = [await plain(), await plain(), await conditional(Date.now() + 60_000), await plain()];
      return { freshConditional, lastWriteAt, stoppedAt, firstNotFoundAt, after };
    });

    // while A runs the guard never answers 404 (s3rver may lose a read/write race under load: a 5xx, not the guard's)
    expect(fetches.slice(0, 4).filter((f) => f.status !== 200 && f.status < 500)).toEqual([]);
    expect(fetches.slice(0, 4).some((f) => f.status === 200)).toBe(true);
    expect(observed.freshConditional).toBe(304); // the CDN's 304 for a fresh playlist reached the page
    expect(observed.firstNotFoundAt).toBeGreaterThan(0);
    // within the detection bound: threshold + the CDN's TTL + one poll, counted from the last write
    expect(observed.firstNotFoundAt - observed.lastWriteAt).toBeLessThanOrEqual(STALE_AFTER_MS + PLAYLIST_TTL_MS + TD_MS);
    expect(observed.after).toEqual([404, 404, 404, 404]); // Chromium never answers from a cached 200, and a conditional stale request is a 404 too
    const cdnAnswers = cdn.requests.filter((r) => r.path === `/${key}` && r.time >= fetches[0].at - 1000);
    expect(cdnAnswers.length).toBeGreaterThanOrEqual(fetches.length); // every page fetch reached the CDN
    expect(cdnAnswers.some((r) => r.status === 404 && r.originStatus === 200 && r.cache === 'hit')).toBe(true);
    Object.assign(measured, { browserDetectionAfterLastWriteMs: observed.firstNotFoundAt - observed.lastWriteAt });
  }, 60_000);

  test('(e) when every pipeline stops, players keep the stale playlists: no 404 takes the channel down', async () => {
    for (const pipeline of ['pipeline-a', 'pipeline-b']) if (!encoder.isRunning(pipeline)) await encoder.startPipeline(pipeline);
    await sleep(2 * TD_MS);
    let stoppedAt = 0;
    const session = await observe(STALE_AFTER_MS + 4 * TD_MS + 6000, async (from) => {
      await sleep(4000 - (Date.now() - from));
      // both, each right after an update of its own (up to a target duration apart: the encoder's pipelines are not in phase)
      await Promise.all(['pipeline-a', 'pipeline-b'].map((pipeline) => encoder.nextWrite(pipeline)));
      await Promise.all(['pipeline-a', 'pipeline-b'].map((pipeline) => encoder.stopPipeline(pipeline)));
      stoppedAt = Date.now();
    });
    const { result, requests } = session;
    const media = requests.filter((r) => MEDIA_PLAYLIST.test(r.path) && r.method === 'GET');
    // the pipeline that stopped first may answer 404 while the other's heartbeat is still fresh (its playlists were too):
    // players fail over to it. The other one never does, so there is no moment at which both are 404
    const notFound = requests.filter((r) => r.status >= 400 && r.status < 500);
    expect(notFound.every((r) => r.status === 404 && MEDIA_PLAYLIST.test(r.path))).toBe(true);
    expect(new Set(notFound.map((r) => r.path.split('/')[1])).size).toBeLessThanOrEqual(1);
    // judged stale and served: once both are past the threshold, every playlist answer carries the verdict and is a 200
    const judgedStale = media.filter((r) => r.status === 200 && /^age=\d+s; served: no healthy pipeline$/.test(r.headers['x-stale-playlist'] ?? ''));
    expect(judgedStale.length).toBeGreaterThan(0);
    const afterBoth = media.filter((r) => r.time > stoppedAt + STALE_AFTER_MS + TD_MS && r.status < 500); // 5xx: s3rver under load
    expect(afterBoth.length).toBeGreaterThan(0);
    expect(afterBoth.every((r) => r.status === 200 && r.headers['x-stale-playlist']?.endsWith('served: no healthy pipeline'))).toBe(true);
    // the player: no fatal error, and no 4xx but the first-stopped pipeline's 404s it failed over on
    expect(result.outcome).toBe('timeout');
    expect(result.errors.filter((e) => e.fatal)).toEqual([]);
    const networkErrors = result.errors.filter((e) => e.type === 'networkError' && (e.code ?? 0) >= 400 && (e.code ?? 0) < 500);
    expect(networkErrors.every((e) => e.code === 404 && notFound.some((r) => (e.url ?? '').endsWith(r.path)))).toBe(true);
    Object.assign(measured, { allStaleServedRequests: judgedStale.length, allStaleFirstStoppedNotFound: notFound.length });
    for (const pipeline of ['pipeline-a', 'pipeline-b']) await encoder.startPipeline(pipeline);
  }, 90_000);
});
