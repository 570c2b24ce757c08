import * as fc from 'fast-check';
import {
  classifyPlaylist, clockSkewToleranceMs, defaultPlaylistCacheTtlSeconds, defaultStaleAfterTargetDurations, heartbeatFreshForMs, heartbeatIntervalMs,
  heartbeatLatencyAllowanceMs, isSafeThreshold, isStale, lastModifiedGranularityMs, minimumStaleAfterTargetDurations, oldestHealthyAgeMs,
  playlistCacheTiers, staleAfterMs,
} from '../../src/stale-playlist-guard/contract/staleness';

describe('thresholds', () => {
  test('exactly at the threshold a playlist is not stale; a millisecond later it is', () => {
    expect(isStale(0, 6000, 6000)).toBe(false);
    expect(isStale(0, 6001, 6000)).toBe(true);
    expect(isStale(10_000, 10_000, 0)).toBe(false);
    expect(isStale(10_000, 9_000, 6000)).toBe(false); // a Last-Modified in the future (clock skew) is fresh
  });

  test('the threshold is the multiple of target durations, in whole milliseconds', () => {
    expect(staleAfterMs(2, 3)).toBe(6000);
    expect(staleAfterMs(6, 3)).toBe(18000);
    expect(staleAfterMs(2, 2.5)).toBe(5000);
    expect(staleAfterMs(1, 1 / 3)).toBe(333);
  });

  test('a healthy playlist can look 1.5 x TD + 2 cache TTLs (edge, regional edge cache) + 1 s granularity + 1 s skew old', () => {
    expect(playlistCacheTiers).toBe(2);
    expect(oldestHealthyAgeMs(2, 1000)).toBe(3000 + 2 * 1000 + lastModifiedGranularityMs + clockSkewToleranceMs);
    expect(oldestHealthyAgeMs(6, 0)).toBe(11000);
  });

  test.each([1, 2, 3, 4, 5, 6, 7, 10, 30, 60])('the defaults (whole-second TTL floor(TD/2), multiple max(3, minimum)) are safe for TD = %i s', (td) => {
    const ttlMs = defaultPlaylistCacheTtlSeconds(td) * 1000;
    expect(ttlMs % 1000).toBe(0);
    expect(ttlMs).toBeLessThanOrEqual(td * 500);
    expect(isSafeThreshold(td, defaultStaleAfterTargetDurations(td, ttlMs), ttlMs)).toBe(true);
  });

  test('the default multiple is 3 from TD 3 s up, 3.5 at TD 1 s and 2 s (where one extra TTL already exceeds 3 x TD)', () => {
    const defaults = [1, 2, 3, 4, 5, 6].map((td) => defaultStaleAfterTargetDurations(td, defaultPlaylistCacheTtlSeconds(td) * 1000));
    expect(defaults).toEqual([3.5, 3.5, 3, 3, 3, 3]);
    expect(isSafeThreshold(2, 3, 1000)).toBe(false);
    expect(minimumStaleAfterTargetDurations(6, 3000)).toBe(3);
  });

  test('a non-finite multiple is never safe', () => {
    expect(isSafeThreshold(6, Infinity, 3000)).toBe(false);
    expect(isSafeThreshold(6, NaN, 3000)).toBe(false);
  });

  test.each([
    ['TD = 1 s with the defaults', 1, 3, 500],
    ['2 x TD with cache TTL TD/2', 2, 2, 1000],
    ['1.5 x TD, the RFC window alone', 6, 1.5, 0],
    ['3 x TD behind a cache of a whole TD', 2, 3, 2001],
    ['3 x TD at TD 2 s with a 1 s TTL in two tiers', 2, 3, 1000],
  ])('too small: %s', (_, td, multiple, cacheTtlMs) => {
    expect(isSafeThreshold(td, multiple, cacheTtlMs)).toBe(false);
  });

  test('a threshold exactly at the oldest healthy age is safe (equal is not stale)', () => {
    expect(isSafeThreshold(4, 3, 2000)).toBe(true); // 12000 >= 6000 + 2 x 2000 + 2000
    expect(isSafeThreshold(4, 3, 2001)).toBe(false);
  });
});

/**
 * A compliant encoder writes version i at `writes[i]`, each 0.5..1.5 x TD after the previous. A viewer at
 * `observedAt` (between the first and the last write: the encoder is running) sees the version a cache fetched
 * up to `cacheAgeMs` earlier, with a Last-Modified truncated to whole seconds and stamped by a clock `skewMs` off.
 */
const compliantObservation = fc
  .record({
    targetDurationSeconds: fc.integer({ min: 1, max: 12 }),
    staleAfterTargetDurations: fc.double({ min: 1, max: 6, noNaN: true }),
    cacheTtlFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    startMs: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
    intervalFractions: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 40 }),
    observedFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    cacheAgeFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    skewMs: fc.integer({ min: -clockSkewToleranceMs, max: clockSkewToleranceMs }),
  })
  .map((input) => {
    const tdMs = input.targetDurationSeconds * 1000;
    const cacheTtlMs = Math.floor(input.cacheTtlFraction * tdMs / 2 / 1000) * 1000; // CloudFront TTLs are whole seconds
    const writes = [input.startMs];
    for (const fraction of input.intervalFractions) writes.push(writes[writes.length - 1] + Math.round(tdMs * (0.5 + fraction)));
    const observedAt = writes[0] + Math.floor(input.observedFraction * (writes[writes.length - 1] - writes[0]));
    // each cache tier may keep its copy a whole TTL: the copy reaching the function can be tiers x TTL old
    const fetchedAt = Math.max(writes[0], observedAt - Math.floor(input.cacheAgeFraction * playlistCacheTiers * cacheTtlMs));
    const version = writes.filter((write) => write <= fetchedAt).pop()!;
    const lastModified = Math.floor(version / 1000) * 1000 + input.skewMs;
    return { ...input, cacheTtlMs, writes, observedAt, lastModified };
  });

describe('a safe threshold never flags a running compliant encoder', () => {
  test('property: isStale is false at every observation while the encoder runs', () => {
    fc.assert(
      fc.property(compliantObservation, (observation) => {
        const { targetDurationSeconds, staleAfterTargetDurations, cacheTtlMs, observedAt, lastModified } = observation;
        fc.pre(isSafeThreshold(targetDurationSeconds, staleAfterTargetDurations, cacheTtlMs));
        return !isStale(lastModified, observedAt, staleAfterMs(targetDurationSeconds, staleAfterTargetDurations));
      }),
      { numRuns: 2000 },
    );
  });

  test('property: with the default multiple for any whole-second TTL up to TD/2 no observation is ever stale (TD >= 1 s)', () => {
    fc.assert(
      fc.property(compliantObservation, (observation) => {
        const { targetDurationSeconds, cacheTtlMs, observedAt, lastModified } = observation;
        const multiple = defaultStaleAfterTargetDurations(targetDurationSeconds, cacheTtlMs);
        return !isStale(lastModified, observedAt, staleAfterMs(targetDurationSeconds, multiple));
      }),
      { numRuns: 2000 },
    );
  });

  test('property: a stopped encoder is flagged once the threshold, granularity and skew have passed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
        fc.integer({ min: -clockSkewToleranceMs, max: clockSkewToleranceMs }), fc.integer({ min: 1, max: 600_000 }),
        (targetDurationSeconds, lastWriteMs, skewMs, extraMs) => {
          const thresholdMs = staleAfterMs(targetDurationSeconds, 3);
          const lastModified = Math.floor(lastWriteMs / 1000) * 1000 + skewMs;
          return isStale(lastModified, lastWriteMs + thresholdMs + clockSkewToleranceMs + extraMs, thresholdMs);
        },
      ),
    );
  });

  test('the model is not vacuous: an unsafe threshold does flag some running encoder', () => {
    const counterexample = fc.check(
      fc.property(compliantObservation, (observation) => {
        const { targetDurationSeconds, observedAt, lastModified } = observation;
        return !isStale(lastModified, observedAt, staleAfterMs(targetDurationSeconds, 1.5));
      }),
      { numRuns: 2000, seed: 42 },
    );
    expect(counterexample.failed).toBe(true);
  });
});

describe('heartbeats (edge mode, two or more pipelines)', () => {
  test('a heartbeat counts while at most the threshold less S3\'s one-second Last-Modified granularity old', () => {
    expect(heartbeatFreshForMs(18_000)).toBe(17_000);
  });

  test.each([[6, 3, 5000], [2, 3.5, 1000], [10, 3, 11_000], [1, 3.5, 1000]])(
    'TD %i s, %f x TD: a heartbeat every %i ms at most', (td, multiple, expected) => {
      expect(heartbeatIntervalMs(td, staleAfterMs(td, multiple))).toBe(expected);
    });

  const worstHeartbeatAgeMs = (td: number) => {
    const threshold = staleAfterMs(td, defaultStaleAfterTargetDurations(td, defaultPlaylistCacheTtlSeconds(td) * 1000));
    // written on the first upload an interval after the last write; uploads at most 1.5 x TD apart; then the latency allowance
    return { worst: heartbeatIntervalMs(td, threshold) + 1.5 * td * 1000 + heartbeatLatencyAllowanceMs, window: heartbeatFreshForMs(threshold) };
  };

  test.each([4, 5, 6, 7, 10, 30, 60])('TD %i s with the default threshold: a running pipeline\'s heartbeat is never older than the fresh window', (td) => {
    const { worst, window } = worstHeartbeatAgeMs(td);
    expect(worst).toBeLessThanOrEqual(window);
  });

  test.each([1, 2, 3])('TD %i s: even a heartbeat a second can come too late in the worst case (a failover may wait for it; never a 404)', (td) => {
    const { worst, window } = worstHeartbeatAgeMs(td);
    expect(worst).toBeGreaterThan(window);
  });
});

describe('classifyPlaylist', () => {
  const live = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:6', '#EXT-X-MEDIA-SEQUENCE:42', '#EXTINF:6.000,', 'seg_42.ts', ''].join('\n');
  const withPlaylistType = (type: string) => live.replace('#EXT-X-VERSION:3', `#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:${type}`);

  test.each([
    ['a live media playlist', live, { kind: 'live', targetDurationSeconds: 6 }],
    ['a live media playlist with CRLF line ends', live.replace(/\n/g, '\r\n'), { kind: 'live', targetDurationSeconds: 6 }],
    ['an EVENT playlist still growing', withPlaylistType('EVENT'), { kind: 'live', targetDurationSeconds: 6 }],
    ['an ended live playlist', `${live}#EXT-X-ENDLIST\n`, { kind: 'ended' }],
    ['a VOD playlist', withPlaylistType('VOD'), { kind: 'ended' }],
    ['a multivariant playlist', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360p.m3u8\n', { kind: 'multivariant' }],
    ['an I-frame-only multivariant playlist', '#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI="iframe.m3u8"\n', { kind: 'multivariant' }],
    ['a media playlist without EXT-X-TARGETDURATION', live.replace('#EXT-X-TARGETDURATION:6\n', ''), { kind: 'no-target-duration' }],
    ['a target duration of 0', live.replace('TARGETDURATION:6', 'TARGETDURATION:0'), { kind: 'no-target-duration' }],
    ['a fractional target duration (not RFC 8216)', live.replace('TARGETDURATION:6', 'TARGETDURATION:6.5'), { kind: 'no-target-duration' }],
    ['an empty file', '', { kind: 'no-target-duration' }],
  ])('%s', (_, text, expected) => {
    expect(classifyPlaylist(text)).toEqual(expected);
  });
});
