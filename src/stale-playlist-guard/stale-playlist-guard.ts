import { Annotations, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CheckFunction } from './check-function';
import { guardDefaults, guardEnvironment, guardMetrics } from './contract/protocol';
import { isSafeThreshold, oldestHealthyAgeMs, staleAfterMs } from './contract/staleness';
import { renderEdgeGuardFunction } from './edge-function';
import { BundledHandler } from '../shared/bundled-handler';
import { cacheSettings } from '../shared/cache-settings';
import { CdnFront } from '../shared/cdn-front';
import { DistributionSettings } from '../shared/distribution-settings';
import { nagResourceName } from '../shared/nag-finding';

/** Where stale playlists are detected. */
export enum StaleDetection {
  /**
   * A CloudFront Function on viewer-response answers 404 for a playlist whose Last-Modified is older than
   * the threshold. Nothing is deleted; recovery is immediate when the encoder writes again. The default.
   */
  EDGE = 'edge',
  /**
   * S3 events go through an SQS delay queue to a function that deletes a playlist that is still the same
   * object (ETag) a threshold after it was written, with a conditional delete. Reads the playlist, so
   * ended (EXT-X-ENDLIST) and multivariant playlists are recognised from their content.
   */
  ORIGIN = 'origin',
}

/** One encoder pipeline's output location: a bucket and a key prefix. Use the static factories. */
export class LivePipeline {
  /** A prefix in the bucket the guard creates, e.g. `pipeline-a/` (empty for the bucket root). */
  public static atPrefix(prefix: string): LivePipeline {
    return new LivePipeline(undefined, prefix);
  }

  /** A prefix (empty for the root) in a bucket you already have, e.g. the one MediaLive writes to. */
  public static inBucket(bucket: s3.IBucket, prefix?: string): LivePipeline {
    return new LivePipeline(bucket, prefix ?? '');
  }

  // closed: only the factories above make one
  private constructor(
    /** @internal */ public readonly _bucket: s3.IBucket | undefined,
    /** @internal */ public readonly _prefix: string,
  ) {}
}

/** Properties of a {@link StalePlaylistGuard}. */
export interface StalePlaylistGuardProps extends DistributionSettings {
  /** EXT-X-TARGETDURATION of the live media playlists (whole seconds). */
  readonly targetDuration: Duration;

  /**
   * The encoder pipelines: one, or two (or more) redundant ones in prefixes of one bucket or in separate buckets.
   * A key in one pipeline corresponds to the same relative key in the others.
   * @default - one pipeline at the root of a new bucket
   */
  readonly pipelines?: LivePipeline[];

  /**
   * Where stale playlists are detected.
   * @default StaleDetection.EDGE
   */
  readonly detection?: StaleDetection;

  /**
   * How many target durations without an update make a live media playlist stale. Must exceed the worst
   * age a compliant encoder can show: 1.5 x TD (RFC 8216 update window) + playlist cache TTL + 1 s
   * (Last-Modified granularity) + 1 s (clock skew).
   * @default 3
   */
  readonly staleAfterTargetDurations?: number;

  /**
   * How long CloudFront caches a playlist; at most half the target duration.
   * @default - half the target duration
   */
  readonly playlistCacheTtl?: Duration;

  /**
   * How long CloudFront caches a segment (segments never change).
   * @default Duration.days(1)
   */
  readonly segmentCacheTtl?: Duration;

  /**
   * How long CloudFront caches a 403/404 from the origin (a deleted playlist in origin mode).
   * @default Duration.seconds(1)
   */
  readonly errorCacheTtl?: Duration;

  /**
   * File names of multivariant playlists, never treated as stale (edge mode tells them by name; origin mode
   * also by content).
   * @default ['master.m3u8']
   */
  readonly multivariantPlaylistNames?: string[];

  /**
   * What happens to the bucket the guard creates when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly bucketRemovalPolicy?: RemovalPolicy;

  /**
   * Create CloudWatch alarms (origin mode: any stale detection, any message dead-lettered).
   * @default false
   */
  readonly alarms?: boolean;
}

/**
 * A live HLS origin on S3 behind CloudFront where a media playlist the encoder stopped updating turns into
 * a 404, so players fail over to the healthy pipeline — without ever flagging an encoder that updates
 * anywhere inside the RFC 8216 window.
 */
export class StalePlaylistGuard extends Construct {
  /** The distribution players stream from. */
  public readonly distribution: cloudfront.IDistribution;
  /** The buckets the encoders write to (the guard's own, or yours), one per distinct bucket. */
  public readonly buckets: s3.IBucket[];
  /** `https://<distribution domain>`: playlists and segments are served at their object keys under it. */
  public readonly playbackUrlBase: string;
  /** Playlist age, in milliseconds, past which a live media playlist is stale. */
  public readonly staleAfterMs: number;
  /** Edge mode: the CloudFront Function on the playlist behaviors. */
  public readonly edgeFunction?: cloudfront.IFunction;
  /** Origin mode: the function that checks and deletes stale playlists. */
  public readonly checkFunction?: lambda.IFunction;
  /** Origin mode: the delay queue between S3 events and the check function. */
  public readonly queue?: sqs.IQueue;
  /** Origin mode: where events that keep failing end up. */
  public readonly deadLetterQueue?: sqs.IQueue;

  private readonly checkHandler?: BundledHandler;
  private ownBucket?: s3.Bucket;

  constructor(scope: Construct, id: string, props: StalePlaylistGuardProps) {
    super(scope, id);
    const targetDurationSeconds = props.targetDuration.toMilliseconds() / 1000;
    const playlistCacheTtl = props.playlistCacheTtl ?? Duration.millis(targetDurationSeconds * 500);
    const staleAfterTargetDurations = props.staleAfterTargetDurations ?? guardDefaults.staleAfterTargetDurations;
    const detection = props.detection ?? StaleDetection.EDGE;
    const multivariantPlaylistNames = props.multivariantPlaylistNames ?? [...guardDefaults.multivariantPlaylistNames];
    validate(props, targetDurationSeconds, playlistCacheTtl, staleAfterTargetDurations, detection);
    this.staleAfterMs = staleAfterMs(targetDurationSeconds, staleAfterTargetDurations);

    const pipelines = (props.pipelines ?? [LivePipeline.atPrefix('')]).map((pipeline) => {
      const bucket = pipeline._bucket ?? (this.ownBucket ??= this.createBucket(props.bucketRemovalPolicy ?? RemovalPolicy.RETAIN));
      return { bucket, prefix: normalizePrefix(pipeline._prefix) };
    });
    this.buckets = [...new Set(pipelines.map((pipeline) => pipeline.bucket))];

    const playlistCache = cacheSettings(this, 'PlaylistCachePolicy', {
      comment: 'StalePlaylistGuard: live playlists, at most half a target duration',
      ttl: playlistCacheTtl,
      compress: true,
    });
    const segmentCache = cacheSettings(this, 'SegmentCachePolicy', {
      comment: 'StalePlaylistGuard: media segments never change',
      ttl: props.segmentCacheTtl ?? Duration.days(1),
    });
    if (detection === StaleDetection.EDGE) {
      this.edgeFunction = new cloudfront.Function(this, 'EdgeFunction', {
        comment: 'StalePlaylistGuard: 404 for live media playlists older than the threshold',
        runtime: cloudfront.FunctionRuntime.JS_2_0,
        code: cloudfront.FunctionCode.fromInline(renderEdgeGuardFunction({ staleAfterMs: this.staleAfterMs, multivariantPlaylistNames })),
      });
    }

    const originOf = new Map(this.buckets.map((bucket) => [bucket, origins.S3BucketOrigin.withOriginAccessControl(bucket, {
      // ListBucket makes S3 answer 404 (not 403) for a missing key, the status players fail over on
      originAccessLevels: [cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
    })]));
    const behavior = (bucket: s3.IBucket, playlists: boolean): cloudfront.BehaviorOptions => ({
      origin: originOf.get(bucket)!,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: (playlists ? playlistCache : segmentCache).cachePolicy,
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS,
      compress: (playlists ? playlistCache : segmentCache).compress,
      functionAssociations: playlists && this.edgeFunction
        ? [{ function: this.edgeFunction, eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE }]
        : undefined,
    });
    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {};
    for (const pipeline of pipelines) {
      additionalBehaviors[`${pipeline.prefix}*.m3u8`] = behavior(pipeline.bucket, true);
      if (pipeline.prefix !== '') additionalBehaviors[`${pipeline.prefix}*`] = behavior(pipeline.bucket, false);
    }
    additionalBehaviors['*.m3u8'] ??= behavior(pipelines[0].bucket, true); // multivariant playlists outside the pipelines
    const front = new CdnFront(this, {
      ...props,
      comment: 'StalePlaylistGuard: live HLS origin',
      logFilePrefix: 'stale-playlist-guard/',
      defaultBehavior: behavior(pipelines[0].bucket, false),
      additionalBehaviors,
      errorResponses: [403, 404].map((httpStatus) => ({ httpStatus, ttl: props.errorCacheTtl ?? Duration.seconds(1) })),
      // with ListBucket, `GET /` would list the bucket: the root serves the multivariant playlist instead
      defaultRootObject: multivariantPlaylistNames[0],
    });
    // the risk CDK warns about (GET / listing the bucket) is closed by defaultRootObject above
    Annotations.of(front.distribution).acknowledgeWarning('@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      'defaultRootObject serves the multivariant playlist at /, so no request lists the bucket');
    this.distribution = front.distribution;
    this.playbackUrlBase = front.urlBase;

    if (detection === StaleDetection.ORIGIN) {
      const origin = this.createOriginDetection(pipelines, staleAfterTargetDurations, multivariantPlaylistNames);
      this.checkHandler = origin.checkHandler;
      this.checkFunction = origin.checkHandler.function;
      this.queue = origin.queue;
      this.deadLetterQueue = origin.deadLetterQueue;
      if (props.alarms) {
        this.metricStaleDetections().createAlarm(this, 'StaleDetectionAlarm', {
          alarmDescription: 'A live media playlist stopped updating: its pipeline is failing over',
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        origin.deadLetterQueue.metricApproximateNumberOfMessagesVisible().createAlarm(this, 'DeadLetterAlarm', {
          alarmDescription: 'S3 events the stale-playlist check could not process',
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }
    }
  }

  /** Origin mode: live media playlists found stale (before the redundancy check). */
  public metricStaleDetections(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.guardMetric(guardMetrics.staleDetections, options);
  }

  /** Origin mode: stale playlists deleted. */
  public metricDeletions(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.guardMetric(guardMetrics.deletions, options);
  }

  /**
   * Origin mode: playlists looked at and kept (updated meanwhile, multivariant, ended, every pipeline stale...).
   * Each reason is also published with a `reason` dimension.
   */
  public metricSkips(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.guardMetric(guardMetrics.skips, options);
  }

  /** The distribution's 4xx rate (CloudFront, us-east-1): in edge mode, where stale playlists show up. */
  public metricErrorRate(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/CloudFront',
      metricName: '4xxErrorRate',
      dimensionsMap: { DistributionId: this.distribution.distributionId, Region: 'Global' },
      region: 'us-east-1',
      statistic: cloudwatch.Stats.AVERAGE,
      period: Duration.minutes(1),
      ...options,
    });
  }

  private guardMetric(metricName: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.checkHandler) throw new Error(`metric ${metricName} exists in origin mode only: this guard uses detection: StaleDetection.EDGE`);
    return this.checkHandler.metric(metricName, options);
  }

  private createBucket(removalPolicy: RemovalPolicy): s3.Bucket {
    const bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'a live origin takes thousands of writes a minute from the encoder; CloudFront access logs (accessLogBucket) record viewer access',
    });
    return bucket;
  }

  private createOriginDetection(
    pipelines: Array<{ bucket: s3.IBucket; prefix: string }>, staleAfterTargetDurations: number, multivariantNames: string[],
  ) {
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'this queue is the dead-letter queue of the delay queue' });
    const checkTimeout = Duration.seconds(30);
    const queue = new sqs.Queue(this, 'DelayQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // every upload is looked at once, a threshold after it was written: no sleeping function
      deliveryDelay: Duration.seconds(Math.ceil(this.staleAfterMs / 1000)),
      visibilityTimeout: Duration.seconds(Math.max(checkTimeout.toSeconds() * 6, Math.ceil(this.staleAfterMs / 1000))),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
    });
    const checkHandler = new BundledHandler(this, 'Check', {
      functionClass: CheckFunction,
      constructName: 'stale-playlist-guard',
      metricsNamespace: guardMetrics.namespace,
      roleDescription: 'StalePlaylistGuard check: HEAD/GET/DELETE of .m3u8 keys in the pipelines, its own logs',
      defaults: { memorySize: 256, timeout: checkTimeout },
      environment: {
        [guardEnvironment.staleAfterTargetDurations]: String(staleAfterTargetDurations),
        [guardEnvironment.multivariantPlaylistNames]: multivariantNames.join(','),
        [guardEnvironment.pipelines]: Stack.of(this).toJsonString(pipelines.map((p) => ({ bucket: p.bucket.bucketName, prefix: p.prefix }))),
      },
    });
    const role = checkHandler.role;
    for (const pipeline of pipelines) {
      // HEAD and GET need s3:GetObject; a conditional (If-Match) delete needs s3:GetObject and s3:DeleteObject.
      // Granted by the bucket's own policy where it can be changed (the bucket owner sees who may delete).
      const playlists = pipeline.bucket.arnForObjects(`${pipeline.prefix}*.m3u8`);
      const objectAccess = { actions: ['s3:GetObject', 's3:DeleteObject'], resources: [playlists] };
      const inBucketPolicy = pipeline.bucket.addToResourcePolicy(
        new iam.PolicyStatement({ ...objectAccess, principals: [new iam.ArnPrincipal(role.roleArn)] }),
      );
      if (!inBucketPolicy.statementAdded) {
        role.addToPrincipalPolicy(new iam.PolicyStatement(objectAccess));
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagResourceName(this, playlists)}]`,
          reason: 'the check may read and conditionally delete any playlist (.m3u8) of the pipeline, and nothing else',
        });
      }
      // without ListBucket S3 answers 403, not 404, for a missing key (a counterpart, or a playlist deleted meanwhile)
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [pipeline.bucket.bucketArn] }));
      if (pipeline.bucket !== this.ownBucket) {
        pipeline.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(queue), {
          prefix: pipeline.prefix || undefined, suffix: '.m3u8',
        });
      }
      // S3 itself refuses an unconditional delete from the guard: a re-uploaded playlist can never be deleted
      pipeline.bucket.addToResourcePolicy(new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        principals: [new iam.ArnPrincipal(role.roleArn)],
        actions: ['s3:DeleteObject'],
        resources: [pipeline.bucket.arnForObjects('*')],
        conditions: { Null: { 's3:if-match': 'true' } },
      }));
    }
    checkHandler.function.addEventSource(new eventSources.SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
    const ownPipelines = pipelines.filter((pipeline) => pipeline.bucket === this.ownBucket);
    if (this.ownBucket && ownPipelines.length > 0) this.notifyNatively(this.ownBucket, ownPipelines.map((p) => p.prefix), queue);
    return { checkHandler, queue, deadLetterQueue };
  }

  /**
   * S3 -> SQS notifications declared on the guard's own bucket itself, without aws-cdk-lib's notification
   * custom resource (a Lambda function with a managed-policy role). The queue accepts S3 events of this
   * account only; the function ignores keys outside the pipelines.
   */
  private notifyNatively(bucket: s3.Bucket, prefixes: string[], queue: sqs.Queue): void {
    const { policyDependable } = queue.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    }));
    const cfnBucket = bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.notificationConfiguration = {
      queueConfigurations: prefixes.map((prefix) => ({
        event: 's3:ObjectCreated:*',
        queue: queue.queueArn,
        filter: { s3Key: { rules: [...(prefix ? [{ name: 'prefix', value: prefix }] : []), { name: 'suffix', value: '.m3u8' }] } },
      })),
    };
    // S3 checks that it may send to the queue when the configuration is applied
    if (policyDependable) cfnBucket.node.addDependency(policyDependable);
  }
}

function validate(
  props: StalePlaylistGuardProps, targetDurationSeconds: number, playlistCacheTtl: Duration, multiple: number, detection: StaleDetection,
): void {
  if (Token.isUnresolved(targetDurationSeconds)) return;
  if (!Number.isInteger(targetDurationSeconds) || targetDurationSeconds < 1) {
    throw new Error(`targetDuration must be a whole number of seconds >= 1 (EXT-X-TARGETDURATION is an integer), got ${props.targetDuration.toHumanString()}`);
  }
  if (playlistCacheTtl.toMilliseconds() > targetDurationSeconds * 500) {
    throw new Error(`playlistCacheTtl must be at most half the target duration (${targetDurationSeconds / 2} s), got ${playlistCacheTtl.toHumanString()}`);
  }
  if (!(multiple > 0) || !isSafeThreshold(targetDurationSeconds, multiple, playlistCacheTtl.toMilliseconds())) {
    const minimum = oldestHealthyAgeMs(targetDurationSeconds, playlistCacheTtl.toMilliseconds()) / (targetDurationSeconds * 1000);
    throw new Error(`staleAfterTargetDurations must be at least ${Math.ceil(minimum * 100) / 100} for a target duration of ${targetDurationSeconds} s and a `
      + `playlist cache TTL of ${playlistCacheTtl.toHumanString()} (or healthy encoders would be flagged), got ${multiple}`);
  }
  if (detection === StaleDetection.ORIGIN && staleAfterMs(targetDurationSeconds, multiple) > 900_000) {
    throw new Error(`origin detection delays each S3 event by the threshold, at most 900 s in SQS: staleAfterTargetDurations x targetDuration is ${multiple * targetDurationSeconds} s`);
  }
  const pipelines = props.pipelines ?? [];
  const locations = pipelines.map((pipeline) => `${pipeline._bucket?.node.addr ?? 'own'}/${normalizePrefix(pipeline._prefix)}`);
  if (new Set(locations).size !== locations.length) throw new Error('pipelines must be distinct bucket/prefix locations, got a repeated one');
  if (props.pipelines && props.pipelines.length === 0) throw new Error('pipelines must name at least one location, got []');
}

function normalizePrefix(prefix: string): string {
  if (prefix === '' || prefix === '/') return '';
  if (!/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/?$/.test(prefix) || prefix.includes('*')) {
    throw new Error(`pipeline prefixes must be key prefixes like 'pipeline-a/', got '${prefix}'`);
  }
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}
