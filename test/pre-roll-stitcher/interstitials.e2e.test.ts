import { startStitchedPlaybackRig, StitchedPlaybackRig } from './stitcher-bundle';
import { stitcherEnvironment } from '../../src/pre-roll-stitcher/contract/protocol';
import { describeWithTools } from '../harness/tools';

describeWithTools(['ffmpeg', 'chromium'], 'HLS Interstitials output through the shipped handler bundle', () => {
  let rig: StitchedPlaybackRig;

  beforeAll(async () => {
    rig = await startStitchedPlaybackRig({ [stitcherEnvironment.outputMode]: 'interstitials' });
  }, 120_000);

  afterAll(async () => rig?.stop());

  test('hls.js plays the pre-roll and the two-ad mid-roll pod as interstitials, then the content to the end', async () => {
    const ad = `${rig.media.origin}/media/ad-ts/master.m3u8`;
    const result = await rig.player.play(rig.playbackUrl({
      contentUri: `${rig.media.origin}/media/content-ts/master.m3u8`,
      breaks: [{ positionMs: 0, adUri: ad }, { positionMs: 10000, adUri: ad }, { positionMs: 10000, adUri: ad }],
    }));
    expect(result.errors.filter((e) => e.fatal)).toEqual([]);
    expect(result.outcome).toBe('ended');
    expect(result.currentTime).toBeCloseTo(20, 0);
    const assetStarts = result.interstitials.filter((event) => event.kind === 'asset-started');
    expect(assetStarts.map((event) => [event.id, event.assetUri])).toEqual([['ad-pod-0', ad], ['ad-pod-1', ad], ['ad-pod-1', ad]]);
    expect(assetStarts[0].primaryTime).toBeCloseTo(0, 0);
    expect(assetStarts[1].primaryTime).toBeCloseTo(10, 0);
    // the content itself is never spliced: every primary fragment comes from the content rendition
    expect(result.fragments.every((fragment) => fragment.url.includes('/media/content-ts/'))).toBe(true);
  }, 90_000);
});
