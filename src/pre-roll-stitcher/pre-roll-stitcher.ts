import { Duration, RemovalPolicy, Size, Token, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { requestDeadlineMs, stitcherFunctionDefaults, stitcherLimits, stitcherMemoryBudget } from './contract/defaults';
import { stitcherCacheKeyQueryStrings, stitcherEnvironment, stitcherMetrics } from './contract/protocol';
import { StitchFunction } from './stitch-function';
import { BundledHandler } from '../shared/bundled-handler';
import { cacheSettings } from '../shared/cache-settings';
import { CdnFront, normalizePathPrefix } from '../shared/cdn-front';
import { DistributionSettings } from '../shared/distribution-settings';
import { FunctionUrlOacOrigin } from '../shared/function-url-origin';

/** How ads reach the player. */
export enum StitchOutputMode {
  /** Ad segments are spliced into every media playlist between EXT-X-DISCONTINUITY tags: plays in every HLS player. */
  SPLICE = 'splice',
  /**
   * Ads are announced as HLS Interstitials (EXT-X-DATERANGE CLASS="com.apple.hls.interstitial") and the
   * player fetches them itself: needs an Interstitials-capable player (AVPlayer, hls.js >= 1.6).
   */
  INTERSTITIALS = 'interstitials',
}

/** Whether and how stitching payloads are signed: use the static factories. */
export class PayloadSigning {
  /** A new Secrets Manager secret (48 random characters) signs payloads. The default. */
  public static generatedSecret(): PayloadSigning {
    return new PayloadSigning(true);
  }

  /** An existing Secrets Manager secret (its SecretString) signs payloads, e.g. one your backend already holds. */
  public static fromSecret(secret: secretsmanager.ISecret): PayloadSigning {
    return new PayloadSigning(true, secret);
  }

  /**
   * Payloads are not signed: anyone may have any allow-listed content stitched with any allow-listed ad.
   * For development only.
   */
  public static unsigned(): PayloadSigning {
    return new PayloadSigning(false);
  }

  // closed: only the factories above make one (a subclass in any jsii language would not be understood)
  private constructor(private readonly signed: boolean, private readonly secret?: secretsmanager.ISecret) {}

  /** @internal */
  public _bind(scope: Construct): secretsmanager.ISecret | undefined {
    if (!this.signed) return undefined;
    if (this.secret) return this.secret;
    const secret = new secretsmanager.Secret(scope, 'SigningSecret', {
      description: 'HMAC-SHA256 key that signs PreRollStitcher playback URLs',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN, // URLs minted with it must keep verifying after a stack replacement
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'the signing key is shared with the backend that mints playback URLs; rotating it invalidates every URL in circulation, so rotation is a documented manual step',
    });
    return secret;
  }
}

/** Properties of a {@link PreRollStitcher}. */
export interface PreRollStitcherProps extends DistributionSettings {
  /**
   * Hosts the stitcher may fetch content and ads from: `vod.example.com`, `host:port`, or `*.example.com`
   * for any subdomain on the default port. Everything else is refused with 403, so the function is never an open proxy.
   */
  readonly allowedOrigins: string[];

  /**
   * Also fetch content and ads over plain http.
   * @default false - https only
   */
  readonly allowInsecureHttp?: boolean;

  /**
   * How payloads are signed.
   * @default PayloadSigning.generatedSecret()
   */
  readonly signing?: PayloadSigning;

  /**
   * How ads reach the player.
   * @default StitchOutputMode.SPLICE
   */
  readonly outputMode?: StitchOutputMode;

  /**
   * In splice mode, also mark every ad pod with an EXT-X-DATERANGE (with an EXT-X-PROGRAM-DATE-TIME on the first segment).
   * @default false - EXT-X-CUE-OUT / EXT-X-CUE-IN only
   */
  readonly dateRangeMarkers?: boolean;

  /**
   * Longest accepted `payload` query value, in characters (at least 64).
   * @default 4096
   */
  readonly maxPayloadLength?: number;

  /**
   * Most ads one payload may insert.
   * @default 16
   */
  readonly maxBreaks?: number;

  /**
   * Longest wait for one upstream playlist. Every fetch and redirect of one request also ends by the function
   * timeout minus one second, so a slow upstream is a 504 naming it, never a Lambda timeout.
   * @default Duration.seconds(3)
   */
  readonly upstreamTimeout?: Duration;

  /**
   * Largest upstream playlist accepted; all the ad playlists of one request share the same amount, each distinct ad
   * an equal part (half for its multivariant playlist, half split over the playlists its renditions are matched to).
   * `functionOptions.memorySize` must hold three such playlists parsed (checked at synth time).
   * @default Size.mebibytes(4)
   */
  readonly maxUpstreamPlaylistSize?: Size;

  /**
   * How long a fetched playlist is reused across warm invocations.
   * @default Duration.minutes(5)
   */
  readonly upstreamCacheTtl?: Duration;

  /**
   * Memory the cached playlists may take (estimated as 24 times their text, the worst case measured; a
   * 2 h VOD rendition of 2 s segments is ~250 KB of text). Counts against `functionOptions.memorySize`,
   * which must hold it plus the worst request (checked at synth time).
   * @default Size.mebibytes(32)
   */
  readonly upstreamCacheSize?: Size;

  /**
   * How long CloudFront and players keep a stitched playlist: the output for a given payload never changes.
   * @default Duration.days(1)
   */
  readonly cacheTtl?: Duration;

  /**
   * Overrides for the stitching function (memory, timeout, reserved concurrency...). Runtime, architecture,
   * handler and code are fixed.
   * @default - 512 MiB, 10 seconds, arm64, logs kept for one month
   */
  readonly functionOptions?: lambda.FunctionOptions;

  /**
   * Serve the stitcher from an existing distribution under `pathPrefix` instead of creating one.
   * @default - a new distribution
   */
  readonly existingDistribution?: cloudfront.Distribution;

  /**
   * Path under which the stitcher answers, e.g. `/stitch`. Required with `existingDistribution`.
   * @default - the root of the new distribution
   */
  readonly pathPrefix?: string;
}

/**
 * Stateless HLS VOD ad stitching behind CloudFront: a Lambda function (Function URL with Origin Access
 * Control, GET only) answers `/master.m3u8` and `/media.m3u8` for a signed payload naming the content
 * and its ads, and CloudFront caches every stitched playlist for `cacheTtl`.
 */
export class PreRollStitcher extends Construct {
  /** The function that answers playlist requests. */
  public readonly stitchFunction: lambda.IFunction;
  /** The function's URL (AWS_IAM auth: only the distribution reaches it). */
  public readonly functionUrl: lambda.IFunctionUrl;
  /** The distribution serving the stitcher. */
  public readonly distribution: cloudfront.IDistribution;
  /** Where playback URLs start: `https://<domain><pathPrefix>`; append `/master.m3u8?payload=...&sig=...`. */
  public readonly playbackUrlBase: string;
  /** The secret whose SecretString signs payloads; undefined when signing is disabled. */
  public readonly signingSecret?: secretsmanager.ISecret;
  /** The cache policy of the stitcher's behavior. */
  public readonly cachePolicy: cloudfront.ICachePolicy;

  private readonly handler: BundledHandler;

  constructor(scope: Construct, id: string, props: PreRollStitcherProps) {
    super(scope, id);
    validate(props);
    const pathPrefix = normalizePathPrefix('pathPrefix', props.pathPrefix);
    const cacheTtl = props.cacheTtl ?? Duration.seconds(stitcherLimits.responseMaxAgeSeconds.default);
    this.signingSecret = (props.signing ?? PayloadSigning.generatedSecret())._bind(this);

    this.handler = new BundledHandler(this, '', {
      functionClass: StitchFunction,
      constructName: 'pre-roll-stitcher',
      metricsNamespace: stitcherMetrics.namespace,
      roleDescription: 'PreRollStitcher function: writes its own logs, reads the signing secret, nothing else',
      defaults: { memorySize: stitcherFunctionDefaults.memoryMiB, timeout: Duration.seconds(stitcherFunctionDefaults.timeoutSeconds) },
      functionOptions: props.functionOptions,
      environment: {
        [stitcherEnvironment.allowedOrigins]: props.allowedOrigins.join(','),
        [stitcherEnvironment.allowHttp]: String(props.allowInsecureHttp ?? false),
        [stitcherEnvironment.signingSecretArn]: this.signingSecret?.secretArn ?? '',
        [stitcherEnvironment.outputMode]: props.outputMode ?? StitchOutputMode.SPLICE,
        [stitcherEnvironment.dateRangeMarkers]: String(props.dateRangeMarkers ?? false),
        [stitcherEnvironment.maxPayloadLength]: String(props.maxPayloadLength ?? stitcherLimits.maxPayloadLength.default),
        [stitcherEnvironment.maxBreaks]: String(props.maxBreaks ?? stitcherLimits.maxBreaks.default),
        [stitcherEnvironment.upstreamTimeoutMs]: String(props.upstreamTimeout?.toMilliseconds() ?? stitcherLimits.upstreamTimeoutMs.default),
        [stitcherEnvironment.requestDeadlineMs]: String(requestDeadlineMs(functionTimeout(props).toMilliseconds())),
        [stitcherEnvironment.maxUpstreamBytes]: String(props.maxUpstreamPlaylistSize?.toBytes() ?? stitcherLimits.maxUpstreamBytes.default),
        [stitcherEnvironment.upstreamCacheTtlSeconds]: String(props.upstreamCacheTtl?.toSeconds() ?? stitcherLimits.upstreamCacheTtlSeconds.default),
        [stitcherEnvironment.upstreamCacheBytes]: String(props.upstreamCacheSize?.toBytes() ?? stitcherLimits.upstreamCacheBytes.default),
        [stitcherEnvironment.responseMaxAgeSeconds]: String(cacheTtl.toSeconds()),
        [stitcherEnvironment.pathPrefix]: pathPrefix,
      },
    });
    this.signingSecret?.grantRead(this.handler.role);
    this.stitchFunction = this.handler.function;
    this.functionUrl = this.handler.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });

    const cache = cacheSettings(this, 'CachePolicy', {
      comment: 'PreRollStitcher: the output is determined by path, payload, signature, rendition and pod',
      ttl: cacheTtl,
      queryStrings: stitcherCacheKeyQueryStrings,
      compress: true,
    });
    this.cachePolicy = cache.cachePolicy;
    const front = new CdnFront(this, {
      ...props,
      pathPrefix,
      comment: 'PreRollStitcher: stitched HLS playlists',
      logFilePrefix: 'pre-roll-stitcher/',
      defaultBehavior: {
        origin: new FunctionUrlOacOrigin(this, 'Origin', this.functionUrl).origin,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cache.cachePolicy,
        originRequestPolicy: cache.originRequestPolicy,
        compress: cache.compress,
      },
    });
    this.distribution = front.distribution;
    this.playbackUrlBase = front.urlBase;
  }

  /** Lets `grantee` (e.g. the backend that mints playback URLs) read the signing secret. */
  public grantReadSigningSecret(grantee: iam.IGrantable): iam.Grant {
    if (!this.signingSecret) throw new Error('grantReadSigningSecret: this stitcher signs nothing (signing is PayloadSigning.unsigned())');
    return this.signingSecret.grantRead(grantee);
  }

  /** Requests that failed upstream or in stitching (answered 5xx). */
  public metricStitchErrors(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(stitcherMetrics.stitchErrors, options);
  }

  /** Ads left out because no ad rendition fits the content (each is also named in a response header). */
  public metricSkippedBreaks(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(stitcherMetrics.skippedBreaks, options);
  }

  /** Requests refused as bad input (answered 4xx: malformed payload, bad signature, disallowed host...). */
  public metricClientErrors(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(stitcherMetrics.clientErrors, options);
  }

  /** Playlists served. */
  public metricStitchedPlaylists(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(stitcherMetrics.stitchedPlaylists, options);
  }

  private metric(metricName: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metric(metricName, options);
  }
}

function functionTimeout(props: PreRollStitcherProps): Duration {
  return props.functionOptions?.timeout ?? Duration.seconds(stitcherFunctionDefaults.timeoutSeconds);
}

/** The worst accepted request must fit the function's memory (see stitcherMemoryBudget). */
function validateMemory(props: PreRollStitcherProps): void {
  const memorySize = props.functionOptions?.memorySize ?? stitcherFunctionDefaults.memoryMiB;
  const maxUpstreamBytes = props.maxUpstreamPlaylistSize?.toBytes() ?? stitcherLimits.maxUpstreamBytes.default;
  const upstreamCacheBytes = props.upstreamCacheSize?.toBytes() ?? stitcherLimits.upstreamCacheBytes.default;
  if ([memorySize, maxUpstreamBytes, upstreamCacheBytes].some((value) => Token.isUnresolved(value))) return;
  const budget = stitcherMemoryBudget({ maxUpstreamBytes, upstreamCacheBytes });
  if (memorySize < budget.minimumMemorySizeMiB) {
    throw new Error(`functionOptions.memorySize (${memorySize} MiB) is too small for maxUpstreamPlaylistSize and upstreamCacheSize: ${budget.explanation}; `
      + 'raise memorySize or lower maxUpstreamPlaylistSize / upstreamCacheSize');
  }
}

function validate(props: PreRollStitcherProps): void {
  if (props.allowedOrigins.length === 0) {
    throw new Error('allowedOrigins must name at least one host the stitcher may fetch content and ads from, got []');
  }
  for (const origin of props.allowedOrigins) {
    if (Token.isUnresolved(origin)) continue;
    const label = '[a-z0-9]([a-z0-9-]*[a-z0-9])?';
    const host = new RegExp(`^${label}(\\.${label})*(:\\d{1,5})?$`, 'i');
    const wildcard = new RegExp(`^\\*\\.${label}(\\.${label})*$`, 'i'); // subdomains on the default port only
    if (!host.test(origin) && !wildcard.test(origin)) {
      throw new Error(`allowedOrigins must be host names, host:port or *.domain (without a port), got '${origin}'`);
    }
  }
  const positive = (name: string, value: number | undefined, minimum: number) => {
    if (value !== undefined && !Token.isUnresolved(value) && (!Number.isInteger(value) || value < minimum)) {
      throw new Error(`${name} must be an integer >= ${minimum}, got ${value}`);
    }
  };
  positive('maxPayloadLength', props.maxPayloadLength, stitcherLimits.maxPayloadLength.minimum);
  positive('maxBreaks', props.maxBreaks, stitcherLimits.maxBreaks.minimum);
  const upstreamTimeoutMs = props.upstreamTimeout?.toMilliseconds();
  if (upstreamTimeoutMs !== undefined && upstreamTimeoutMs < stitcherLimits.upstreamTimeoutMs.minimum) {
    throw new Error(`upstreamTimeout must be at least ${stitcherLimits.upstreamTimeoutMs.minimum} ms, got ${props.upstreamTimeout!.toHumanString()}`);
  }
  const timeout = functionTimeout(props);
  if (upstreamTimeoutMs !== undefined && upstreamTimeoutMs >= timeout.toMilliseconds()) {
    throw new Error(`upstreamTimeout (${props.upstreamTimeout!.toHumanString()}) must be shorter than the function timeout (${timeout.toHumanString()})`);
  }
  validateMemory(props);
}
