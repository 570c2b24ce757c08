import { Duration, Names, RemovalPolicy, Size, Token, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { requestDeadlineMs, stitcherDefaults, stitcherLimits, stitcherMemoryBudget } from './contract/defaults';
import { stitcherCacheKeyQueryStrings, stitcherEnvironment, stitcherMetrics } from './contract/protocol';
import { StitchFunction } from './stitch-function';
import { handlerMetric } from '../shared/handler-metric';

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

/** Whether and how stitching payloads are signed. */
export abstract class PayloadSigning {
  /** A new Secrets Manager secret (48 random characters) signs payloads. The default. */
  public static generatedSecret(): PayloadSigning {
    return new SecretSigning(undefined);
  }

  /** An existing Secrets Manager secret (its SecretString) signs payloads, e.g. one your backend already holds. */
  public static fromSecret(secret: secretsmanager.ISecret): PayloadSigning {
    return new SecretSigning(secret);
  }

  /**
   * Payloads are not signed: anyone may have any allow-listed content stitched with any allow-listed ad.
   * For development only.
   */
  public static unsigned(): PayloadSigning {
    return new NoSigning();
  }

  /** @internal */
  public abstract _bind(scope: Construct): secretsmanager.ISecret | undefined;
}

class SecretSigning extends PayloadSigning {
  constructor(private readonly secret: secretsmanager.ISecret | undefined) {
    super();
  }

  public _bind(scope: Construct): secretsmanager.ISecret {
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

class NoSigning extends PayloadSigning {
  public _bind(): undefined {
    return undefined;
  }
}

/** Properties of a {@link PreRollStitcher}. */
export interface PreRollStitcherProps {
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
   * Longest accepted `payload` query value, in characters.
   * @default 4096
   */
  readonly maxPayloadLength?: number;

  /**
   * Most ads one payload may insert.
   * @default 16
   */
  readonly maxBreaks?: number;

  /**
   * Longest wait for one upstream playlist.
   * @default Duration.seconds(3)
   */
  readonly upstreamTimeout?: Duration;

  /**
   * Largest upstream playlist accepted.
   * @default Size.mebibytes(4)
   */
  readonly maxUpstreamPlaylistSize?: Size;

  /**
   * How long a fetched playlist is reused across warm invocations.
   * @default Duration.minutes(5)
   */
  readonly upstreamCacheTtl?: Duration;

  /**
   * Memory the cached playlists may take (estimated as ten times their text; a 2 h VOD rendition of
   * 2 s segments is ~250 KB of text). Keep it well under `functionOptions.memorySize`.
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

  /**
   * Custom domain names of the new distribution; needs `certificate`.
   * @default - the distribution's cloudfront.net domain
   */
  readonly domainNames?: string[];

  /**
   * Certificate (in us-east-1) for `domainNames`.
   * @default - none
   */
  readonly certificate?: acm.ICertificate;

  /**
   * Bucket for CloudFront standard access logs of the new distribution.
   * @default - no access logs
   */
  readonly accessLogBucket?: s3.IBucket;

  /**
   * ARN of a WAF web ACL (us-east-1, CLOUDFRONT scope) for the new distribution.
   * @default - no web ACL
   */
  readonly webAclId?: string;
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

  private readonly serviceName: string;

  constructor(scope: Construct, id: string, props: PreRollStitcherProps) {
    super(scope, id);
    validate(props);
    const pathPrefix = normalizePrefix(props.pathPrefix);
    const cacheTtl = props.cacheTtl ?? Duration.seconds(stitcherDefaults.responseMaxAgeSeconds);
    const timeout = props.functionOptions?.timeout ?? Duration.seconds(stitcherDefaults.functionTimeoutSeconds);
    this.signingSecret = (props.signing ?? PayloadSigning.generatedSecret())._bind(this);
    this.serviceName = `pre-roll-stitcher-${Names.uniqueResourceName(this, { maxLength: 40 })}`;

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.RETAIN });
    const role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'PreRollStitcher function: writes its own logs, reads the signing secret, nothing else',
    });
    const fn = new StitchFunction(this, 'Function', {
      memorySize: stitcherDefaults.functionMemorySizeMiB,
      ...props.functionOptions,
      timeout,
      architecture: lambda.Architecture.ARM_64,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        ...props.functionOptions?.environment,
        POWERTOOLS_SERVICE_NAME: this.serviceName,
        [stitcherEnvironment.allowedOrigins]: props.allowedOrigins.join(','),
        [stitcherEnvironment.allowHttp]: String(props.allowInsecureHttp ?? false),
        [stitcherEnvironment.signingSecretArn]: this.signingSecret?.secretArn ?? '',
        [stitcherEnvironment.outputMode]: props.outputMode ?? StitchOutputMode.SPLICE,
        [stitcherEnvironment.dateRangeMarkers]: String(props.dateRangeMarkers ?? false),
        [stitcherEnvironment.maxPayloadLength]: String(props.maxPayloadLength ?? stitcherDefaults.maxPayloadLength),
        [stitcherEnvironment.maxBreaks]: String(props.maxBreaks ?? stitcherDefaults.maxBreaks),
        [stitcherEnvironment.upstreamTimeoutMs]: String(props.upstreamTimeout?.toMilliseconds() ?? stitcherDefaults.upstreamTimeoutMs),
        [stitcherEnvironment.requestDeadlineMs]: String(requestDeadlineMs(timeout.toMilliseconds())),
        [stitcherEnvironment.maxUpstreamBytes]: String(props.maxUpstreamPlaylistSize?.toBytes() ?? stitcherDefaults.maxUpstreamPlaylistBytes),
        [stitcherEnvironment.upstreamCacheTtlSeconds]: String(props.upstreamCacheTtl?.toSeconds() ?? stitcherDefaults.upstreamCacheTtlSeconds),
        [stitcherEnvironment.upstreamCacheBytes]: String(props.upstreamCacheSize?.toBytes() ?? stitcherDefaults.upstreamCacheBytes),
        [stitcherEnvironment.responseMaxAgeSeconds]: String(cacheTtl.toSeconds()),
        [stitcherEnvironment.pathPrefix]: pathPrefix,
      },
    });
    logGroup.grantWrite(role);
    this.signingSecret?.grantRead(role);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5',
      reason: 'the only wildcard is the log-stream part of the function\'s own log group ARN: Lambda names its log streams at run time',
    });
    this.stitchFunction = fn;
    this.functionUrl = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });

    this.cachePolicy = new cloudfront.CachePolicy(this, 'CachePolicy', {
      comment: 'PreRollStitcher: the output is determined by path, payload, signature, rendition and pod',
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.allowList(...stitcherCacheKeyQueryStrings),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      minTtl: Duration.seconds(0),
      defaultTtl: cacheTtl,
      maxTtl: cacheTtl,
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const behavior: cloudfront.BehaviorOptions = {
      origin: origins.FunctionUrlOrigin.withOriginAccessControl(this.functionUrl),
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: this.cachePolicy,
      compress: true,
    };

    if (props.existingDistribution) {
      props.existingDistribution.addBehavior(`${pathPrefix}/*`, behavior.origin, behavior);
      this.distribution = props.existingDistribution;
    } else {
      const distribution = new cloudfront.Distribution(this, 'Distribution', {
        comment: 'PreRollStitcher: stitched HLS playlists',
        defaultBehavior: behavior,
        domainNames: props.domainNames,
        certificate: props.certificate,
        minimumProtocolVersion: props.certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined, // the default certificate's policy is fixed
        httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
        enableLogging: props.accessLogBucket !== undefined,
        logBucket: props.accessLogBucket,
        logFilePrefix: props.accessLogBucket ? 'pre-roll-stitcher/' : undefined,
        webAclId: props.webAclId,
      });
      acknowledgeDistributionFindings(distribution, props);
      this.distribution = distribution;
    }
    const domain = props.domainNames?.[0] ?? this.distribution.distributionDomainName;
    this.playbackUrlBase = `https://${domain}${pathPrefix}`;
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
    return handlerMetric(stitcherMetrics.namespace, metricName, this.serviceName, options);
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
  positive('maxPayloadLength', props.maxPayloadLength, stitcherLimits.minMaxPayloadLength);
  positive('maxBreaks', props.maxBreaks, stitcherLimits.minMaxBreaks);
  if (props.upstreamTimeout && props.upstreamTimeout.toMilliseconds() < stitcherLimits.minUpstreamTimeoutMs) {
    throw new Error(`upstreamTimeout must be at least ${stitcherLimits.minUpstreamTimeoutMs} ms, got ${props.upstreamTimeout.toHumanString()}`);
  }
  const timeout = props.functionOptions?.timeout ?? Duration.seconds(stitcherDefaults.functionTimeoutSeconds);
  if (props.upstreamTimeout && props.upstreamTimeout.toMilliseconds() >= timeout.toMilliseconds()) {
    throw new Error(`upstreamTimeout (${props.upstreamTimeout.toHumanString()}) must be shorter than the function timeout (${timeout.toHumanString()})`);
  }
  validateMemory(props);
  if (props.existingDistribution && !props.pathPrefix) {
    throw new Error('pathPrefix is required with existingDistribution (e.g. \'/stitch\'), got undefined');
  }
  if (props.existingDistribution && (props.domainNames || props.certificate || props.accessLogBucket || props.webAclId)) {
    throw new Error('domainNames, certificate, accessLogBucket and webAclId configure a new distribution: set them on existingDistribution instead');
  }
  if ((props.domainNames?.length ?? 0) > 0 !== (props.certificate !== undefined)) {
    throw new Error(`domainNames and certificate go together, got domainNames=${JSON.stringify(props.domainNames)} and ${props.certificate ? 'a' : 'no'} certificate`);
  }
}

/** The worst accepted request must fit the function's memory (see stitcherMemoryBudget). */
function validateMemory(props: PreRollStitcherProps): void {
  const memorySize = props.functionOptions?.memorySize ?? stitcherDefaults.functionMemorySizeMiB;
  const maxUpstreamPlaylistBytes = props.maxUpstreamPlaylistSize?.toBytes() ?? stitcherDefaults.maxUpstreamPlaylistBytes;
  const upstreamCacheBytes = props.upstreamCacheSize?.toBytes() ?? stitcherDefaults.upstreamCacheBytes;
  if ([memorySize, maxUpstreamPlaylistBytes, upstreamCacheBytes].some((value) => Token.isUnresolved(value))) return;
  const budget = stitcherMemoryBudget({ maxUpstreamPlaylistBytes, upstreamCacheBytes });
  if (memorySize < budget.minimumMemorySizeMiB) {
    throw new Error(`functionOptions.memorySize (${memorySize} MiB) is too small for maxUpstreamPlaylistSize and upstreamCacheSize: ${budget.explanation}; `
      + 'raise memorySize or lower maxUpstreamPlaylistSize / upstreamCacheSize');
  }
}

function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '' || prefix === '/') return '';
  if (!/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*\/?$/.test(prefix)) {
    throw new Error(`pathPrefix must be a path like '/stitch', got '${prefix}'`);
  }
  return prefix.replace(/\/$/, '');
}

function acknowledgeDistributionFindings(distribution: cloudfront.Distribution, props: PreRollStitcherProps): void {
  const acknowledge = (id: string, reason: string) => Validations.of(distribution).acknowledge({ id, reason });
  acknowledge('AwsSolutions-CFR1', 'stitched playlists follow the content\'s own geo policy; restrict countries on the content origin or with webAclId');
  if (!props.webAclId) {
    acknowledge('AwsSolutions-CFR2', 'requests carry signed payloads and only GET/HEAD reach a function that fetches allow-listed hosts; pass webAclId to add WAF');
  }
  if (!props.accessLogBucket) {
    acknowledge('AwsSolutions-CFR3', 'the function logs every request with its outcome; pass accessLogBucket for CloudFront access logs as well');
  }
  if (!props.certificate) {
    acknowledge('AwsSolutions-CFR4', 'the default cloudfront.net certificate allows TLSv1; pass domainNames and certificate to enforce TLS 1.2');
  }
}
