import { Duration, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as mediatailor from 'aws-cdk-lib/aws-mediatailor';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ChannelCacheBehaviors } from './channel-cache-behaviors';
import { minimumStartoverWindowSeconds, timeShiftLimits } from './contract/time-shift';
import { CdnFront } from '../shared/cdn-front';
import { DistributionSettings } from '../shared/distribution-settings';

/** A channel-assembly channel created with time-shifted viewing. */
export interface TimeShiftChannelOptions {
  /** Name of the new channel. */
  readonly channelName: string;

  /** How far back viewers may shift: 0 to 6 hours, whole seconds (the channel's `TimeShiftConfiguration`). */
  readonly maxTimeDelay: Duration;

  /** The channel's outputs (manifest name, source group, HLS or DASH playlist settings). */
  readonly outputs: mediatailor.CfnChannel.RequestOutputItemProperty[];

  /**
   * Slate shown when nothing is scheduled.
   * @default - none
   */
  readonly fillerSlate?: mediatailor.CfnChannel.SlateSourceProperty;

  /**
   * Startover window of the MediaPackage origin behind the channel's live sources; checked against the documented rule
   * (at least the maximum delay plus the longest manifest window plus 10 minutes). Leave unset for VOD-only channels.
   * @default - no live source to check
   */
  readonly liveSourceStartoverWindow?: Duration;
}

/** The channel behind the CDN: use the static factories. */
export class TimeShiftChannel {
  /**
   * An existing channel, by the playback URL of one of its outputs, e.g.
   * `https://abc123.channel-assembly.mediatailor.us-west-2.amazonaws.com/v1/channel/MyChannel/index_hls.m3u8`.
   * The channel must have time-shifted viewing enabled (a maximum time delay) to honour the parameters.
   */
  public static fromPlaybackUrl(playbackUrl: string): TimeShiftChannel {
    const match = /^https:\/\/([A-Za-z0-9.-]+)\/v1\/channel\/([A-Za-z0-9_-]+)\/[^?#]+$/.exec(playbackUrl);
    if (Token.isUnresolved(playbackUrl) || !match) {
      throw new Error(`playbackUrl must be a literal channel playback URL like 'https://<prefix>.channel-assembly.mediatailor.<region>.amazonaws.com/v1/channel/<name>/<output>.m3u8', got '${playbackUrl}'`);
    }
    return new TimeShiftChannel(match[2], () => ({ domainName: match[1] }));
  }

  /**
   * A new STANDARD-tier channel in LINEAR playback mode (the only ones MediaTailor time-shifts) with
   * `TimeShiftConfiguration.MaxTimeDelaySeconds` set from `maxTimeDelay`. Its playback host, which CloudFormation does
   * not return, is read with DescribeChannel at deploy time.
   */
  public static create(options: TimeShiftChannelOptions): TimeShiftChannel {
    validateNewChannel(options);
    return new TimeShiftChannel(options.channelName, (scope) => {
      const channel = new mediatailor.CfnChannel(scope, 'Channel', {
        channelName: options.channelName,
        tier: timeShiftLimits.tier,
        playbackMode: timeShiftLimits.playbackMode,
        outputs: options.outputs,
        fillerSlate: options.fillerSlate,
        timeShiftConfiguration: { maxTimeDelaySeconds: options.maxTimeDelay.toSeconds() },
      });
      return { domainName: channelDomain(scope, channel, options.channelName), channel };
    });
  }

  // closed: only the factories above make one (a subclass in any jsii language would not be understood)
  private constructor(
    /** Name of the channel. */
    public readonly channelName: string,
    private readonly bindChannel: (scope: Construct) => { domainName: string; channel?: mediatailor.CfnChannel },
  ) {}

  /** @internal */
  public _bind(scope: Construct): { domainName: string; channel?: mediatailor.CfnChannel } {
    return this.bindChannel(scope);
  }
}

/** Properties of a {@link TimeShiftedViewing}. */
export interface TimeShiftedViewingProps extends DistributionSettings {
  /** The channel: `TimeShiftChannel.fromPlaybackUrl(...)` or `TimeShiftChannel.create({...})`. */
  readonly channel: TimeShiftChannel;

  /**
   * Typical segment duration of the channel: the longest time a response that depends on the time of the request is
   * cached. Whole seconds, at least 1.
   * @default Duration.seconds(6)
   */
  readonly segmentDuration?: Duration;

  /**
   * How long media playlists and DASH manifests (and DASH's start-time redirects) are cached; at most
   * `segmentDuration`, zero turns caching off.
   * @default - half the segment duration (whole seconds, at least 1)
   */
  readonly manifestTtl?: Duration;

  /**
   * Where segments come from: the HTTP base URL of the channel's source location (e.g. `https://media.example.com`).
   * Every path outside `/v1/channel/<name>/` is served from it with `segmentTtl`; point the source location's segment
   * delivery configuration at this distribution so players fetch segments through it.
   * @default - no segment origin: every path outside the channel's manifests goes to the channel with the manifest TTL
   */
  readonly segmentSourceUrl?: string;

  /**
   * How long segments are cached.
   * @default Duration.days(1)
   */
  readonly segmentTtl?: Duration;

  /**
   * Name of MediaTailor's start-program query parameter (see {@link ChannelCacheBehaviorsProps.startProgramParameter}).
   * @default 'aws.mediatailor.channel.startProgram'
   */
  readonly startProgramParameter?: string;
}

/**
 * A MediaTailor channel-assembly channel behind CloudFront with caching that is correct for time-shifted viewing
 * (https://docs.aws.amazon.com/mediatailor/latest/ug/time-shift-with-cdn.html): the time-shift parameters in every
 * manifest cache key, time-dependent responses cached at most one segment duration, DASH redirects passed to the
 * player, segments cached long.
 */
export class TimeShiftedViewing extends Construct {
  /** The distribution serving the channel. */
  public readonly distribution: cloudfront.IDistribution;
  /** `https://<domain>/v1/channel/<name>/`: append an output's manifest name and the time-shift parameters. */
  public readonly playbackUrlBase: string;
  /** The cache policies and behaviors (reusable for another distribution in front of the same channel). */
  public readonly cacheBehaviors: ChannelCacheBehaviors;
  /** The channel, when the construct created it. */
  public readonly channel?: mediatailor.CfnChannel;
  /** Name of the channel. */
  public readonly channelName: string;

  constructor(scope: Construct, id: string, props: TimeShiftedViewingProps) {
    super(scope, id);
    const bound = props.channel._bind(this);
    this.channel = bound.channel;
    this.channelName = props.channel.channelName;
    this.cacheBehaviors = new ChannelCacheBehaviors(this, 'CacheBehaviors', {
      channelName: props.channel.channelName,
      segmentDuration: props.segmentDuration,
      manifestTtl: props.manifestTtl,
      segmentTtl: props.segmentTtl,
      startProgramParameter: props.startProgramParameter,
    });
    const channelOrigin = new origins.HttpOrigin(bound.domainName, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY });
    const segmentOrigin = props.segmentSourceUrl === undefined ? undefined : segmentSourceOrigin(props.segmentSourceUrl);
    const manifestBehaviors = this.cacheBehaviors.manifestBehaviors(channelOrigin);

    const front = new CdnFront(this, {
      ...props,
      comment: `TimeShiftedViewing: channel ${props.channel.channelName}`,
      logFilePrefix: 'time-shifted-viewing/',
      defaultBehavior: segmentOrigin
        ? this.cacheBehaviors.segmentBehavior(segmentOrigin)
        : manifestBehaviors[this.cacheBehaviors.mediaPlaylistPathPattern],
      additionalBehaviors: manifestBehaviors,
    });
    this.distribution = front.distribution;
    this.playbackUrlBase = `${front.urlBase}/v1/channel/${props.channel.channelName}/`;
  }
}

function segmentSourceOrigin(url: string): cloudfront.IOrigin {
  const match = /^(https?):\/\/([A-Za-z0-9.-]+)(:\d{1,5})?(\/[A-Za-z0-9._~/-]*)?$/.exec(url);
  if (!match) throw new Error(`segmentSourceUrl must be an http(s) base URL without query, like 'https://media.example.com/vod', got '${url}'`);
  const [, scheme, host, port, path] = match;
  const originPath = (path ?? '').replace(/\/+$/, '');
  const portNumber = port ? Number(port.slice(1)) : undefined;
  return new origins.HttpOrigin(host, {
    protocolPolicy: scheme === 'https' ? cloudfront.OriginProtocolPolicy.HTTPS_ONLY : cloudfront.OriginProtocolPolicy.HTTP_ONLY,
    originPath: originPath || undefined,
    httpsPort: scheme === 'https' ? portNumber : undefined,
    httpPort: scheme === 'http' ? portNumber : undefined,
  });
}

/** The channel's playback host: DescribeChannel's first output URL, `https://<host>/v1/channel/<name>/<output>`. */
function channelDomain(scope: Construct, channel: mediatailor.CfnChannel, channelName: string): string {
  const describeChannel: cr.AwsSdkCall = {
    service: 'MediaTailor',
    action: 'describeChannel',
    parameters: { ChannelName: channelName },
    physicalResourceId: cr.PhysicalResourceId.of(channelName),
    outputPaths: ['Outputs.0.PlaybackUrl'],
  };
  const describe = new cr.AwsCustomResource(scope, 'ChannelPlaybackUrl', {
    onCreate: describeChannel,
    onUpdate: describeChannel,
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [channel.attrArn] }),
    installLatestAwsSdk: false,
  });
  describe.node.addDependency(channel);
  acknowledgeCustomResourceProvider(scope);
  return Fn.select(2, Fn.split('/', describe.getResponseField('Outputs.0.PlaybackUrl')));
}

/** The singleton provider function of AwsCustomResource is aws-cdk-lib's; only its role's managed policy is acknowledged. */
function acknowledgeCustomResourceProvider(scope: Construct): void {
  const provider = Stack.of(scope).node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  const role = provider?.node.tryFindChild('ServiceRole');
  if (!role) return;
  // the finding names the policy ARN, whose '::' Validations.acknowledge refuses: write the metadata cdk-nag reads directly
  role.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
      'aws-cdk-lib\'s AwsCustomResource provider writes its logs through AWSLambdaBasicExecutionRole; its only other permission reads the one channel (DescribeChannel) at deploy time',
  });
}

function validateNewChannel(options: TimeShiftChannelOptions): void {
  const maxDelay = options.maxTimeDelay.toSeconds({ integral: false });
  if (!Number.isInteger(maxDelay) || maxDelay < 0 || maxDelay > timeShiftLimits.maxTimeDelaySeconds) {
    throw new Error(`maxTimeDelay must be whole seconds from 0 to ${timeShiftLimits.maxTimeDelaySeconds} (6 hours), got ${options.maxTimeDelay.toHumanString()}`);
  }
  if (options.outputs.length === 0) throw new Error('outputs must name at least one output (an HLS or DASH manifest), got []');
  if (options.liveSourceStartoverWindow !== undefined) {
    const windows = options.outputs.map((output) => manifestWindowSeconds(output));
    const manifestWindow = windows.reduce((longest, seconds) => Math.max(longest, seconds), 0);
    const needed = minimumStartoverWindowSeconds(maxDelay, manifestWindow);
    const startover = options.liveSourceStartoverWindow.toSeconds({ integral: false });
    if (startover < needed) {
      throw new Error(`liveSourceStartoverWindow must be at least maxTimeDelay + manifest window + 10 minutes = ${needed} s `
        + `(${maxDelay} + ${manifestWindow} + 600), got ${startover} s`);
    }
  }
}

/** The output's manifest window in seconds (0 when unset or a token). */
function manifestWindowSeconds(output: mediatailor.CfnChannel.RequestOutputItemProperty): number {
  const settings = [output.hlsPlaylistSettings, output.dashPlaylistSettings] as unknown[];
  const seconds = settings.map((entry) => (entry as { manifestWindowSeconds?: unknown } | undefined)?.manifestWindowSeconds);
  return seconds.reduce<number>((longest, value) => (typeof value === 'number' && !Token.isUnresolved(value) ? Math.max(longest, value) : longest), 0);
}
