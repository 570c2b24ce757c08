import { Duration, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';
import { defaultStartProgramParameter, timeShiftCacheDefaults, timeShiftCacheKey, timeShiftParameterPattern } from './contract/time-shift';
import { CacheSettings, cacheSettings } from '../shared/cache-settings';

/** Properties of {@link ChannelCacheBehaviors}. */
export interface ChannelCacheBehaviorsProps {
  /** Name of the channel-assembly channel: its manifests live under `/v1/channel/<channelName>/`. */
  readonly channelName: string;

  /**
   * Typical segment duration of the channel: the longest time a response that depends on the time of the request
   * (an HLS multivariant playlist asked for with a start time or start program) is cached. Whole seconds, at least 1.
   * @default Duration.seconds(6)
   */
  readonly segmentDuration?: Duration;

  /**
   * How long media playlists (keyed by `aws.mediatailor.channel.timeDelay`) and DASH manifests, including the 302
   * redirects MediaTailor answers to a start time, are cached. At most `segmentDuration`; zero turns caching off.
   * @default - half the segment duration (whole seconds, at least 1)
   */
  readonly manifestTtl?: Duration;

  /**
   * How long segments are cached: a segment URL never changes its content.
   * @default Duration.days(1)
   */
  readonly segmentTtl?: Duration;

  /**
   * Name of MediaTailor's start-program query parameter. The user guide (time-shift-with-cdn.html) names a start
   * program parameter that, like the start time, becomes a delay computed at request time, but the copies of the
   * parameter reference read for this library do not show its name: set this to the name your channel accepts.
   * @default 'aws.mediatailor.channel.startProgram'
   */
  readonly startProgramParameter?: string;
}

/**
 * CloudFront cache policies and behaviors that are correct for a MediaTailor channel-assembly channel with
 * time-shifted viewing (https://docs.aws.amazon.com/mediatailor/latest/ug/time-shift-with-cdn.html):
 *
 * - every manifest behavior keys on exactly the time-shift parameters (`timeDelay`, `startTime`, the start-program
 *   parameter, `audienceId`) and forwards nothing else;
 * - HLS multivariant playlists (`/v1/channel/<name>/<output>.m3u8`), whose child URLs carry a delay MediaTailor
 *   computes at request time from a start time, are cached at most one segment duration;
 * - HLS media playlists (`/v1/channel/<name>/<output>/<n>.m3u8`) and DASH manifests (`*.mpd`) use the short
 *   manifest TTL; a DASH request with a start time gets MediaTailor's 302 to the `timeDelay` URL, which CloudFront
 *   caches by the same TTL and passes to the player without following it
 *   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-3xx-status-codes.html);
 * - segments are cached long, without any query parameter.
 *
 * Reusable by any construct whose origin is a channel: add `manifestBehaviors(origin)` to its distribution.
 */
export class ChannelCacheBehaviors extends Construct {
  /** The query parameters in the cache key of every manifest behavior. */
  public readonly cacheKeyQueryStrings: string[];
  /** Path pattern of the channel's HLS media (child) playlists, e.g. `/v1/channel/Name/*\/*.m3u8`. */
  public readonly mediaPlaylistPathPattern: string;
  /** Path pattern of the channel's HLS multivariant playlists, e.g. `/v1/channel/Name/*.m3u8`. */
  public readonly multivariantPlaylistPathPattern: string;
  /** Path pattern of the channel's DASH manifests, e.g. `/v1/channel/Name/*.mpd`. */
  public readonly dashManifestPathPattern: string;
  /** Cache policy of HLS multivariant playlists: TTL one segment duration. */
  public readonly multivariantPlaylistCachePolicy: cloudfront.ICachePolicy;
  /** Cache policy of HLS media playlists: the manifest TTL. */
  public readonly mediaPlaylistCachePolicy: cloudfront.ICachePolicy;
  /** Cache policy of DASH manifests and their redirects: the manifest TTL. */
  public readonly dashManifestCachePolicy: cloudfront.ICachePolicy;
  /** Cache policy of segments: the segment TTL, no query parameters. */
  public readonly segmentCachePolicy: cloudfront.ICachePolicy;

  private readonly multivariant: CacheSettings;
  private readonly media: CacheSettings;
  private readonly dash: CacheSettings;
  private readonly segments: CacheSettings;

  constructor(scope: Construct, id: string, props: ChannelCacheBehaviorsProps) {
    super(scope, id);
    const startProgramParameter = props.startProgramParameter ?? defaultStartProgramParameter;
    validate(props, startProgramParameter);
    const segmentDuration = props.segmentDuration ?? Duration.seconds(timeShiftCacheDefaults.segmentDurationSeconds);
    const manifestTtl = props.manifestTtl ?? Duration.seconds(Math.max(1, Math.floor(segmentDuration.toSeconds() / 2)));
    const segmentTtl = props.segmentTtl ?? Duration.seconds(timeShiftCacheDefaults.segmentTtlSeconds);

    this.cacheKeyQueryStrings = timeShiftCacheKey(startProgramParameter);
    const channelPath = `/v1/channel/${props.channelName}`;
    this.mediaPlaylistPathPattern = `${channelPath}/*/*.m3u8`;
    this.multivariantPlaylistPathPattern = `${channelPath}/*.m3u8`;
    this.dashManifestPathPattern = `${channelPath}/*.mpd`;

    const manifest = (policyId: string, comment: string, ttl: Duration) =>
      cacheSettings(this, policyId, { comment, ttl, queryStrings: this.cacheKeyQueryStrings, compress: true });
    this.multivariant = manifest('MultivariantPlaylist',
      'Time-shifted channel: HLS multivariant playlists, whose child delays depend on the request time (<= one segment)', segmentDuration);
    this.media = manifest('MediaPlaylist', 'Time-shifted channel: HLS media playlists, keyed by time delay', manifestTtl);
    this.dash = manifest('DashManifest', 'Time-shifted channel: DASH manifests and the 302s that turn a start time into a delay', manifestTtl);
    this.segments = cacheSettings(this, 'Segment', { comment: 'Time-shifted channel: segments (never change)', ttl: segmentTtl });
    this.multivariantPlaylistCachePolicy = this.multivariant.cachePolicy;
    this.mediaPlaylistCachePolicy = this.media.cachePolicy;
    this.dashManifestCachePolicy = this.dash.cachePolicy;
    this.segmentCachePolicy = this.segments.cachePolicy;
  }

  /**
   * The manifest behaviors for a distribution whose `origin` is the channel's playback host, by path pattern in the
   * order CloudFront must evaluate them (media playlists before multivariant playlists: both end in `.m3u8`).
   */
  public manifestBehaviors(origin: cloudfront.IOrigin): Record<string, cloudfront.BehaviorOptions> {
    return {
      [this.mediaPlaylistPathPattern]: behavior(origin, this.media),
      [this.multivariantPlaylistPathPattern]: behavior(origin, this.multivariant),
      [this.dashManifestPathPattern]: behavior(origin, this.dash),
    };
  }

  /** A behavior serving segments from `origin` (the channel's source location, or the CDN in front of it). */
  public segmentBehavior(origin: cloudfront.IOrigin): cloudfront.BehaviorOptions {
    return behavior(origin, this.segments);
  }
}

function behavior(origin: cloudfront.IOrigin, settings: CacheSettings): cloudfront.BehaviorOptions {
  return {
    origin,
    allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
    cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
    viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    cachePolicy: settings.cachePolicy,
    originRequestPolicy: settings.originRequestPolicy,
    compress: settings.compress,
  };
}

function validate(props: ChannelCacheBehaviorsProps, startProgramParameter: string): void {
  if (!Token.isUnresolved(props.channelName) && !/^[A-Za-z0-9_-]{1,256}$/.test(props.channelName)) {
    throw new Error(`channelName must be a MediaTailor channel name (letters, digits, '-' and '_'), got '${props.channelName}'`);
  }
  if (!timeShiftParameterPattern.test(startProgramParameter)) {
    throw new Error(`startProgramParameter must be an aws.mediatailor.channel.* query parameter name, got '${startProgramParameter}'`);
  }
  const segmentSeconds = props.segmentDuration?.toSeconds({ integral: false });
  if (segmentSeconds !== undefined && (!Number.isInteger(segmentSeconds) || segmentSeconds < 1)) {
    throw new Error(`segmentDuration must be whole seconds, at least 1, got ${props.segmentDuration!.toHumanString()}`);
  }
  const segmentDuration = segmentSeconds ?? timeShiftCacheDefaults.segmentDurationSeconds;
  const manifestSeconds = props.manifestTtl?.toSeconds({ integral: false });
  if (manifestSeconds !== undefined && (!Number.isInteger(manifestSeconds) || manifestSeconds > segmentDuration)) {
    throw new Error(`manifestTtl must be whole seconds, at most segmentDuration (${segmentDuration} s), got ${props.manifestTtl!.toHumanString()}`);
  }
}
