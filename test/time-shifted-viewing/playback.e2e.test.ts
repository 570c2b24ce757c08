/**
 * hls.js in Chromium plays a time-shifted channel: the fake channel-assembly channel (looping the TS fixture as a
 * live channel that started two hours ago) behind the CDN stand-in configured from the synthesized
 * TimeShiftedViewing template, asked for a start time five minutes back. The player must start five minutes behind
 * the live point, not at it.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FakeChannel, startFakeChannel } from './fake-channel-assembly';
import { TimeShiftChannel, TimeShiftedViewing } from '../../src';
import { timeShiftQuery } from '../../src/time-shifted-viewing/contract/time-shift';
import { CdnStandIn, startCdnStandIn } from '../harness/cdn-stand-in';
import { standInBehaviors } from '../harness/cloudfront-template';
import { hlsFixtureFormat, hlsFixtures } from '../harness/hls-fixtures';
import { HlsPlayer } from '../harness/hls-player';
import { LoopbackServer, startStaticServer } from '../harness/static-server';
import { describeWithTools } from '../harness/tools';

const channelHost = 'abc123.channel-assembly.mediatailor.eu-west-1.amazonaws.com';
const segmentSeconds = hlsFixtureFormat.segmentSeconds;
const windowSegments = 10;
const shiftSeconds = 300;

describeWithTools(['ffmpeg', 'chromium'], 'hls.js plays a time-shifted channel through the CDN', () => {
  let media: LoopbackServer;
  let channel: FakeChannel;
  let cdn: CdnStandIn;
  let player: HlsPlayer;
  let epochMs: number;

  beforeAll(async () => {
    const fixtures = hlsFixtures();
    const stack = new Stack(new App(), 'TimeShift', { env: { account: '111111111111', region: 'eu-west-1' } });
    new TimeShiftedViewing(stack, 'Viewing', {
      channel: TimeShiftChannel.fromPlaybackUrl(`https://${channelHost}/v1/channel/News/index_hls.m3u8`),
      segmentDuration: Duration.seconds(segmentSeconds),
      segmentSourceUrl: 'https://media.example.com/media',
    });
    media = await startStaticServer({ mounts: { '/media/': fixtures.root } });
    const set = fixtures.sets['content-ts'];
    epochMs = Date.now() - 2 * 3600_000;
    channel = await startFakeChannel({
      channelName: 'News',
      maxTimeDelaySeconds: 3600,
      segmentSeconds,
      windowSegments,
      epochMs,
      renditions: hlsFixtureFormat.renditions,
      fixtureSegments: set.segmentCount,
      segmentBaseUrl: () => `${cdn.origin}/${set.relativeDir}`,
    });
    const behaviors = standInBehaviors(Template.fromStack(stack), (origin) =>
      (origin.domainName === channelHost ? channel.origin : `${media.origin}${origin.originPath ?? ''}`));
    cdn = await startCdnStandIn({ origin: channel.origin, behaviors });
    player = await HlsPlayer.launch();
  }, 120_000);

  afterAll(async () => {
    await player?.close();
    await cdn?.close();
    await channel?.close();
    await media?.close();
  });

  test('a start time five minutes back starts playback five minutes behind the live point', async () => {
    const requestedAt = Date.now();
    const startTime = new Date(requestedAt - shiftSeconds * 1000).toISOString();
    const result = await player.play(`${cdn.origin}/v1/channel/News/index_hls.m3u8?${timeShiftQuery.startTime}=${encodeURIComponent(startTime)}`, {
      rate: 1, timeoutMs: 8000, // live: playback never ends, the player runs until the timeout
    });

    expect(result.errors.filter((error) => error.fatal)).toEqual([]);
    expect(result.fragments.length).toBeGreaterThanOrEqual(2);
    // the media playlists it loaded carry the delay MediaTailor computed from the start time
    const mediaRequests = cdn.requests.filter((request) => request.path.startsWith('/v1/channel/News/index_hls/'));
    expect(mediaRequests.length).toBeGreaterThan(0);
    for (const request of mediaRequests) {
      const delay = Number(new URL(request.url, cdn.origin).searchParams.get(timeShiftQuery.timeDelay));
      expect(delay).toBeGreaterThanOrEqual(shiftSeconds);
      expect(delay).toBeLessThanOrEqual(shiftSeconds + 3); // the few seconds between the test's clock and the request
    }
    // the first fragment shown lies in the window that ended at the shifted live point, not near real time
    const first = result.fragments[0];
    const shiftedLivePointMs = requestedAt - shiftSeconds * 1000;
    expect(first.programDateTime).not.toBeNull();
    const behindShiftedLivePoint = (shiftedLivePointMs - first.programDateTime!) / 1000;
    expect(behindShiftedLivePoint).toBeGreaterThanOrEqual(0);
    expect(behindShiftedLivePoint).toBeLessThanOrEqual((windowSegments + 1) * segmentSeconds);
    // and its media sequence number is the channel's segment of that instant, about shiftSeconds / 2 s before the live one
    expect(first.sn).toBe(Math.round((first.programDateTime! - epochMs) / (segmentSeconds * 1000)));
    const liveSequence = Math.floor((requestedAt - epochMs) / (segmentSeconds * 1000));
    expect(liveSequence - Number(first.sn)).toBeGreaterThanOrEqual(shiftSeconds / segmentSeconds);
    expect(first.url).toMatch(/\/content-ts\/(360p|180p)\/seg_\d{3}\.ts$/);
  }, 60_000);
});
