/**
 * Edge mode's failover rule on a virtual clock, with the real parts: encoders of two (or one) pipelines upload
 * playlists; each upload's S3 event runs the guard's marker handler, which publishes the pipeline's heartbeat
 * through the real KeyValueStore SDK client (SigV4A) to the KeyValueStore stand-in; viewers' playlist responses
 * (Last-Modified truncated to whole seconds, as S3 sends it) run through the shipped, rendered edge function, which
 * reads that store. What it proves: a stale playlist is a 404 while another pipeline runs, and never when no other
 * pipeline is healthy, so all pipelines are never 404 at once (no total outage), one pipeline is never 404, and the
 * KeyValueStore takes at most one write per pipeline per heartbeat interval.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { S3Event } from 'aws-lambda';
import * as fc from 'fast-check';
import { loadMarkerModule, silentMetrics } from './marker-module';
import { KeyValueStoreHeartbeats } from '../../lambda-src/stale-playlist-guard/kvs-store';
import { MarkerStore } from '../../lambda-src/stale-playlist-guard/mark';
import { stalePlaylistHeader } from '../../src/stale-playlist-guard/contract/protocol';
import { heartbeatFreshForMs, heartbeatIntervalMs } from '../../src/stale-playlist-guard/contract/staleness';
import { renderEdgeGuardFunction } from '../../src/stale-playlist-guard/edge-function';
import { CloudFrontResponse, loadCloudFrontFunction, viewerResponseEvent } from '../harness/cloudfront-function';
import { KeyValueStoreStandIn, startKeyValueStore } from '../harness/key-value-store';

const TD_S = 6;
const STALE_AFTER_MS = 3 * TD_S * 1000;
const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const RENDITIONS = ['360p', '180p'];
const TWO = [{ bucket: 'live', prefix: 'pipeline-a/' }, { bucket: 'live', prefix: 'pipeline-b/' }];
/** Key-prefix pipelines in one folder, as MediaLive's redundant HLS output names them. */
const ONE_FOLDER = [{ bucket: 'live', prefix: 'live/channel-a' }, { bucket: 'live', prefix: 'live/channel-b' }];
/** A rendition's playlist key after the pipeline's prefix: in a folder per pipeline, or after a base filename. */
const inFolder = (rendition: string) => `${rendition}/index.m3u8`;
const afterBaseFilename = (rendition: string) => `-${rendition}.m3u8`;

/** Every playlist the marker reads is a live media playlist (it leaves those unmarked). */
const liveStore: MarkerStore = {
  readRange: async () => ({
    text: '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:1\n#EXTINF:6.0,\ns1.ts\n', etag: '"e"', size: 60, attributes: { metadata: {} },
  }),
  copyInPlaceIfMatch: async () => 'copied',
};

/** One pipeline's encoder: uploads every rendition at `start + phase + k x interval` until it stops. */
interface EncoderPlan {
  readonly phaseMs: number;
  /** Update intervals, cycled (RFC 8216 allows 0.5 to 1.5 x TD). */
  readonly intervalsMs: readonly number[];
  /** Virtual time it stops uploading; Infinity for never. */
  readonly stopAtMs: number;
}

interface Verdict {
  readonly at: number;
  readonly pipeline: number;
  readonly rendition: string;
  readonly status: number;
  readonly stale: boolean;
}

interface SimulationResult {
  readonly verdicts: Verdict[];
  /** Last upload of each pipeline (virtual ms). */
  readonly lastUploadMs: number[];
  readonly writes: number;
  readonly intervalMs: number;
}

describe('edge failover on a virtual clock (marker -> KeyValueStore stand-in -> shipped edge function)', () => {
  let workDir: string;
  let markerModule: ReturnType<typeof loadMarkerModule>;
  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-failover-'));
    markerModule = loadMarkerModule(TWO);
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  /**
   * Runs `durationMs` of virtual time, a viewer of every playlist of every pipeline asking every `stepMs` (from
   * `offsetMs` past a whole second: S3's whole-second Last-Modified makes sub-second instants matter).
   */
  async function simulate(
    pipelines: typeof TWO, plans: EncoderPlan[], durationMs: number, stepMs = 500, offsetMs = 0, playlistName = inFolder,
  ): Promise<SimulationResult> {
    const kvs: KeyValueStoreStandIn | undefined = pipelines.length > 1 ? await startKeyValueStore() : undefined;
    try {
      const file = path.join(workDir, `guard-${pipelines.length}.js`);
      fs.writeFileSync(file, renderEdgeGuardFunction({ staleAfterMs: STALE_AFTER_MS, pipelinePrefixes: pipelines.map((p) => p.prefix) }));
      let now = T0;
      // one pipeline: no store is associated (the construct creates none), so the function must not ask for one
      const guard = loadCloudFrontFunction(file, { now: () => now, ...(kvs ? { keyValueStore: kvs.data } : {}) });
      const intervalMs = heartbeatIntervalMs(TD_S, STALE_AFTER_MS);
      const marker = markerModule.createPlaylistMarkerHandler({
        pipelines,
        store: liveStore,
        logger: new Logger({ logLevel: 'SILENT' }),
        metrics: silentMetrics(),
        ...(kvs ? { heartbeats: { store: new KeyValueStoreHeartbeats(kvs.client(), kvs.arn), intervalMs } } : {}),
      });
      const lastModified = pipelines.map(() => new Map<string, number>());
      const lastUploadMs = pipelines.map(() => -Infinity);
      const nextUpload = plans.map((plan) => T0 + plan.phaseMs);
      const uploads = plans.map(() => 0);
      const verdicts: Verdict[] = [];
      for (let t = T0 + offsetMs; t <= T0 + durationMs; t += stepMs) {
        now = t;
        for (let p = 0; p < pipelines.length; p++) {
          // bounded: at most one update per pipeline per step (intervals are at least half a TD, steps at most 1 s)
          if (nextUpload[p] <= t && t < T0 + plans[p].stopAtMs) {
            const at = nextUpload[p];
            const records = RENDITIONS.map((rendition) => ({
              eventName: 'ObjectCreated:Put',
              eventTime: new Date(at).toISOString(),
              s3: { bucket: { name: 'live' }, object: { key: `${pipelines[p].prefix}${playlistName(rendition)}`, eTag: 'e' } },
            }));
            await marker({ Records: records } as unknown as S3Event);
            for (const rendition of RENDITIONS) lastModified[p].set(rendition, Math.floor(at / 1000) * 1000); // S3 keeps whole seconds
            lastUploadMs[p] = at;
            nextUpload[p] += plans[p].intervalsMs[uploads[p]++ % plans[p].intervalsMs.length];
          }
        }
        if (t < T0 + Math.max(...plans.map((plan) => plan.phaseMs))) continue; // until every pipeline has uploaded once
        for (let p = 0; p < pipelines.length; p++) {
          for (const rendition of RENDITIONS) {
            const event = viewerResponseEvent({
              uri: `/${pipelines[p].prefix}${playlistName(rendition)}`,
              statusCode: 200,
              responseHeaders: { 'last-modified': new Date(lastModified[p].get(rendition)!).toUTCString(), 'content-type': 'application/vnd.apple.mpegurl' },
            });
            const response = await guard.run(event) as CloudFrontResponse;
            const stale = response.headers?.[stalePlaylistHeader] !== undefined;
            verdicts.push({ at: t, pipeline: p, rendition, status: response.statusCode, stale });
          }
        }
      }
      return { verdicts, lastUploadMs, writes: kvs?.writes ?? 0, intervalMs };
    } finally {
      await kvs?.close();
    }
  }

  /** Instants at which every pipeline answered 404 for one rendition: a total outage of that rendition. */
  function totalOutages(result: SimulationResult, pipelines: number): Verdict[] {
    const byInstant = new Map<string, Verdict[]>();
    for (const verdict of result.verdicts) byInstant.set(`${verdict.at} ${verdict.rendition}`, [...byInstant.get(`${verdict.at} ${verdict.rendition}`) ?? [], verdict]);
    return [...byInstant.values()].filter((group) => group.length === pipelines && group.every((v) => v.status === 404)).map((group) => group[0]);
  }

  const steady = (phaseMs: number, stopAtMs = Infinity): EncoderPlan => ({ phaseMs, intervalsMs: [TD_S * 1000], stopAtMs });

  test('one pipeline stalls while the other runs: its playlists turn 404 (and only its), within threshold + granularity + a step', async () => {
    const stopAt = 60_000;
    const result = await simulate(TWO, [steady(0, stopAt), steady(2300)], 120_000);
    const a = result.verdicts.filter((v) => v.pipeline === 0);
    const lastA = result.lastUploadMs[0];
    expect(result.verdicts.filter((v) => v.pipeline === 1 && v.status !== 200)).toEqual([]);
    // never before the playlist really is older than the threshold (S3's whole seconds may add up to one)
    expect(a.filter((v) => v.status === 404).every((v) => v.at - lastA > STALE_AFTER_MS - 1000)).toBe(true);
    // from threshold + granularity after the last upload on, every answer is a 404
    const firstNotFound = a.find((v) => v.status === 404)!;
    expect(firstNotFound.at - lastA).toBeLessThanOrEqual(STALE_AFTER_MS + 1000);
    expect(a.filter((v) => v.at > lastA + STALE_AFTER_MS + 1000).every((v) => v.status === 404)).toBe(true);
  });

  test('key-prefix pipelines in one folder (MediaLive\'s live/channel-a..., live/channel-b...): A stalls while B runs, A\'s playlists turn 404, B\'s never', async () => {
    const stopAt = 60_000;
    const result = await simulate(ONE_FOLDER, [steady(0, stopAt), steady(2300)], 120_000, 500, 0, afterBaseFilename);
    const lastA = result.lastUploadMs[0];
    expect(result.verdicts.filter((v) => v.pipeline === 1 && v.status !== 200)).toEqual([]);
    const a = result.verdicts.filter((v) => v.pipeline === 0);
    expect(a.filter((v) => v.status === 404).every((v) => v.at - lastA > STALE_AFTER_MS - 1000)).toBe(true);
    expect(a.filter((v) => v.at > lastA + STALE_AFTER_MS + 1000).every((v) => v.status === 404)).toBe(true);
    // each pipeline beat under its own key: B's heartbeat kept A's 404s coming
    expect(result.writes).toBeGreaterThanOrEqual(2 * Math.floor(stopAt / (TD_S * 1000)));
  });

  test('both pipelines stall at once: the stale playlists are served (200) and at no instant are both 404', async () => {
    const result = await simulate(TWO, [steady(0, 60_000), steady(2300, 60_000)], 120_000);
    expect(totalOutages(result, 2)).toEqual([]);
    const lastBoth = Math.max(...result.lastUploadMs);
    const late = result.verdicts.filter((v) => v.at > lastBoth + STALE_AFTER_MS + 1000);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((v) => v.status === 200 && v.stale)).toBe(true); // judged stale, served
  });

  test('both stall within one whole second, A a little earlier: S3 truncates both Last-Modified alike, and still never both 404', async () => {
    // A's uploads at .6 s and B's at .9 s of the same second: both playlists look stale at once, while A's heartbeat is
    // 0.3 s older than B's; the viewers ask at .25 and .75 s
    const result = await simulate(TWO, [steady(600, 60_000), steady(900, 60_000)], 90_000, 250);
    expect(totalOutages(result, 2)).toEqual([]);
    // B's heartbeat stops counting (threshold less a second) before A's playlists look stale: no 404 at all, both served
    expect(result.verdicts.filter((v) => v.status !== 200)).toEqual([]);
    expect(result.verdicts.some((v) => v.stale)).toBe(true);
  });

  test('B stalls first, A later: B is 404 while A runs, then both are served stale; never both 404', async () => {
    const result = await simulate(TWO, [steady(0, 90_000), steady(2300, 40_000)], 150_000);
    expect(totalOutages(result, 2)).toEqual([]);
    const [lastA, lastB] = result.lastUploadMs;
    const b = result.verdicts.filter((v) => v.pipeline === 1);
    expect(b.some((v) => v.status === 404 && v.at < lastA)).toBe(true); // failed over to A while A ran
    expect(result.verdicts.filter((v) => v.at > lastA + STALE_AFTER_MS + 1000).every((v) => v.status === 200 && v.stale)).toBe(true);
    expect(lastB).toBeLessThan(lastA);
  });

  test('one configured pipeline is never a 404, however stale (nothing to fail over to; no store is read)', async () => {
    const result = await simulate([TWO[0]], [steady(0, 30_000)], 90_000);
    expect(result.verdicts.filter((v) => v.status !== 200)).toEqual([]);
    expect(result.verdicts.some((v) => v.stale)).toBe(true);
    expect(result.writes).toBe(0);
  });

  test('the KeyValueStore takes at most one write per pipeline per heartbeat interval (5 s at TD 6 s)', async () => {
    const durationMs = 120_000;
    const result = await simulate(TWO, [steady(0), steady(2300)], durationMs);
    expect(result.intervalMs).toBe(5000);
    // each pipeline uploads every 6 s (2 playlists each time): 40 uploads, and one heartbeat per upload at most
    expect(result.writes).toBeLessThanOrEqual(2 * Math.ceil(durationMs / Math.max(result.intervalMs, TD_S * 1000)) + 2);
    expect(result.writes).toBeGreaterThanOrEqual(2 * Math.floor(durationMs / (TD_S * 1000)));
  });

  test('property: with any RFC-legal update intervals, phases and stop times, never a total outage, and a running pipeline takes over', async () => {
    const plan = fc.record({
      phaseMs: fc.integer({ min: 0, max: TD_S * 1000 }),
      intervalsMs: fc.array(fc.integer({ min: TD_S * 500, max: TD_S * 1500 }), { minLength: 1, maxLength: 4 }),
      stopAtMs: fc.oneof(fc.constant(Infinity), fc.integer({ min: 10_000, max: 70_000 })),
    });
    await fc.assert(fc.asyncProperty(plan, plan, fc.integer({ min: 0, max: 999 }), async (a, b, offsetMs) => {
      const result = await simulate(TWO, [a, b], 100_000, 1000, offsetMs);
      if (totalOutages(result, 2).length > 0) return false;
      // while a pipeline has uploaded within (fresh window - the heartbeat's worst lag), the other's stale playlists are 404
      for (const verdict of result.verdicts) {
        const other = result.lastUploadMs[1 - verdict.pipeline];
        const otherStillRunning = [a, b][1 - verdict.pipeline].stopAtMs === Infinity || verdict.at < T0 + [a, b][1 - verdict.pipeline].stopAtMs;
        const otherRecentlyBeat = otherStillRunning && verdict.at > T0 + 20_000
          && verdict.at - other <= heartbeatFreshForMs(STALE_AFTER_MS) - result.intervalMs - TD_S * 1500;
        if (verdict.stale && otherRecentlyBeat && verdict.status !== 404) return false;
      }
      return true;
    }), { numRuns: 12 });
  }, 480_000); // 12 x 100 s of virtual time, a fresh function context per viewer request: 40 s alone, 3 min loaded with coverage
});
