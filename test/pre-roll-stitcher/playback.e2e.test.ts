import { startStitchedPlaybackRig, StitchedPlaybackRig } from './stitcher-bundle';
import { decodeVideoFrames } from '../harness/ffmpeg-client';
import { HlsContainer } from '../harness/hls-fixtures';
import { PlaybackResult } from '../harness/hls-player';
import { describeWithTools } from '../harness/tools';

// Content is 20 s of 2 s segments; every ad is 6 s. Mid-rolls at 6 s and 12 s of content time.
const breakPositionsMs = [0, 6000, 12000, -1];

describeWithTools(['ffmpeg', 'chromium'], 'stitched playback through the shipped handler bundle', () => {
  let rig: StitchedPlaybackRig;

  beforeAll(async () => {
    rig = await startStitchedPlaybackRig();
  }, 120_000);

  afterAll(async () => rig?.stop());

  const playbackUrl = (container: HlsContainer) => rig.playbackUrl({
    contentUri: `${rig.media.origin}/media/content-${container}/master.m3u8`,
    // given out of order on purpose: the stitcher sorts by position
    breaks: [...breakPositionsMs].reverse().map((positionMs) => ({ positionMs, adUri: `${rig.media.origin}/media/ad-${container}/master.m3u8` })),
  });

  /** Ad windows on the stitched timeline: [start, end) seconds. */
  const expectedAdWindows = [[0, 6], [12, 18], [24, 30], [38, 44]];

  function expectPlayedThrough(result: PlaybackResult, container: HlsContainer) {
    expect(result.errors.filter((e) => e.fatal)).toEqual([]);
    expect(result.outcome).toBe('ended');
    expect(result.currentTime).toBeCloseTo(20 + 4 * 6, 0);
    expect(result.discontinuities).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const fragment of result.fragments) {
      const isAd = fragment.url.includes(`/media/ad-${container}/`);
      expect({ url: fragment.url, cc: fragment.cc % 2 }).toEqual({ url: fragment.url, cc: isAd ? 0 : 1 });
      const inAdWindow = expectedAdWindows.some(([start, end]) => fragment.start >= start - 0.1 && fragment.start < end - 0.1);
      expect({ url: fragment.url, start: fragment.start, inAdWindow }).toEqual({ url: fragment.url, start: fragment.start, inAdWindow: isAd });
    }
  }

  test.each(['ts', 'fmp4'] as const)('hls.js plays a %s pre-roll, two mid-rolls and a post-roll through to the end', async (container) => {
    expectPlayedThrough(await rig.player.play(playbackUrl(container)), container);
  }, 90_000);

  test('ffmpeg decodes the stitched TS rendition as ad and content frames in stitched order', async () => {
    const rendition = (set: string) => `${rig.media.origin}/media/${set}/360p/index.m3u8`;
    const [ad, content] = await Promise.all([decodeVideoFrames(rendition('ad-ts')), decodeVideoFrames(rendition('content-ts'))]);
    const stitched = await decodeVideoFrames(playbackUrl('ts'), { variant: 0 });
    const framesPerSecond = 30;
    const contentPart = (fromSeconds: number, toSeconds: number) =>
      content.frameMd5s.slice(fromSeconds * framesPerSecond, toSeconds * framesPerSecond);
    expect(stitched.exitCode).toBe(0);
    expect(stitched.frameMd5s).toEqual([
      ...ad.frameMd5s, ...contentPart(0, 6), ...ad.frameMd5s, ...contentPart(6, 12), ...ad.frameMd5s, ...contentPart(12, 20), ...ad.frameMd5s,
    ]);
  }, 90_000);
});
