import { ArnFormat, CustomResource, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as medialive from 'aws-cdk-lib/aws-medialive';
import { Construct } from 'constructs';
import { stopOnDeleteMetrics, stopOnDeleteProperties, stopOnDeleteTiming } from './contract/stop-on-delete';
import { encoderSettings } from './encoder-settings';
import { EncodingProfile } from './encoding-profile';
import { ChannelClass, LiveInput } from './live-input';
import { Packaging } from './packaging';
import { StopOnDeleteFunction } from './stop-on-delete-function';
import { BundledHandler } from '../shared/bundled-handler';
import { DistributionSettings } from '../shared/distribution-settings';
import { nagResourceName } from '../shared/nag-finding';
import { StalePlaylistGuard } from '../stale-playlist-guard/stale-playlist-guard';

/** How much the channel logs to CloudWatch Logs (log group `ElementalMediaLive`). */
export enum ChannelLogLevel {
  /** Errors only. */
  ERROR = 'ERROR',
  /** Errors and warnings. */
  WARNING = 'WARNING',
  /** Errors, warnings and information. */
  INFO = 'INFO',
  /** Everything. */
  DEBUG = 'DEBUG',
  /** No encoder logs (the free as-run logs are still written). */
  DISABLED = 'DISABLED',
}

/** The codec of the source MediaLive ingests: part of the input specification MediaLive bills by. */
export enum SourceCodec {
  /** MPEG-2 video. */
  MPEG2 = 'MPEG2',
  /** H.264 / AVC. */
  AVC = 'AVC',
  /** H.265 / HEVC. */
  HEVC = 'HEVC',
}

/** Properties of a {@link LiveOttPipeline}. */
export interface LiveOttPipelineProps extends DistributionSettings {
  /** Where the video comes from. */
  readonly input: LiveInput;

  /**
   * Two redundant pipelines (STANDARD) or one (SINGLE_PIPELINE). The input must have one source per pipeline.
   * @default ChannelClass.SINGLE_PIPELINE - half the hourly price; use STANDARD in production
   */
  readonly channelClass?: ChannelClass;

  /**
   * The adaptive-bitrate ladder.
   * @default EncodingProfile.hd720p()
   */
  readonly encoding?: EncodingProfile;

  /**
   * The codec of the source (MediaLive bills the input by codec, resolution and bitrate).
   * @default SourceCodec.AVC
   */
  readonly sourceCodec?: SourceCodec;

  /**
   * Segment length, whole seconds from 1 to 30: MediaLive's CMAF segments and MediaPackage's segments. Closed GOPs
   * (2 s, or 1 s for odd lengths) divide it; CloudFront's manifest TTL and origin timeouts follow from it.
   * @default Duration.seconds(4)
   */
  readonly segmentLength?: Duration;

  /**
   * Pass SCTE-35 ad markers from the source through to the packager.
   * @default true
   */
  readonly scte35Passthrough?: boolean;

  /**
   * How the output is packaged.
   * @default Packaging.mediaPackageV2()
   */
  readonly packaging?: Packaging;

  /**
   * Encoder log level (CloudWatch Logs, log group `ElementalMediaLive`; billed by CloudWatch Logs).
   * @default ChannelLogLevel.ERROR
   */
  readonly logLevel?: ChannelLogLevel;

  /**
   * Serve the pipeline from this distribution instead of creating one: its behaviors go under the packager's own paths
   * (with MediaPackage v2, `/out/v1/<channel group>/live/*`), so several pipelines can share one distribution. The
   * distribution settings (domainNames, certificate, priceClass...) are then the existing distribution's; the 1-second
   * error caching is the distribution's to set. Not available with `Packaging.mediaPackageV1()` (its paths are known only
   * after deployment).
   * @default - a new distribution
   */
  readonly existingDistribution?: cloudfront.Distribution;

  /**
   * Start the channel when the stack is created, and when this turns true on an update (also after a change replaces
   * the channel); the deploy waits until the channel runs. A running channel bills by the hour. Turning this off later
   * does not stop a running channel.
   * @default false - the channel is created stopped: start it with `aws medialive start-channel --channel-id <channelId>`
   */
  readonly autoStart?: boolean;
}

/** Segment lengths the pipeline accepts, in seconds. */
const segmentLengthLimits = { minimum: 1, maximum: 30, default: 4 };

/**
 * A live OTT channel: AWS Elemental MediaLive encodes one input into an adaptive-bitrate ladder, MediaPackage v2
 * packages it as HLS (TS and CMAF) and DASH, and CloudFront serves it, reaching MediaPackage only through Origin
 * Access Control (or MediaPackage v1 behind CDN authorization, see {@link Packaging}). The channel is created stopped
 * unless `autoStart` is on; the construct stops it (and waits for IDLE) before CloudFormation deletes it.
 */
export class LiveOttPipeline extends Construct {
  /** The MediaLive channel. */
  public readonly channel: medialive.CfnChannel;
  /** The channel's ARN. */
  public readonly channelArn: string;
  /** The channel's id (for `aws medialive start-channel --channel-id`). */
  public readonly channelId: string;
  /** The MediaLive input. */
  public readonly input: medialive.CfnInput;
  /**
   * Where a push encoder sends (one URL per pipeline, e.g. `rtmp://198.51.100.10:1935/live/main`); empty for pull,
   * file, MediaConnect, device and SRT caller inputs.
   */
  public readonly ingestEndpoints: string[];
  /** The role MediaLive works with. */
  public readonly channelRole: iam.IRole;
  /** The distribution serving the playlists and segments. */
  public readonly distribution: cloudfront.IDistribution;
  /** HLS playback URL (every packaging mode serves HLS): TS segments with MediaPackage v2. */
  public readonly hlsPlaybackUrl: string;
  /**
   * HLS playback URL, CMAF segments.
   * @default - undefined when the packaging mode serves no HLS with CMAF segments
   */
  public readonly cmafHlsPlaybackUrl?: string;
  /**
   * Low-latency HLS playback URL, CMAF segments and parts.
   * @default - undefined unless MediaPackage v2 packaging has `lowLatencyHls`
   */
  public readonly lowLatencyHlsPlaybackUrl?: string;
  /**
   * DASH playback URL, CMAF segments.
   * @default - undefined when the packaging mode serves no DASH
   */
  public readonly dashPlaybackUrl?: string;
  /**
   * Microsoft Smooth Streaming playback URL.
   * @default - undefined unless the packaging mode is MediaPackage v1 with an MSS endpoint
   */
  public readonly mssPlaybackUrl?: string;
  /**
   * The domain the distribution fetches from: with MediaPackage v2 the channel group's egress domain (reachable only
   * through the distribution's Origin Access Control), with MediaPackage v1 the endpoints' host (answering only requests
   * with the CDN identifier header).
   */
  public readonly originDomain: string;
  /**
   * The guard serving the output with HLS-to-S3 packaging (its metrics: `metricErrorRate`, `metricPlaylistsMarked`).
   * @default - undefined with the other packaging modes
   */
  public readonly stalePlaylistGuard?: StalePlaylistGuard;

  constructor(scope: Construct, id: string, props: LiveOttPipelineProps) {
    super(scope, id);
    const channelClass = props.channelClass ?? ChannelClass.SINGLE_PIPELINE;
    const segmentLengthSeconds = validateSegmentLength(props.segmentLength);
    const encoding = props.encoding ?? EncodingProfile.hd720p();
    const scte35Passthrough = props.scte35Passthrough ?? true;

    const packaging = props.packaging ?? Packaging.mediaPackageV2();
    const role = new iam.Role(this, 'ChannelRole', {
      assumedBy: new iam.ServicePrincipal('medialive.amazonaws.com'),
      description: `LiveOttPipeline MediaLive channel: writes to ${packaging._encoderTarget} and its channel logs, reads its input`,
    });
    // MediaLive always writes as-run logs and, with a log level, encoder logs to this group (MediaLive User Guide, working with logs)
    const channelLogs = Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: 'ElementalMediaLive:*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const logsPolicy = new iam.Policy(this, 'ChannelLogsPolicy', {
      roles: [role],
      statements: [new iam.PolicyStatement({
        sid: 'WriteChannelLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [channelLogs],
      })],
    });
    // Validations.acknowledge refuses an id with a second '::', and the granular id of a partition-qualified ARN holds
    // '<AWS::Partition>': record the same acknowledgement metadata directly, for exactly this resource
    logsPolicy.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
      [`AwsSolutions-IAM5[Resource::${nagResourceName(this, channelLogs)}]`]:
        'MediaLive names its log streams after the channel ARN and pipeline inside its fixed ElementalMediaLive group: the streams of that group only',
    });
    this.channelRole = role;

    const boundInput = props.input._bind(this, channelClass, role);
    this.input = boundInput.input;
    this.ingestEndpoints = props.input.isPush ? [...Array(channelClass === ChannelClass.STANDARD ? 2 : 1).keys()]
      .map((index) => Fn.select(index, boundInput.input.attrDestinations)) : [];

    const packager = packaging._bind(this, { segmentLengthSeconds, encoderRole: role, scte35Passthrough, channelClass });
    this.originDomain = packager.originDomain;

    const source = encoding._sourceSpecification();
    this.channel = new medialive.CfnChannel(this, 'Channel', {
      channelClass,
      roleArn: role.roleArn,
      logLevel: props.logLevel ?? ChannelLogLevel.ERROR,
      inputSpecification: { codec: props.sourceCodec ?? SourceCodec.AVC, resolution: source.resolution, maximumBitrate: source.maximumBitrate },
      inputAttachments: [{
        inputId: boundInput.input.ref,
        inputAttachmentName: 'source',
        inputSettings: boundInput.sourceEndBehavior ? { sourceEndBehavior: boundInput.sourceEndBehavior } : undefined,
      }],
      destinations: packager.destinations,
      encoderSettings: encoderSettings(encoding, {
        segmentLengthSeconds,
        scte35Passthrough,
        outputGroups: (renditions) => packager.outputGroups(renditions),
      }),
    });
    // MediaLive checks its destination and role when it creates the channel
    this.channel.node.addDependency(...packager.channelDependencies, role);
    this.channelArn = this.channel.attrArn;
    this.channelId = this.channel.ref;

    this.controlLifecycle(role, props.autoStart ?? false);

    const delivery = packager.deliver(this, { settings: props, existingDistribution: props.existingDistribution, segmentLengthSeconds });
    this.distribution = delivery.distribution;
    this.hlsPlaybackUrl = delivery.playbackUrls.hls;
    this.cmafHlsPlaybackUrl = delivery.playbackUrls.cmafHls;
    this.lowLatencyHlsPlaybackUrl = delivery.playbackUrls.lowLatencyHls;
    this.dashPlaybackUrl = delivery.playbackUrls.dash;
    this.mssPlaybackUrl = delivery.playbackUrls.mss;
    this.stalePlaylistGuard = delivery.stalePlaylistGuard;
  }

  /** The custom resource that stops the channel before CloudFormation deletes it, and starts it when `autoStart` asks. */
  private controlLifecycle(channelRole: iam.Role, autoStart: boolean): void {
    const handler = new BundledHandler(this, 'StopOnDelete', {
      functionClass: StopOnDeleteFunction,
      constructName: 'live-ott-pipeline',
      metricsNamespace: stopOnDeleteMetrics.namespace,
      roleDescription: `LiveOttPipeline stop-on-delete: describes${autoStart ? ', starts' : ''} and stops its own MediaLive channel, nothing else`,
      defaults: { memorySize: 256, timeout: Duration.seconds(stopOnDeleteTiming.functionTimeoutSeconds) },
      environment: {},
    });
    handler.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'StopTheChannel',
      actions: ['medialive:DescribeChannel', 'medialive:StopChannel'],
      resources: [this.channel.attrArn],
    }));
    if (autoStart) {
      handler.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'StartTheChannel', actions: ['medialive:StartChannel'], resources: [this.channel.attrArn] }));
    }
    const resource = new CustomResource(this, 'StopChannelOnDelete', {
      serviceToken: handler.function.functionArn,
      resourceType: 'Custom::MediaLiveChannelStopOnDelete',
      properties: { [stopOnDeleteProperties.channelId]: this.channel.ref, ...(autoStart ? { [stopOnDeleteProperties.autoStart]: 'true' } : {}) },
    });
    // deleted before the channel (it references it) and before the function's permissions (it depends on them)
    resource.node.addDependency(handler.role, handler.function, channelRole);
  }
}

function validateSegmentLength(segmentLength: Duration | undefined): number {
  if (segmentLength === undefined) return segmentLengthLimits.default;
  const seconds = segmentLength.toMilliseconds() / 1000;
  if (!Number.isInteger(seconds) || seconds < segmentLengthLimits.minimum || seconds > segmentLengthLimits.maximum) {
    throw new Error(`segmentLength must be whole seconds from ${segmentLengthLimits.minimum} to ${segmentLengthLimits.maximum}, got ${segmentLength.toHumanString()}`);
  }
  return seconds;
}
