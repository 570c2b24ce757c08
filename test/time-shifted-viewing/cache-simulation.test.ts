/**
 * The cache behaviour TimeShiftedViewing synthesizes, exercised: a fake channel-assembly channel (documented
 * time-shift behaviour) behind the CDN stand-in configured from the synthesized template, with viewers joining at
 * different wall-clock times with different start times and delays on a controlled clock. The same run against a
 * naive distribution (no query parameters in the key, CloudFront's default TTL of one day) must fail, so the
 * checks can tell right from wrong.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { startFakeChannel, FakeChannel } from './fake-channel-assembly';
import { TimeShiftChannel, TimeShiftedViewing } from '../../src';
import { timeShiftCacheKey, timeShiftQuery } from '../../src/time-shifted-viewing/contract/time-shift';
import { CdnBehavior, CdnStandIn, startCdnStandIn } from '../harness/cdn-stand-in';
import { standInBehaviors } from '../harness/cloudfront-template';

const channelName = 'News';
const channelHost = 'abc123.channel-assembly.mediatailor.eu-west-1.amazonaws.com';
const segmentSeconds = 6;
const maxTimeDelaySeconds = 3600;
const epochMs = Date.UTC(2026, 11, 1, 0, 0, 0);
const simulationStartMs = epochMs + 2 * 3600_000;

/** The distribution TimeShiftedViewing synthesizes for the fake channel. */
function constructTemplate(): Template {
  const stack = new Stack(new App(), 'TimeShift', { env: { account: '111111111111', region: 'eu-west-1' } });
  new TimeShiftedViewing(stack, 'Viewing', {
    channel: TimeShiftChannel.fromPlaybackUrl(`https://${channelHost}/v1/channel/${channelName}/index_hls.m3u8`),
    segmentDuration: Duration.seconds(segmentSeconds),
  });
  return Template.fromStack(stack);
}

/**
 * The usual mistake: the time-shift parameters reach the channel (origin request policy) but the cache key is the
 * path alone, with CloudFront's default TTL of one day.
 */
function naiveTemplate(): Template {
  const stack = new Stack(new App(), 'Naive');
  new cloudfront.Distribution(stack, 'Distribution', {
    defaultBehavior: {
      origin: new origins.HttpOrigin(channelHost),
      cachePolicy: new cloudfront.CachePolicy(stack, 'Policy'),
      originRequestPolicy: new cloudfront.OriginRequestPolicy(stack, 'Forward', {
        queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.allowList(...timeShiftCacheKey()),
      }),
    },
  });
  return Template.fromStack(stack);
}

/** One viewer: joins at `joinAfterMs`, with a start time `startAgoSeconds` before the simulation start, or a fixed delay. */
interface Viewer {
  readonly name: string;
  readonly joinAfterMs: number;
  readonly format: 'hls' | 'dash';
  readonly startTimeMs?: number;
  readonly timeDelay?: number;
  /** Seconds back from now, as `start=-N` (the newer pages' parameter): a fixed delay, like timeDelay. */
  readonly startSecondsAgo?: number;
  /** The audience whose alternate media the viewer watches. */
  readonly audienceId?: string;
}

/** A deterministic audience: programme starts shared by many viewers, individual start times, fixed delays. */
function audience(): Viewer[] {
  let seed = 7;
  const random = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const programmeStarts = [simulationStartMs - 1800_000, simulationStartMs - 600_000, simulationStartMs - 3000_000];
  const viewers: Viewer[] = [];
  let joinAfterMs = 0;
  for (let index = 0; index < 60; index++) {
    joinAfterMs += Math.round(200 + random() * 2800);
    const kind = index % 5;
    const format = index % 3 === 2 ? 'dash' : 'hls';
    const name = `viewer-${index}`;
    const audienceId = index % 7 === 6 ? 'Seattle' : undefined; // alternate media, same programme
    const individualStartMs = simulationStartMs - Math.round(100 + random() * 3000) * 1000;
    const fixedDelay = [0, 60, 900][index % 3];
    const shift = kind === 4
      ? (index % 2 === 0 ? { timeDelay: fixedDelay } : { startSecondsAgo: fixedDelay })
      : { startTimeMs: kind === 3 ? individualStartMs : programmeStarts[kind] };
    viewers.push({ name, joinAfterMs, format, audienceId, ...shift });
  }
  return viewers;
}

interface SimulationResult {
  /** Every manifest a viewer got whose delay was off by more than allowed, one line each. */
  readonly violations: string[];
  /** Cache keys of manifests asked for with a time delay that served more than one delay or audience. */
  readonly sharedKeys: string[];
  /** Manifest responses the viewers received. */
  readonly manifestsServed: number;
  readonly cacheHits: number;
}

/** Runs the audience through a stand-in configured with `behaviors` in front of a fresh fake channel. */
async function simulate(template: Template): Promise<SimulationResult> {
  let now = simulationStartMs;
  const clock = () => now;
  let channel: FakeChannel | undefined;
  let cdn: CdnStandIn | undefined;
  try {
    channel = await startFakeChannel({
      channelName,
      maxTimeDelaySeconds,
      segmentSeconds,
      windowSegments: 5,
      epochMs,
      renditions: ['360p', '180p'],
      audiences: ['Seattle'],
      fixtureSegments: 10,
      segmentBaseUrl: () => 'https://media.example.com/content',
      clock,
    });
    const channelOrigin = channel.origin;
    const behaviors: CdnBehavior[] = standInBehaviors(template, () => channelOrigin);
    const manifestTtlSeconds = behaviors.find((behavior) => behavior.pathPattern.endsWith('*/*.m3u8'))?.ttlSeconds ?? 0;
    cdn = await startCdnStandIn({ origin: channel.origin, behaviors, clock });
    const base = `${cdn.origin}/v1/channel/${channelName}`;
    const violations: string[] = [];
    const violation = (line: string): void => {
      violations.push(line);
    };
    const delayAsked = new Map<string, number>(); // viewer -> delay it plays at
    let manifestsServed = 0;

    const expectedDelay = (viewer: Viewer) => viewer.timeDelay ?? viewer.startSecondsAgo ?? Math.floor((now - viewer.startTimeMs!) / 1000);
    const audienceQuery = (viewer: Viewer) => (viewer.audienceId === undefined ? '' : `&${timeShiftQuery.audienceId}=${viewer.audienceId}`);
    const shiftQuery = (viewer: Viewer) => {
      if (viewer.startTimeMs !== undefined) return `${timeShiftQuery.startTime}=${encodeURIComponent(new Date(viewer.startTimeMs).toISOString())}`;
      if (viewer.startSecondsAgo !== undefined) return `${timeShiftQuery.relativeStart}=-${viewer.startSecondsAgo}`;
      return `${timeShiftQuery.timeDelay}=${viewer.timeDelay}`;
    };
    const query = (viewer: Viewer) => shiftQuery(viewer) + audienceQuery(viewer);

    const join = async (viewer: Viewer): Promise<void> => {
      const expected = expectedDelay(viewer);
      if (viewer.format === 'hls') {
        const multivariant = await (await fetch(`${base}/index_hls.m3u8?${query(viewer)}`)).text();
        manifestsServed++;
        const delays = [...multivariant.matchAll(/timeDelay=(\d+)/g)].map((match) => Number(match[1]));
        if (delays.length === 0) return violation(`${viewer.name}: multivariant playlist without a time delay`);
        const got = delays[0];
        if (Math.abs(got - expected) > segmentSeconds) violations.push(`${viewer.name}: multivariant delay ${got} s, expected ${expected} s`);
        delayAsked.set(viewer.name, got);
      } else {
        const redirect = await fetch(`${base}/index_dash.mpd?${query(viewer)}`, { redirect: 'manual' });
        manifestsServed++;
        const location = redirect.status === 302 ? redirect.headers.get('location') ?? '' : '';
        const got = Number(/timeDelay=(\d+)/.exec(location)?.[1] ?? (viewer.timeDelay ?? NaN));
        if (redirect.status === 302 && Math.abs(got - expected) > segmentSeconds) {
          violations.push(`${viewer.name}: DASH redirect to delay ${got} s, expected ${expected} s`);
        }
        delayAsked.set(viewer.name, got);
      }
      return refresh(viewer);
    };

    const refresh = async (viewer: Viewer): Promise<void> => {
      const delay = delayAsked.get(viewer.name);
      if (delay === undefined || Number.isNaN(delay)) return;
      const livePointMs = now - delay * 1000;
      if (viewer.format === 'hls') {
        const media = await (await fetch(`${base}/index_hls/360p.m3u8?${timeShiftQuery.timeDelay}=${delay}${audienceQuery(viewer)}`)).text();
        manifestsServed++;
        const audienceOfSegments = /\/alt-([^/]+)\/360p\//.exec(media)?.[1];
        if (audienceOfSegments !== viewer.audienceId) {
          violation(`${viewer.name}: media playlist of audience ${audienceOfSegments ?? 'default'} for audience ${viewer.audienceId ?? 'default'}`);
        }
        const dates = [...media.matchAll(/#EXT-X-PROGRAM-DATE-TIME:(.+)/g)].map((match) => Date.parse(match[1]));
        const lastEndMs = dates[dates.length - 1] + segmentSeconds * 1000;
        // the origin lists completed segments (up to one segment behind) and the cached copy may be manifestTtl old
        const lagSeconds = (livePointMs - lastEndMs) / 1000;
        if (!(lagSeconds >= 0 && lagSeconds <= segmentSeconds + manifestTtlSeconds)) {
          violations.push(`${viewer.name}: media playlist for delay ${delay} s is ${lagSeconds.toFixed(1)} s off its live point`);
        }
      } else {
        const response = await fetch(`${base}/index_dash.mpd?${timeShiftQuery.timeDelay}=${delay}${audienceQuery(viewer)}`, { redirect: 'manual' });
        manifestsServed++;
        if (response.status !== 200) return violation(`${viewer.name}: DASH manifest for delay ${delay} s answered ${response.status}`);
        const mpd = await response.text();
        const publishMs = Date.parse(/publishTime="([^"]+)"/.exec(mpd)?.[1] ?? '');
        const lagSeconds = (livePointMs - publishMs) / 1000;
        if (!(lagSeconds >= 0 && lagSeconds <= manifestTtlSeconds)) {
          violations.push(`${viewer.name}: DASH manifest for delay ${delay} s is ${lagSeconds.toFixed(1)} s off its live point`);
        }
      }
    };

    const events = audience().flatMap((viewer) => [
      { at: viewer.joinAfterMs, run: () => join(viewer) },
      ...[1, 2, 3].map((k) => ({ at: viewer.joinAfterMs + k * segmentSeconds * 1000, run: () => refresh(viewer) })),
    ]).sort((a, b) => a.at - b.at);
    for (const event of events) {
      now = simulationStartMs + event.at;
      await event.run();
    }

    const delaysByKey = new Map<string, Set<string>>(); // cache key -> the (delay, audience) pairs it served
    for (const request of cdn.requests) {
      const params = new URL(request.url, 'http://viewer').searchParams;
      const delay = params.get(timeShiftQuery.timeDelay);
      if (delay === null || request.cacheKey === undefined) continue;
      const selection = `delay ${delay}, audience ${params.get(timeShiftQuery.audienceId) ?? 'default'}`;
      delaysByKey.set(request.cacheKey, (delaysByKey.get(request.cacheKey) ?? new Set()).add(selection));
    }
    const sharedKeys = [...delaysByKey].filter(([, delays]) => delays.size > 1).map(([key, delays]) => `${key}: ${[...delays].join('; ')}`);
    return { violations, sharedKeys, manifestsServed, cacheHits: cdn.requests.filter((request) => request.cache === 'hit').length };
  } finally {
    await cdn?.close();
    await channel?.close();
  }
}

/** 300 manifest loads through the stand-in: seconds alone, over a minute on a loaded 2-core machine with coverage. */
const simulationTimeoutMs = 240_000;

describe('time-shifted viewing through the CDN: cache simulation', () => {
  let synthesized: Template;
  beforeAll(() => {
    synthesized = constructTemplate();
  }, 120_000); // the first synthesis loads aws-cdk-lib

  test('with the construct\'s policies, no viewer gets a manifest off its delay by more than a segment, and no cached manifest serves two delays', async () => {
    const result = await simulate(synthesized);
    expect(result.violations).toEqual([]);
    expect(result.sharedKeys).toEqual([]);
    expect(result.manifestsServed).toBe(300); // 60 viewers: a join and four playlist loads each
    expect(result.cacheHits).toBeGreaterThan(0); // the policies still cache: viewers of one programme share manifests
  }, simulationTimeoutMs);

  test('the relative `start` of the newer pages is keyed too: without it, `start=-N` viewers get manifests of other delays', async () => {
    const json = synthesized.toJSON();
    for (const resource of Object.values<any>(json.Resources)) {
      const queryStrings = resource.Properties?.CachePolicyConfig?.ParametersInCacheKeyAndForwardedToOrigin?.QueryStringsConfig?.QueryStrings;
      if (Array.isArray(queryStrings)) queryStrings.splice(queryStrings.indexOf(timeShiftQuery.relativeStart), 1);
    }
    const result = await simulate(Template.fromJSON(json));
    expect(result.violations.length).toBeGreaterThan(0);
    const relativeStartViewers = new Set(audience().filter((viewer) => viewer.startSecondsAgo !== undefined).map((viewer) => viewer.name));
    expect(result.violations.every((line) => relativeStartViewers.has(line.split(':')[0]))).toBe(true);
  }, simulationTimeoutMs);

  test('with a naive policy (no query parameters in the key, one-day TTL) the same audience gets wrong delays', async () => {
    const result = await simulate(naiveTemplate());
    expect(result.violations.length).toBeGreaterThan(50);
    expect(result.violations.some((line) => line.includes('multivariant delay'))).toBe(true);
    expect(result.violations.some((line) => line.includes('DASH redirect'))).toBe(true);
    expect(result.violations.some((line) => line.includes('media playlist for delay'))).toBe(true);
    expect(result.violations.some((line) => line.includes('media playlist of audience'))).toBe(true);
    expect(result.sharedKeys.length).toBeGreaterThan(0);
  }, simulationTimeoutMs);
});
