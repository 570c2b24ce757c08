import { RunningStitcher, startStitcherBundle, testSigningSecret } from './stitcher-bundle';
import { PlaybackUrl } from '../../src/pre-roll-stitcher/playback-url';
import { stitcherEnvironment } from '../../src/pre-roll-stitcher/protocol';
import { HlsFixtures, hlsFixtures } from '../harness/hls-fixtures';
import { HlsPlayer } from '../harness/hls-player';
import { LoopbackServer, startStaticServer } from '../harness/static-server';
import { describeWithTools } from '../harness/tools';

describeWithTools(['ffmpeg', 'chromium'], 'HLS Interstitials output through the shipped handler bundle', () => {
  let fixtures: HlsFixtures;
  let media: LoopbackServer;
  let stitcher: RunningStitcher;
  let player: HlsPlayer;

  beforeAll(async () => {
    fixtures = hlsFixtures();
    media = await startStaticServer({ mounts: { '/media/': fixtures.root } });
    stitcher = await startStitcherBundle({
      [stitcherEnvironment.allowedOrigins]: `127.0.0.1:${media.port}`,
      [stitcherEnvironment.outputMode]: 'interstitials',
    });
    player = await HlsPlayer.launch();
  }, 120_000);

  afterAll(async () => {
    await player?.close();
    await stitcher?.stop();
    await media?.close();
  });

  test('hls.js plays the pre-roll and the two-ad mid-roll pod as interstitials, then the content to the end', async () => {
    const ad = `${media.origin}/media/ad-ts/master.m3u8`;
    const url = PlaybackUrl.sign({
      baseUrl: stitcher.functionUrl.origin,
      signingSecret: testSigningSecret,
      payload: {
        contentUri: `${media.origin}/media/content-ts/master.m3u8`,
        breaks: [{ positionMs: 0, adUri: ad }, { positionMs: 10000, adUri: ad }, { positionMs: 10000, adUri: ad }],
      },
    });
    const result = await player.play(url);
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
