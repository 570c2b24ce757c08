import { App, CfnOutput, Duration, Fn, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  ChannelClass, ContentSource, EncodingProfile, LiveInput, LiveOttPipeline, LivePipeline, Packaging, PlaybackConfiguration,
  PrefetchSessionInitializer, PrefetchTrafficShaping, PreRollStitcher, StalePlaylistGuard, TimeShiftChannel, TimeShiftedViewing,
} from '../src';

/** One stack composing every construct of the library, as a user's app would. */
export class OttExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // VOD ad stitching: content from the VOD origin, ads from the ad server's CDN
    const stitcher = new PreRollStitcher(this, 'AdStitching', {
      allowedOrigins: ['vod.example.com', '*.ads.example.com'],
      cacheTtl: Duration.days(7),
    });
    // the backend that mints signed playback URLs reads the signing secret
    const playbackApi = new iam.Role(this, 'PlaybackApiRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    stitcher.grantReadSigningSecret(playbackApi);
    new CfnOutput(this, 'StitcherPlaybackUrlBase', { value: stitcher.playbackUrlBase });

    // live origin for a redundant encoder (two pipelines): a stalled pipeline's playlists turn into 404s
    const liveOrigin = new StalePlaylistGuard(this, 'LiveOrigin', {
      targetDuration: Duration.seconds(6),
      pipelines: [LivePipeline.atPrefix('pipeline-a/'), LivePipeline.atPrefix('pipeline-b/')],
    });
    new CfnOutput(this, 'LivePlaybackUrlBase', { value: liveOrigin.playbackUrlBase });

    // live channel: a redundant RTMP contribution encoded to 1080p, packaged by MediaPackage v2, served by CloudFront
    // (created stopped: start it with `aws medialive start-channel`; it bills by the hour while running)
    const channel = new LiveOttPipeline(this, 'LiveChannel', {
      input: LiveInput.rtmpPush({ allowedCidrs: ['203.0.113.0/24'], streamNames: ['live/main', 'live/backup'] }),
      channelClass: ChannelClass.STANDARD,
      encoding: EncodingProfile.hd1080p(),
      segmentLength: Duration.seconds(4),
      packaging: Packaging.mediaPackageV2({ startoverWindow: Duration.hours(2) }),
    });
    new CfnOutput(this, 'LiveChannelId', { value: channel.channelId });
    new CfnOutput(this, 'LiveChannelIngest', { value: Fn.join(' ', channel.ingestEndpoints) });
    new CfnOutput(this, 'LiveChannelHls', { value: channel.hlsPlaybackUrl });
    if (channel.dashPlaybackUrl) new CfnOutput(this, 'LiveChannelDash', { value: channel.dashPlaybackUrl }); // MediaPackage v2 serves DASH

    // live server-side ad insertion into that channel: sessions spread over 4 prefetch groups, each prefetching the
    // evening's breaks, and breaks the playout system announces on EventBridge prefetched group after group
    const ads = new PrefetchSessionInitializer(this, 'LiveAds', {
      playbackConfiguration: PlaybackConfiguration.create({
        adDecisionServerUrl: 'https://ads.example.com/vast?duration=[session.avail_duration_secs]&device=[player_params.device]',
        contentSource: ContentSource.fromLiveOttPipeline(channel),
        slateAdUrl: 'https://ads.example.com/slate.mp4',
      }),
      announcedBreaks: { retrievalLead: Duration.minutes(4) },
      prefetchGroups: 4,
      prefetchSchedules: [{
        name: 'evening',
        startTime: '2030-01-01T18:00:00Z',
        endTime: '2030-01-01T23:00:00Z',
        groupStagger: Duration.seconds(30),
        trafficShaping: PrefetchTrafficShaping.retrievalWindow(Duration.seconds(30)),
      }],
    });
    new CfnOutput(this, 'SessionInitializerUrlBase', { value: ads.sessionInitializerUrlBase });

    // a channel-assembly channel viewers may watch up to two hours behind, e.g. from the start of a programme
    const timeShifted = new TimeShiftedViewing(this, 'TimeShiftedChannel', {
      channel: TimeShiftChannel.create({
        channelName: 'news',
        maxTimeDelay: Duration.hours(2),
        outputs: [
          { manifestName: 'index_hls', sourceGroup: 'hls', hlsPlaylistSettings: { manifestWindowSeconds: 60 } },
          { manifestName: 'index_dash', sourceGroup: 'dash', dashPlaylistSettings: { manifestWindowSeconds: 60, minBufferTimeSeconds: 12 } },
        ],
      }),
      segmentDuration: Duration.seconds(6),
      segmentSourceUrl: 'https://vod.example.com',
    });
    new CfnOutput(this, 'TimeShiftedPlaybackUrlBase', { value: timeShifted.playbackUrlBase });
  }
}

const app = new App();
// cdk-nag 3 runs as a policy-validation plugin: synthesis fails on any AwsSolutions finding nobody acknowledged
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
new OttExampleStack(app, 'OttExample', { env: { account: '111111111111', region: 'eu-west-1' } });
app.synth();
