import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as mediatailor from 'aws-cdk-lib/aws-mediatailor';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { announcedSchedulesPerGroup, wireAnnouncedBreaks } from './announced-break-wiring';
import { AnnouncedBreaksProps } from './announced-breaks';
import { announcedBreakMetrics, announcedScheduleNamePrefix } from './contract/announced-break';
import { defaultPrefetchGroups, maxSessionBodyBytes, mediaTailorWaitMs, sessionFunctionDefaults } from './contract/defaults';
import { explicitSessionPath, originSecretHeader, sessionEnvironment, sessionInitializerPrefix, sessionMetrics } from './contract/protocol';
import { groupCountProblem, streamIds } from './contract/stream-groups';
import { PlaybackConfiguration } from './playback-configuration';
import { RecurringPrefetchScheduleProps } from './prefetch-schedules';
import { recurringSchedules } from './recurring-schedules';
import { renderStreamIdRedirectFunction } from './redirect-function';
import { SessionFunction } from './session-function';
import { BundledHandler } from '../shared/bundled-handler';
import { CdnFront } from '../shared/cdn-front';
import { DistributionSettings } from '../shared/distribution-settings';

/** Properties of a {@link PrefetchSessionInitializer}. */
export interface PrefetchSessionInitializerProps extends DistributionSettings {
  /** The MediaTailor playback configuration: `PlaybackConfiguration.create({...})` or `PlaybackConfiguration.fromExisting({...})`. */
  readonly playbackConfiguration: PlaybackConfiguration;

  /**
   * Number of prefetch groups (stream ids `1`..`N`) new sessions are spread over. At most 25 / (schedules per
   * group): MediaTailor allows 25 active prefetch schedules per configuration.
   * @default 4
   */
  readonly prefetchGroups?: number;

  /**
   * Recurring prefetch schedules, each declared once per group.
   * @default - none (create schedules yourself, with the stream ids `1`..`prefetchGroups`)
   */
  readonly prefetchSchedules?: RecurringPrefetchScheduleProps[];

  /**
   * Ad breaks announced as EventBridge events become SINGLE prefetch schedules, one per group, retrieval staggered
   * across the groups, deleted by an hourly sweep once used. Their share of the 25-schedule quota
   * (`maxOverlappingBreaks` per group) counts against `prefetchGroups`.
   * @default - no announced breaks
   */
  readonly announcedBreaks?: AnnouncedBreaksProps;

  /**
   * Largest explicit session initialization body accepted (larger: 413).
   * @default 16384 bytes
   */
  readonly maxSessionBodyBytes?: number;

  /**
   * Overrides for the session function (memory, reserved concurrency...). Runtime, architecture, handler, code,
   * role, logs and timeout are fixed.
   * @default - 256 MiB, 100 reserved concurrent executions, arm64, logs kept for one month
   */
  readonly sessionFunctionOptions?: lambda.FunctionOptions;
}

/**
 * MediaTailor behind CloudFront, with sessions spread over prefetch groups: `/session-initializer/v1/master/...` and
 * `/session-initializer/v1/dash/...` answer 302 with `aws.streamId` (a CloudFront Function), and
 * `POST /session-initializer/v1/session/...` initializes an explicit session with `streamId` in the body (a Lambda
 * function behind CloudFront); recurring prefetch schedules are declared per group, and ad breaks announced on
 * EventBridge (`announcedBreaks`) become one SINGLE schedule per group, retrieval staggered across the groups.
 */
export class PrefetchSessionInitializer extends Construct {
  /** The distribution players use. */
  public readonly distribution: cloudfront.IDistribution;
  /** `https://<first domain name or the distribution's domain>`. */
  public readonly urlBase: string;
  /** `<urlBase>/session-initializer`: put it in front of MediaTailor's `/v1/master/...`, `/v1/dash/...` or `/v1/session/...` paths. */
  public readonly sessionInitializerUrlBase: string;
  /** Name of the playback configuration. */
  public readonly playbackConfigurationName: string;
  /** The configuration, when the construct created it. */
  public readonly playbackConfigurationResource?: mediatailor.CfnPlaybackConfiguration;
  /** The CDN content segment prefix the configuration uses (or should use, when it exists already). */
  public readonly contentSegmentUrlPrefix: string;
  /** The CDN ad segment prefix the configuration uses (or should use, when it exists already). */
  public readonly adSegmentUrlPrefix: string;
  /** The stream ids of the prefetch groups. */
  public readonly streamIds: string[];
  /** The redirecting CloudFront Function. */
  public readonly redirectFunction: cloudfront.IFunction;
  /** The explicit session initialization function. */
  public readonly sessionFunction: lambda.IFunction;
  /** Its Function URL (AuthType NONE: the origin secret header keeps out callers other than the distribution). */
  public readonly sessionFunctionUrl: lambda.IFunctionUrl;
  /** The secret CloudFront sends to the session function. */
  public readonly originSecret: secretsmanager.ISecret;
  /** The recurring prefetch schedules, every group's. */
  public readonly prefetchSchedules: mediatailor.CfnPrefetchSchedule[];
  /** The function that turns announced breaks into prefetch schedules (when `announcedBreaks` is set). */
  public readonly announcedBreakFunction?: lambda.IFunction;
  /** The rule that sends announced breaks to it (when `announcedBreaks` is set). */
  public readonly announcedBreakRule?: events.IRule;

  private readonly handler: BundledHandler;
  private readonly announcedBreakHandler?: BundledHandler;

  constructor(scope: Construct, id: string, props: PrefetchSessionInitializerProps) {
    super(scope, id);
    const groups = props.prefetchGroups ?? defaultPrefetchGroups;
    const schedules = props.prefetchSchedules ?? [];
    const problem = groupCountProblem(groups, { recurring: schedules.length, single: announcedSchedulesPerGroup(props.announcedBreaks) });
    if (problem) throw new Error(problem);
    const claimed = schedules.find((schedule) => schedule.name.startsWith(announcedScheduleNamePrefix));
    if (claimed) throw new Error(`prefetchSchedules name must not start with '${announcedScheduleNamePrefix}' (the announced-break schedules' prefix), got '${claimed.name}'`);
    const maxBodyBytes = props.maxSessionBodyBytes ?? maxSessionBodyBytes.default;
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < maxSessionBodyBytes.minimum || maxBodyBytes > maxSessionBodyBytes.maximum) {
      throw new Error(`maxSessionBodyBytes must be an integer from ${maxSessionBodyBytes.minimum} to ${maxSessionBodyBytes.maximum}, got ${maxBodyBytes}`);
    }
    if (props.sessionFunctionOptions?.timeout) throw new Error('sessionFunctionOptions.timeout is derived from the ADS timeout: leave it unset');
    this.streamIds = streamIds(groups);
    const region = Stack.of(this).region;
    const manifestsHost = `manifests.mediatailor.${region}.amazonaws.com`;

    // the configuration points at the distribution; the distribution only at MediaTailor's regional hosts: no cycle
    const domainOf = (distribution: cloudfront.IDistribution) => props.domainNames?.[0] ?? distribution.distributionDomainName;

    this.originSecret = new secretsmanager.Secret(this, 'OriginSecret', {
      description: 'PrefetchSessionInitializer: header value CloudFront sends to the session function',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(this.originSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'the value is copied into the distribution\'s origin header at deploy time; a rotated value would lock CloudFront out until the next deploy, so it changes by replacing the secret in a deploy',
    });

    const waitMs = mediaTailorWaitMs(props.playbackConfiguration._adsTimeoutMs());
    const functionTimeout = Duration.seconds(Math.ceil(waitMs / 1000) + 2);

    this.handler = new BundledHandler(this, 'Session', {
      functionClass: SessionFunction,
      constructName: 'prefetch-session-initializer',
      metricsNamespace: sessionMetrics.namespace,
      roleDescription: 'PrefetchSessionInitializer session function: writes its own logs, reads the origin secret, nothing else',
      defaults: { memorySize: sessionFunctionDefaults.memoryMiB, timeout: functionTimeout },
      functionOptions: {
        reservedConcurrentExecutions: sessionFunctionDefaults.reservedConcurrency,
        ...props.sessionFunctionOptions,
        timeout: functionTimeout,
      },
      environment: {}, // completed below, once the configuration's name is known
    });
    this.originSecret.grantRead(this.handler.role);
    this.sessionFunction = this.handler.function;
    // AuthType NONE: CloudFront cannot sign a viewer's POST body for OAC; the origin secret header guards the URL instead
    this.sessionFunctionUrl = this.handler.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

    this.redirectFunction = new cloudfront.Function(this, 'RedirectFunction', {
      comment: `PrefetchSessionInitializer: 302 with a stream id of ${groups} prefetch groups`,
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(renderStreamIdRedirectFunction(groups)),
    });

    const content = props.playbackConfiguration._contentSource();
    const mediaTailorReadTimeout = Duration.seconds(Math.ceil(waitMs / 1000));
    const segmentsOrigin = new origins.HttpOrigin(`segments.mediatailor.${region}.amazonaws.com`, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY });
    const manifestsOrigin = new origins.HttpOrigin(manifestsHost, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      readTimeout: mediaTailorReadTimeout,
    });
    const sessionOrigin = new origins.FunctionUrlOrigin(this.sessionFunctionUrl, {
      readTimeout: functionTimeout.plus(Duration.seconds(1)),
      // a dynamic reference ({{resolve:secretsmanager:...}}): CloudFormation resolves it, the template holds no secret
      customHeaders: { [originSecretHeader]: this.originSecret.secretValue.unsafeUnwrap() },
    });
    const cors = cloudfront.ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS_WITH_PREFLIGHT;
    const cached = (origin: cloudfront.IOrigin): cloudfront.BehaviorOptions => ({
      origin,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: cors,
      compress: true,
    });
    const uncached = (origin: cloudfront.IOrigin, allowedMethods: cloudfront.AllowedMethods): cloudfront.BehaviorOptions => ({
      origin,
      allowedMethods,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // every viewer header, query string and cookie, but the Host the origin (an AWS endpoint) must see as its own
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: cors,
      compress: false,
    });
    const front = new CdnFront(this, {
      ...props,
      comment: 'PrefetchSessionInitializer: MediaTailor with prefetch groups',
      logFilePrefix: 'prefetch-session-initializer/',
      // content segments go to the content origin, never to MediaTailor's ad origin
      defaultBehavior: content.behavior ? { ...content.behavior(content.origin), responseHeadersPolicy: cors } : cached(content.origin),
      additionalBehaviors: {
        ...Object.fromEntries(Object.entries(content.precedingBehaviors ?? {})
          .map(([pattern, behavior]) => [pattern, { ...behavior, responseHeadersPolicy: cors }])),
        [`${sessionInitializerPrefix.slice(1)}${explicitSessionPath}*`]: uncached(sessionOrigin, cloudfront.AllowedMethods.ALLOW_ALL),
        [`${sessionInitializerPrefix.slice(1)}/*`]: {
          ...uncached(manifestsOrigin, cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS),
          functionAssociations: [{ function: this.redirectFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        },
        'tm/*': cached(segmentsOrigin),
        'v1/*': uncached(manifestsOrigin, cloudfront.AllowedMethods.ALLOW_ALL),
        'segment/*': uncached(manifestsOrigin, cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS),
      },
    });
    this.distribution = front.distribution;
    this.urlBase = front.urlBase;
    this.sessionInitializerUrlBase = `${this.urlBase}${sessionInitializerPrefix}`;
    const domain = domainOf(this.distribution);
    this.contentSegmentUrlPrefix = `https://${domain}${content.path}`;
    this.adSegmentUrlPrefix = `https://${domain}/`;

    const configuration = props.playbackConfiguration._bind(this, { content: this.contentSegmentUrlPrefix, ad: this.adSegmentUrlPrefix });
    this.playbackConfigurationName = configuration.name;
    this.playbackConfigurationResource = configuration.resource;
    const environment: Record<string, string> = {
      [sessionEnvironment.mediaTailorEndpoint]: `https://${manifestsHost}`,
      [sessionEnvironment.playbackConfigurationName]: configuration.name,
      [sessionEnvironment.groupCount]: String(groups),
      [sessionEnvironment.originSecretArn]: this.originSecret.secretArn,
      [sessionEnvironment.maxBodyBytes]: String(maxBodyBytes),
      [sessionEnvironment.mediaTailorTimeoutMs]: String(waitMs),
    };
    for (const [name, value] of Object.entries(environment)) this.handler.function.addEnvironment(name, value);

    this.prefetchSchedules = schedules.flatMap((schedule, index) => {
      const declared = recurringSchedules(this, `PrefetchSchedule${index + 1}`, schedule, configuration.name, this.streamIds);
      if (configuration.resource) declared.forEach((resource) => resource.node.addDependency(configuration.resource!));
      return declared;
    });

    if (props.announcedBreaks) {
      const wiring = wireAnnouncedBreaks(this, props.announcedBreaks, configuration.name, groups);
      if (configuration.resource) wiring.handler.function.node.addDependency(configuration.resource);
      this.announcedBreakHandler = wiring.handler;
      this.announcedBreakFunction = wiring.handler.function;
      this.announcedBreakRule = wiring.rule;
    }
  }

  /** Explicit sessions MediaTailor initialized. */
  public metricSessionsInitialized(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metric(sessionMetrics.sessionsInitialized, options);
  }

  /** Explicit session requests refused as bad input (4xx from the function itself). */
  public metricClientErrors(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metric(sessionMetrics.clientErrors, options);
  }

  /** Explicit session requests MediaTailor refused, failed or did not answer in time. */
  public metricMediaTailorErrors(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handler.metric(sessionMetrics.mediaTailorErrors, options);
  }

  /** Prefetch schedules created for announced breaks (throws unless `announcedBreaks` is set). */
  public metricAnnouncedSchedulesCreated(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.announcedBreakMetric(announcedBreakMetrics.schedulesCreated, options);
  }

  /** Announcements refused: malformed, too late, too far ahead or over the reserved quota (throws unless `announcedBreaks` is set). */
  public metricRejectedAnnouncements(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.announcedBreakMetric(announcedBreakMetrics.rejectedAnnouncements, options);
  }

  /** Announced-break invocations that failed on MediaTailor after retries (throws unless `announcedBreaks` is set). */
  public metricAnnouncedBreakFailures(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.announcedBreakMetric(announcedBreakMetrics.mediaTailorFailures, options);
  }

  private announcedBreakMetric(metricName: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.announcedBreakHandler) throw new Error(`${metricName} is published only when announcedBreaks is set`);
    return this.announcedBreakHandler.metric(metricName, options);
  }
}
