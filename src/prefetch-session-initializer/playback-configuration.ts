import { Duration, Names, Token } from 'aws-cdk-lib';
import * as mediatailor from 'aws-cdk-lib/aws-mediatailor';
import { Construct } from 'constructs';
import { BoundContentSource, ContentSource } from './content-source';
import { mediaTailorAdsTimeoutMs } from './contract/defaults';

/** Where MediaTailor may skip ad insertion relative to the live edge (`AvailSuppression.Mode`). */
export enum AvailSuppressionMode {
  /** Ads are inserted in every avail. */
  OFF = 'OFF',
  /** Avails behind the live edge by more than `value` are not filled (a viewer joining mid-break gets no ads there). */
  BEHIND_LIVE_EDGE = 'BEHIND_LIVE_EDGE',
  /** Avails at or after `value` past the live edge are not filled. */
  AFTER_LIVE_EDGE = 'AFTER_LIVE_EDGE',
}

/** Whether a partly suppressed avail is filled (`AvailSuppression.FillPolicy`). */
export enum AvailSuppressionFillPolicy {
  /** Fill what remains of a partly suppressed avail. */
  PARTIAL_AVAIL = 'PARTIAL_AVAIL',
  /** Fill only avails that are not suppressed at all. */
  FULL_AVAIL_ONLY = 'FULL_AVAIL_ONLY',
}

/** Ad suppression of the configuration. */
export interface AvailSuppression {
  /** Where ads are suppressed. */
  readonly mode: AvailSuppressionMode;
  /**
   * Distance from the live edge (whole seconds, written HH:MM:SS).
   * @default - none (MediaTailor's default for the mode)
   */
  readonly value?: Duration;
  /**
   * Whether partly suppressed avails are filled.
   * @default - MediaTailor's default
   */
  readonly fillPolicy?: AvailSuppressionFillPolicy;
}

/** How players may choose ad insertion (`InsertionMode`). */
export enum InsertionMode {
  /** Server-side stitching only. */
  STITCHED_ONLY = 'STITCHED_ONLY',
  /** Players may ask for guided (server-guided) ad insertion per session. */
  PLAYER_SELECT = 'PLAYER_SELECT',
}

/** Where MediaTailor writes its logs (`LogConfiguration.EnabledLoggingStrategies`). */
export enum MediaTailorLoggingStrategy {
  /** CloudWatch Logs through MediaTailor's service-linked role. */
  LEGACY_CLOUDWATCH = 'LEGACY_CLOUDWATCH',
  /** CloudWatch vended logs (configure the delivery separately). */
  VENDED_LOGS = 'VENDED_LOGS',
}

/** Session logging of the configuration (`LogConfiguration`). */
export interface PlaybackLogging {
  /** Percentage of sessions logged, 0 to 100. */
  readonly percentEnabled: number;
  /**
   * Where logs go.
   * @default - MediaTailor's default (LEGACY_CLOUDWATCH)
   */
  readonly strategies?: MediaTailorLoggingStrategy[];
  /**
   * ADS interaction log event types to opt in to or exclude.
   * @default - MediaTailor's default events
   */
  readonly adsInteractionLog?: mediatailor.CfnPlaybackConfiguration.AdsInteractionLogProperty;
  /**
   * Manifest service interaction log event types to exclude.
   * @default - every event
   */
  readonly manifestServiceInteractionLog?: mediatailor.CfnPlaybackConfiguration.ManifestServiceInteractionLogProperty;
}

/** Where DASH manifests carry the MediaTailor Location element (`DashConfiguration.MpdLocation`). */
export enum DashMpdLocation {
  /** MediaTailor adds a Location element (sticky redirects). */
  EMT_DEFAULT = 'EMT_DEFAULT',
  /** No Location element: for CDN routing with client-side reporting, or players with sticky redirects. */
  DISABLED = 'DISABLED',
}

/** Whether the DASH origin manifest has one or several periods (`DashConfiguration.OriginManifestType`). */
export enum DashOriginManifestType {
  /** One period per manifest. */
  SINGLE_PERIOD = 'SINGLE_PERIOD',
  /** Several periods per manifest. */
  MULTI_PERIOD = 'MULTI_PERIOD',
}

/** A new MediaTailor playback configuration: every property of `AWS::MediaTailor::PlaybackConfiguration` (aws-cdk-lib 2.268). */
export interface NewPlaybackConfigurationProps {
  /**
   * Name of the configuration (letters, digits, `-` and `_`, at most 64). A change replaces the configuration.
   * @default - a name unique in the account, derived from the construct path
   */
  readonly name?: string;
  /** URL of the ad decision server (VAST/VMAP), with MediaTailor's `[session.*]`/`[player_params.*]` variables. */
  readonly adDecisionServerUrl: string;
  /**
   * The content: `ContentSource.fromUrl(...)`, `fromLiveOttPipeline(...)` or `fromTimeShiftedViewing(...)`. Content
   * segments are served by the distribution from it. Set this or `videoContentSourceUrl`.
   * @default - `ContentSource.fromUrl(videoContentSourceUrl)`
   */
  readonly contentSource?: ContentSource;
  /**
   * URL prefix of the content origin (at most 512 characters), e.g. `https://origin.example.com/out/v1/`: the same as
   * `contentSource: ContentSource.fromUrl(url)`. Set this or `contentSource`.
   * @default - from `contentSource`
   */
  readonly videoContentSourceUrl?: string;
  /**
   * Ad (audio and video) played where no ad fills an avail; required for VPAID.
   * @default - no slate
   */
  readonly slateAdUrl?: string;
  /**
   * Ad suppression.
   * @default - no suppression
   */
  readonly availSuppression?: AvailSuppression;
  /**
   * Bumper played before each ad break.
   * @default - none
   */
  readonly bumperStartUrl?: string;
  /**
   * Bumper played after each ad break.
   * @default - none
   */
  readonly bumperEndUrl?: string;
  /**
   * ADS URL of the live pre-roll (played when a live session starts).
   * @default - no live pre-roll
   */
  readonly livePreRollAdDecisionServerUrl?: string;
  /**
   * Longest live pre-roll.
   * @default - MediaTailor's default
   */
  readonly livePreRollMaxDuration?: Duration;
  /**
   * How the live pre-roll's VAST response is sequenced.
   * @default - MediaTailor's default
   */
  readonly livePreRollAdDecisionServerConfiguration?: mediatailor.CfnPlaybackConfiguration.PreRollAdDecisionServerConfigurationProperty;
  /**
   * Longest underfilled ad time (whole seconds) before MediaTailor gives up personalizing a break (ad replacement).
   * @default - MediaTailor's default
   */
  readonly personalizationThreshold?: Duration;
  /**
   * Pass the origin's ad markers (EXT-X-CUE-OUT...) through to the personalized manifest.
   * @default false
   */
  readonly adMarkerPassthrough?: boolean;
  /**
   * Session logging.
   * @default - MediaTailor's default
   */
  readonly logging?: PlaybackLogging;
  /**
   * Aliases for player parameters: `{ 'player_params.<name>': { '<alias>': '<value>' } }`.
   * @default - none
   */
  readonly configurationAliases?: Record<string, Record<string, string>>;
  /**
   * How players may choose ad insertion.
   * @default - MediaTailor's default (STITCHED_ONLY)
   */
  readonly insertionMode?: InsertionMode;
  /**
   * Transcode profile for ads (set up with AWS Support).
   * @default - MediaTailor's profiles
   */
  readonly transcodeProfileName?: string;
  /**
   * DASH Location element.
   * @default - MediaTailor's default (EMT_DEFAULT)
   */
  readonly dashMpdLocation?: DashMpdLocation;
  /**
   * DASH origin manifest type.
   * @default - MediaTailor's default (SINGLE_PERIOD)
   */
  readonly dashOriginManifestType?: DashOriginManifestType;
  /**
   * Ad conditioning (transcoding of streaming media files).
   * @default - MediaTailor's default
   */
  readonly adConditioningConfiguration?: mediatailor.CfnPlaybackConfiguration.AdConditioningConfigurationProperty;
  /**
   * How MediaTailor calls the ADS (HTTP method, body, headers, compression; VAST sequencing).
   * @default - GET
   */
  readonly adDecisionServerConfiguration?: mediatailor.CfnPlaybackConfiguration.AdDecisionServerConfigurationProperty;
  /**
   * Concurrency of ADS requests.
   * @default - MediaTailor's default
   */
  readonly adsPersonalizationConcurrency?: mediatailor.CfnPlaybackConfiguration.AdsPersonalizationConcurrencyProperty;
  /**
   * ADS and personalization timeouts. `adsRequestTimeoutMilliseconds` (250 to 6000) also sizes how long CloudFront
   * and the session function wait for MediaTailor.
   * @default - MediaTailor's defaults (ADS request 3000 ms)
   */
  readonly adsPersonalizationTimeouts?: mediatailor.CfnPlaybackConfiguration.AdsPersonalizationTimeoutsProperty;
  /**
   * MediaTailor functions by hook, e.g. `{ PRE_SESSION_INITIALIZATION: '<function id>' }`.
   * @default - none
   */
  readonly functionMapping?: Record<string, string>;
  /**
   * Tags of the configuration.
   * @default - none
   */
  readonly tags?: Record<string, string>;
  /**
   * CDN prefix of content segments. Set it only if content segments are served from elsewhere.
   * @default - `https://<distribution host><path of videoContentSourceUrl>`
   */
  readonly contentSegmentUrlPrefix?: string;
  /**
   * CDN prefix of ad segments.
   * @default - `https://<distribution host>/`
   */
  readonly adSegmentUrlPrefix?: string;
}

/** A playback configuration that exists already: the construct fronts it and adds schedules, and never changes it. */
export interface ExistingPlaybackConfigurationProps {
  /** Name of the configuration. */
  readonly name: string;
  /**
   * Its content, as its `VideoContentSourceUrl` names it: content segments are served by the distribution from it.
   * Set this or `videoContentSourceUrl`.
   * @default - `ContentSource.fromUrl(videoContentSourceUrl)`
   */
  readonly contentSource?: ContentSource;
  /**
   * Its content source URL (the same as `contentSource: ContentSource.fromUrl(url)`). Set this or `contentSource`.
   * @default - from `contentSource`
   */
  readonly videoContentSourceUrl?: string;
  /**
   * Its ADS request timeout (sizes how long CloudFront and the session function wait for MediaTailor).
   * @default Duration.seconds(3)
   */
  readonly adsRequestTimeout?: Duration;
}

/** The MediaTailor playback configuration behind the front: a new one or an existing one. Use the static factories. */
export class PlaybackConfiguration {
  /** A new configuration, declared in the stack (no custom resource), with its CDN prefixes pointing at the front. */
  public static create(props: NewPlaybackConfigurationProps): PlaybackConfiguration {
    return new PlaybackConfiguration(props, undefined);
  }

  /**
   * An existing configuration, left exactly as it is: point its CDN prefixes at the front yourself
   * (`PrefetchSessionInitializer.contentSegmentUrlPrefix` and `adSegmentUrlPrefix`).
   */
  public static fromExisting(props: ExistingPlaybackConfigurationProps): PlaybackConfiguration {
    return new PlaybackConfiguration(undefined, props);
  }

  private boundContent?: BoundContentSource;

  // closed: only the factories above make one
  private constructor(
    private readonly created: NewPlaybackConfigurationProps | undefined,
    private readonly existing: ExistingPlaybackConfigurationProps | undefined,
  ) {}

  /** @internal */
  public _contentSource(): BoundContentSource {
    if (!this.boundContent) {
      const { contentSource, videoContentSourceUrl } = this.created ?? this.existing!;
      if ((contentSource === undefined) === (videoContentSourceUrl === undefined)) {
        throw new Error(`playbackConfiguration needs exactly one of contentSource and videoContentSourceUrl, got ${contentSource ? 'both' : 'neither'}`);
      }
      this.boundContent = contentSource
        ? contentSource._bind('contentSource')
        : ContentSource.fromUrl(videoContentSourceUrl!)._bind('videoContentSourceUrl');
    }
    return this.boundContent;
  }

  /** @internal */
  public _adsTimeoutMs(): number {
    const timeoutMs = this.existing
      ? this.existing.adsRequestTimeout?.toMilliseconds() ?? mediaTailorAdsTimeoutMs.default
      : resolvedNumber(this.created!.adsPersonalizationTimeouts?.adsRequestTimeoutMilliseconds) ?? mediaTailorAdsTimeoutMs.default;
    validateAdsTimeout(this.existing ? 'adsRequestTimeout' : 'adsPersonalizationTimeouts.adsRequestTimeoutMilliseconds', timeoutMs);
    return timeoutMs;
  }

  /** @internal */
  public _bind(
    scope: Construct, prefixes: { content: string; ad: string },
  ): { readonly name: string; readonly resource?: mediatailor.CfnPlaybackConfiguration } {
    if (this.existing) return { name: this.existing.name };
    const props = this.created!;
    const name = props.name ?? Names.uniqueResourceName(scope, { maxLength: 64, allowedSpecialCharacters: '-_' });
    validateNew(props, name);
    const livePreRoll = props.livePreRollAdDecisionServerUrl || props.livePreRollMaxDuration || props.livePreRollAdDecisionServerConfiguration;
    const dash = props.dashMpdLocation || props.dashOriginManifestType;
    const resource = new mediatailor.CfnPlaybackConfiguration(scope, 'PlaybackConfiguration', {
      name,
      adDecisionServerUrl: props.adDecisionServerUrl,
      videoContentSourceUrl: this._contentSource().videoContentSourceUrl,
      cdnConfiguration: {
        contentSegmentUrlPrefix: props.contentSegmentUrlPrefix ?? prefixes.content,
        adSegmentUrlPrefix: props.adSegmentUrlPrefix ?? prefixes.ad,
      },
      slateAdUrl: props.slateAdUrl,
      availSuppression: props.availSuppression && {
        mode: props.availSuppression.mode,
        value: props.availSuppression.value && hhmmss(props.availSuppression.value),
        fillPolicy: props.availSuppression.fillPolicy,
      },
      bumper: props.bumperStartUrl || props.bumperEndUrl ? { startUrl: props.bumperStartUrl, endUrl: props.bumperEndUrl } : undefined,
      livePreRollConfiguration: livePreRoll ? {
        adDecisionServerUrl: props.livePreRollAdDecisionServerUrl,
        maxDurationSeconds: props.livePreRollMaxDuration?.toSeconds(),
        adDecisionServerConfiguration: props.livePreRollAdDecisionServerConfiguration,
      } : undefined,
      personalizationThresholdSeconds: props.personalizationThreshold?.toSeconds(),
      manifestProcessingRules: props.adMarkerPassthrough === undefined ? undefined : { adMarkerPassthrough: { enabled: props.adMarkerPassthrough } },
      logConfiguration: props.logging && {
        percentEnabled: props.logging.percentEnabled,
        enabledLoggingStrategies: props.logging.strategies,
        adsInteractionLog: props.logging.adsInteractionLog,
        manifestServiceInteractionLog: props.logging.manifestServiceInteractionLog,
      },
      configurationAliases: props.configurationAliases,
      insertionMode: props.insertionMode,
      transcodeProfileName: props.transcodeProfileName,
      dashConfiguration: dash ? { mpdLocation: props.dashMpdLocation, originManifestType: props.dashOriginManifestType } : undefined,
      adConditioningConfiguration: props.adConditioningConfiguration,
      adDecisionServerConfiguration: props.adDecisionServerConfiguration,
      adsPersonalizationConcurrency: props.adsPersonalizationConcurrency,
      adsPersonalizationTimeouts: props.adsPersonalizationTimeouts,
      functionMapping: props.functionMapping,
      tags: props.tags && Object.entries(props.tags).map(([key, value]) => ({ key, value })),
    });
    return { name, resource };
  }
}

function resolvedNumber(value: unknown): number | undefined {
  return typeof value === 'number' && !Token.isUnresolved(value) ? value : undefined;
}

function hhmmss(duration: Duration): string {
  const total = duration.toSeconds();
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
}

function validateAdsTimeout(propName: string, timeoutMs: number): void {
  if (!Number.isInteger(timeoutMs) || timeoutMs < mediaTailorAdsTimeoutMs.minimum || timeoutMs > mediaTailorAdsTimeoutMs.maximum) {
    throw new Error(`${propName} must be from ${mediaTailorAdsTimeoutMs.minimum} to ${mediaTailorAdsTimeoutMs.maximum} ms, got ${timeoutMs}`);
  }
}

function validateNew(props: NewPlaybackConfigurationProps, name: string): void {
  if (!Token.isUnresolved(name) && !/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
    throw new Error(`playbackConfiguration name must be 1 to 64 letters, digits, '-' or '_', got '${name}'`);
  }
  if (!Token.isUnresolved(props.adDecisionServerUrl) && (props.adDecisionServerUrl.length === 0 || props.adDecisionServerUrl.length > 25_000)) {
    throw new Error(`adDecisionServerUrl must be 1 to 25,000 characters, got ${props.adDecisionServerUrl.length}`);
  }
  const logPercent = props.logging?.percentEnabled;
  if (logPercent !== undefined && !Token.isUnresolved(logPercent) && (!Number.isInteger(logPercent) || logPercent < 0 || logPercent > 100)) {
    throw new Error(`logging.percentEnabled must be an integer from 0 to 100, got ${logPercent}`);
  }
  const value = props.availSuppression?.value;
  if (value && (!Number.isInteger(value.toSeconds()) || value.toSeconds() >= 24 * 3600)) {
    throw new Error(`availSuppression.value must be whole seconds under 24 hours (HH:MM:SS), got ${value.toHumanString()}`);
  }
  for (const key of Object.keys(props.configurationAliases ?? {})) {
    if (!/^player_params\.\w+$/.test(key)) throw new Error(`configurationAliases keys must be 'player_params.<name>', got '${key}'`);
  }
}
