import { Annotations, CfnOutput, Duration, RemovalPolicy, Resource, Stack, Token, Validations } from 'aws-cdk-lib';
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
import { overlappingPipelines, pipelineKeyPrefix, PipelinePrefixKind } from './contract/pipeline-prefix';
import { playlistKeySuffixes, playlistPathPatternSuffix } from './contract/playlist-marks';
import { guardEnvironment, guardMetrics } from './contract/protocol';
import {
  defaultPlaylistCacheTtlSeconds, defaultStaleAfterTargetDurations, heartbeatIntervalMs, isSafeThreshold, minimumStaleAfterTargetDurations,
  staleAfterMs,
} from './contract/staleness';
import { renderEdgeGuardFunction } from './edge-function';
import { MarkFunction } from './mark-function';
import { BundledHandler } from '../shared/bundled-handler';
import { cacheSettings } from '../shared/cache-settings';
import { CdnFront } from '../shared/cdn-front';
import { DistributionSettings } from '../shared/distribution-settings';
import { acknowledgeNagFinding, nagResourceName } from '../shared/nag-finding';

/** Where stale playlists are detected. */
export enum StaleDetection {
  /**
   * A CloudFront Function on viewer-response answers 404 for a playlist whose Last-Modified is older than
   * the threshold. A small marker function on S3 ObjectCreated marks multivariant and ended playlists (S3
   * metadata) so the function lets them through whatever their names. Nothing is deleted; recovery is
   * immediate when the encoder writes again. The default.
   */
  EDGE = 'edge',
  /**
   * S3 events go through an SQS delay queue to a function that deletes a playlist that is still the same
   * object (ETag) a threshold after it was written, with a conditional delete. Reads the playlist, so
   * ended (EXT-X-ENDLIST) and multivariant playlists are recognised from their content.
   */
  ORIGIN = 'origin',
}

/**
 * One encoder pipeline's output location: a bucket and the keys it owns there, named as a folder or as a key prefix.
 * Use the static factories.
 */
export class LivePipeline {
  /** A folder in the bucket the guard creates, e.g. `pipeline-a/` (`pipeline-a` means the same; empty for the bucket root). */
  public static atPrefix(prefix: string): LivePipeline {
    return new LivePipeline(undefined, prefix, 'folder');
  }

  /** A folder (empty for the root) in a bucket you already have, e.g. the one your encoder writes to. */
  public static inBucket(bucket: s3.IBucket, prefix?: string): LivePipeline {
    return new LivePipeline(bucket, prefix ?? '', 'folder');
  }

  /**
   * Every key starting with `keyPrefix`, kept as written (no `/` added), in the bucket the guard creates: for redundant
   * pipelines that share one folder under different base filenames, e.g. `live/channel-a` and `live/channel-b`.
   */
  public static atKeyPrefix(keyPrefix: string): LivePipeline {
    return new LivePipeline(undefined, keyPrefix, 'key');
  }

  /**
   * Every key starting with `keyPrefix`, kept as written (no `/` added), in a bucket you already have, e.g. the
   * `live/channel-a` and `live/channel-b` that MediaLive's redundant HLS output writes into one folder.
   */
  public static inBucketAtKeyPrefix(bucket: s3.IBucket, keyPrefix: string): LivePipeline {
    return new LivePipeline(bucket, keyPrefix, 'key');
  }

  // closed: only the factories above make one
  private constructor(
    /** @internal */ public readonly _bucket: s3.IBucket | undefined,
    /** @internal */ public readonly _prefix: string,
    /** @internal */ public readonly _prefixKind: PipelinePrefixKind,
  ) {}

  /** @internal The key prefix the pipeline owns (throws on a malformed prefix). */
  public _keyPrefix(): string {
    return pipelineKeyPrefix(this._prefix, this._prefixKind);
  }
}

/** Properties of a {@link StalePlaylistGuard}. */
export interface StalePlaylistGuardProps extends DistributionSettings {
  /** EXT-X-TARGETDURATION of the live media playlists (whole seconds). */
  readonly targetDuration: Duration;

  /**
   * The encoder pipelines: one, or two (or more) redundant ones in prefixes of one bucket or in separate buckets.
   * A key in one pipeline corresponds to the same relative key in the others (`pipeline-a/720p.m3u8` to
   * `pipeline-b/720p.m3u8`; with key prefixes, `live/channel-a-720p.m3u8` to `live/channel-b-720p.m3u8`). In one
   * bucket no pipeline's key prefix may start with another's (`live/` and `live/backup/`, `live/ch` and `live/ch-b`):
   * both would claim the same keys, and S3 refuses overlapping notification filters. Across buckets a path goes to the
   * pipeline with the longest matching prefix.
   * @default - one pipeline at the root of a new bucket
   */
  readonly pipelines?: LivePipeline[];

  /**
   * Where stale playlists are detected.
   * @default StaleDetection.EDGE
   */
  readonly detection?: StaleDetection;

  /**
   * How many target durations without an update make a live media playlist stale. Must be at least the worst
   * age a compliant encoder can show: 1.5 x TD (RFC 8216 update window) + 2 x playlist cache TTL (edge and
   * regional edge cache) + 1 s (Last-Modified granularity) + 1 s (clock skew).
   * @default - 3, or the smallest safe multiple (rounded up to a quarter) where 3 is too small (TD 1 s and 2 s: 3.5)
   */
  readonly staleAfterTargetDurations?: number;

  /**
   * How long CloudFront caches a playlist: whole seconds (CloudFront TTLs are), at most half the target duration.
   * @default - half the target duration, rounded down to whole seconds (0 for TD 1 s)
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
   * What happens to the bucket the guard creates when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly bucketRemovalPolicy?: RemovalPolicy;

  /**
   * Create CloudWatch alarms (origin mode: any stale detection, any message dead-lettered; edge mode: any
   * marker event that failed all its retries, any heartbeat the KeyValueStore did not take).
   * @default false
   */
  readonly alarms?: boolean;

  /**
   * The most cache behaviors your account allows on one distribution. The guard needs a playlist behavior per
   * pipeline, a segment behavior per pipeline with a prefix, and a catch-all playlist behavior (2 x pipelines + 1), and
   * refuses at synth time to need more than this.
   * @default 25 (CloudFront's default quota, https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html)
   */
  readonly cacheBehaviorQuota?: number;
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
  /** Where stale playlists are detected. */
  public readonly detection: StaleDetection;
  /** Playlist age, in milliseconds, past which a live media playlist is stale. */
  public readonly staleAfterMs: number;
  /** The multiple of target durations in use (the prop, or the default for this target duration and TTL). */
  public readonly staleAfterTargetDurations: number;
  /** Edge mode: the CloudFront Function on the pipelines' playlist behaviors. */
  public readonly edgeFunction?: cloudfront.IFunction;
  /** Edge mode: the function that marks multivariant and ended playlists with S3 metadata (and writes heartbeats). */
  public readonly markerFunction?: lambda.IFunction;
  /**
   * Edge mode with two or more pipelines: where the marker publishes when each pipeline last uploaded a playlist,
   * read by the edge function, which answers 404 for a stale playlist only while another pipeline is healthy.
   */
  public readonly heartbeatStore?: cloudfront.IKeyValueStore;
  /** Origin mode: the function that checks and deletes stale playlists. */
  public readonly checkFunction?: lambda.IFunction;
  /** Origin mode: the delay queue between S3 events and the check function. */
  public readonly queue?: sqs.IQueue;
  /** Where events that keep failing end up (origin mode: the check's; edge mode: the marker's). */
  public readonly deadLetterQueue?: sqs.IQueue;

  private readonly handler: BundledHandler;
  private ownBucket?: s3.Bucket;

  constructor(scope: Construct, id: string, props: StalePlaylistGuardProps) {
    super(scope, id);
    const targetDurationSeconds = props.targetDuration.toMilliseconds() / 1000;
    validateTargetDuration(props, targetDurationSeconds);
    const playlistCacheTtl = props.playlistCacheTtl ?? Duration.seconds(defaultPlaylistCacheTtlSeconds(targetDurationSeconds));
    const staleAfterTargetDurations = props.staleAfterTargetDurations
      ?? defaultStaleAfterTargetDurations(targetDurationSeconds, playlistCacheTtl.toMilliseconds());
    this.detection = props.detection ?? StaleDetection.EDGE;
    validate(props, targetDurationSeconds, playlistCacheTtl, staleAfterTargetDurations, this.detection);
    this.staleAfterTargetDurations = staleAfterTargetDurations;
    this.staleAfterMs = staleAfterMs(targetDurationSeconds, staleAfterTargetDurations);

    const pipelines = (props.pipelines ?? [LivePipeline.atPrefix('')]).map((pipeline) => {
      const bucket = pipeline._bucket ?? (this.ownBucket ??= this.createBucket(props.bucketRemovalPolicy ?? RemovalPolicy.RETAIN));
      return { bucket, prefix: pipeline._keyPrefix() };
    });
    validateRouting(pipelines);
    validateBehaviorCount(pipelines, props.cacheBehaviorQuota ?? defaultCacheBehaviorQuota);
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
    // browsers store playlists but ask again every time, so a player always sees the edge's current verdict
    const playlistHeaders = new cloudfront.ResponseHeadersPolicy(this, 'PlaylistResponseHeaders', {
      comment: 'StalePlaylistGuard: live playlists are revalidated on every use; CORS for any origin',
      corsBehavior: {
        accessControlAllowOrigins: ['*'],
        accessControlAllowMethods: ['GET', 'HEAD', 'OPTIONS'],
        accessControlAllowHeaders: ['*'],
        accessControlAllowCredentials: false,
        originOverride: true,
      },
      customHeadersBehavior: { customHeaders: [{ header: 'Cache-Control', value: 'no-cache', override: true }] },
    });
    if (this.detection === StaleDetection.EDGE) {
      // with one pipeline there is nothing to fail over to: no heartbeats, and the function never answers 404
      if (pipelines.length > 1) {
        this.heartbeatStore = new cloudfront.KeyValueStore(this, 'HeartbeatStore', {
          comment: 'StalePlaylistGuard: when each pipeline last uploaded a playlist (ms since the epoch)',
        });
      }
      this.edgeFunction = new cloudfront.Function(this, 'EdgeFunction', {
        comment: 'StalePlaylistGuard: 404 for live media playlists older than the threshold while another pipeline is healthy',
        runtime: cloudfront.FunctionRuntime.JS_2_0,
        keyValueStore: this.heartbeatStore,
        code: cloudfront.FunctionCode.fromInline(renderEdgeGuardFunction({
          staleAfterMs: this.staleAfterMs, pipelinePrefixes: pipelines.map((pipeline) => pipeline.prefix),
        })),
      });
    }

    const originOf = new Map(this.buckets.map((bucket) => [bucket, origins.S3BucketOrigin.withOriginAccessControl(bucket, {
      // ListBucket makes S3 answer 404 (not 403) for a missing key, the status players fail over on
      originAccessLevels: [cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
    })]));
    const behavior = (bucket: s3.IBucket, kind: 'pipeline-playlist' | 'other-playlist' | 'segment'): cloudfront.BehaviorOptions => ({
      origin: originOf.get(bucket)!,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: (kind === 'segment' ? segmentCache : playlistCache).cachePolicy,
      responseHeadersPolicy: kind === 'segment' ? cloudfront.ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS : playlistHeaders,
      compress: (kind === 'segment' ? segmentCache : playlistCache).compress,
      functionAssociations: kind === 'pipeline-playlist' && this.edgeFunction
        ? [{ function: this.edgeFunction, eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE }]
        : undefined,
    });
    // one playlist behavior per pipeline takes `.m3u8` in every letter case (`?` in the path pattern)
    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {};
    // longest prefix first: CloudFront takes the first pattern that matches
    for (const pipeline of [...pipelines].sort((a, b) => b.prefix.length - a.prefix.length)) {
      additionalBehaviors[`${pipeline.prefix}*${playlistPathPatternSuffix}`] = behavior(pipeline.bucket, 'pipeline-playlist');
      if (pipeline.prefix !== '') additionalBehaviors[`${pipeline.prefix}*`] = behavior(pipeline.bucket, 'segment');
    }
    // playlists outside the pipelines (e.g. a multivariant playlist at the root): short-cached, never judged
    additionalBehaviors[`*${playlistPathPatternSuffix}`] ??= behavior(pipelines[0].bucket, 'other-playlist');
    const front = new CdnFront(this, {
      ...props,
      comment: 'StalePlaylistGuard: live HLS origin',
      logFilePrefix: 'stale-playlist-guard/',
      defaultBehavior: behavior((pipelines.find((pipeline) => pipeline.prefix === '') ?? pipelines[0]).bucket, 'segment'),
      additionalBehaviors,
      errorResponses: [403, 404].map((httpStatus) => ({ httpStatus, ttl: props.errorCacheTtl ?? Duration.seconds(1) })),
      // with ListBucket, `GET /` would list the bucket: the root asks for this key instead (a 404 when absent)
      defaultRootObject: rootObjectKey,
    });
    const distribution = front.distribution;
    // the risk CDK warns about (GET / listing the bucket) is closed by defaultRootObject above
    Annotations.of(distribution).acknowledgeWarning('@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      'defaultRootObject answers GET / with one key, so no request lists the bucket');
    this.distribution = distribution;
    this.playbackUrlBase = front.urlBase;

    const foreignStatements = new Map<s3.IBucket, iam.PolicyStatement[]>();
    const requireBucketPolicy = (bucket: s3.IBucket, statement: iam.PolicyStatement) => {
      if (bucket.addToResourcePolicy(statement).statementAdded) return;
      foreignStatements.set(bucket, [...foreignStatements.get(bucket) ?? [], statement]);
    };
    for (const bucket of this.buckets) {
      if (Resource.isOwnedResource(bucket)) continue; // S3BucketOrigin wrote the OAC statements into its policy
      for (const statement of originAccessStatements(bucket, pipelines.filter((p) => p.bucket === bucket).map((p) => p.prefix), distribution)) {
        requireBucketPolicy(bucket, statement);
      }
    }

    if (this.detection === StaleDetection.ORIGIN) {
      const origin = this.createOriginDetection(pipelines, staleAfterTargetDurations, requireBucketPolicy);
      this.handler = origin.checkHandler;
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
      }
    } else {
      const marker = this.createMarker(pipelines, targetDurationSeconds);
      this.handler = marker.markerHandler;
      this.markerFunction = marker.markerHandler.function;
      this.deadLetterQueue = marker.deadLetterQueue;
    }
    if (props.alarms) {
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible().createAlarm(this, 'DeadLetterAlarm', {
        alarmDescription: this.detection === StaleDetection.ORIGIN
          ? 'S3 events the stale-playlist check could not process'
          : 'Playlist events the marker could not process: a multivariant or ended playlist may be unmarked',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    if (props.alarms && this.heartbeatStore) {
      this.metricHeartbeatFailures().createAlarm(this, 'HeartbeatFailureAlarm', {
        alarmDescription: 'The marker could not write a pipeline heartbeat: while they fail, stale playlists are served instead of failing over',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    let index = 0;
    for (const [bucket, statements] of foreignStatements) {
      new CfnOutput(this, `RequiredBucketPolicy${index++}`, {
        description: `Add these statements to the bucket policy of ${bucket.node.path}: the guard cannot change an imported bucket's policy`,
        value: Stack.of(this).toJsonString({ Bucket: bucket.bucketName, Statement: statements.map((statement) => statement.toStatementJson()) }),
      });
    }
    if (foreignStatements.size > 0) {
      Annotations.of(distribution).acknowledgeWarning('@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
        'the statements the bucket owner must add are in the RequiredBucketPolicy outputs');
    }
  }

  /** Origin mode only (throws on an edge-mode guard): live media playlists found stale, before the redundancy check. */
  public metricStaleDetections(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.guardMetric(StaleDetection.ORIGIN, guardMetrics.staleDetections, options);
  }

  /** Origin mode only (throws on an edge-mode guard): stale playlists deleted. */
  public metricDeletions(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.guardMetric(StaleDetection.ORIGIN, guardMetrics.deletions, options);
  }

  /**
   * Origin mode only (throws on an edge-mode guard): playlists looked at and kept (updated meanwhile,
   * multivariant, ended, every pipeline stale...). Each reason is also published with a `reason` dimension.
   */
  public metricSkips(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.guardMetric(StaleDetection.ORIGIN, guardMetrics.skips, options);
  }

  /**
   * Edge mode only (throws on an origin-mode guard): multivariant and ended playlists the marker marked. Each
   * mark is also published with a `mark` dimension (`multivariant`, `ended`).
   */
  public metricPlaylistsMarked(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.guardMetric(StaleDetection.EDGE, guardMetrics.marked, options);
  }

  /**
   * Edge mode only (throws on an origin-mode guard): pipeline heartbeats the marker could not write to the KeyValueStore.
   * While they fail, stale playlists are served rather than failing over. (No data with one pipeline: no heartbeats.)
   */
  public metricHeartbeatFailures(options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.guardMetric(StaleDetection.EDGE, guardMetrics.heartbeatFailures, options);
  }

  /** Both modes: the distribution's 4xx rate (CloudFront, us-east-1); in edge mode, where stale playlists show up. */
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

  private guardMetric(mode: StaleDetection, metricName: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (this.detection !== mode) {
      throw new Error(`metric ${metricName} exists in ${mode} mode only: this guard uses detection: StaleDetection.${this.detection.toUpperCase()}`);
    }
    return this.handler.metric(metricName, options);
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

  private createDeadLetterQueue(id: string, reason: string): sqs.Queue {
    const deadLetterQueue = new sqs.Queue(this, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
    return deadLetterQueue;
  }

  /** Grants `actions` on the pipelines' playlist keys: in the bucket's policy where it can be changed, else in the role's. */
  private grantPlaylists(role: iam.Role, pipeline: GuardPipeline, statement: Omit<iam.PolicyStatementProps, 'resources' | 'principals'>, reason: string) {
    // one statement for every letter case of .m3u8 (IAM resources are case-sensitive)
    const playlists = playlistKeySuffixes.map((suffix) => pipeline.bucket.arnForObjects(`${pipeline.prefix}*${suffix}`));
    const inBucketPolicy = pipeline.bucket.addToResourcePolicy(
      new iam.PolicyStatement({ ...statement, resources: playlists, principals: [new iam.ArnPrincipal(role.roleArn)] }),
    );
    if (!inBucketPolicy.statementAdded) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ ...statement, resources: playlists }));
      for (const resource of playlists) acknowledgeNagFinding(role, `AwsSolutions-IAM5[Resource::${nagResourceName(this, resource)}]`, reason);
    }
    // without ListBucket S3 answers 403, not 404, for a missing key (a counterpart, or a playlist deleted meanwhile);
    // in the bucket's own policy where possible: a role policy naming the bucket would close a cycle through the
    // bucket's notification configuration (bucket -> invoke permission -> function -> role policy -> bucket)
    const list = { actions: ['s3:ListBucket'], resources: [pipeline.bucket.bucketArn] };
    if (!pipeline.bucket.addToResourcePolicy(new iam.PolicyStatement({ ...list, principals: [new iam.ArnPrincipal(role.roleArn)] })).statementAdded) {
      role.addToPrincipalPolicy(new iam.PolicyStatement(list));
    }
  }

  private createOriginDetection(
    pipelines: GuardPipeline[], staleAfterTargetDurations: number, requireBucketPolicy: (bucket: s3.IBucket, statement: iam.PolicyStatement) => void,
  ) {
    const deadLetterQueue = this.createDeadLetterQueue('DeadLetterQueue', 'this queue is the dead-letter queue of the delay queue');
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
      roleDescription: 'StalePlaylistGuard check: HEAD/GET/conditional DELETE of playlists in the pipelines, its own logs',
      defaults: { memorySize: 256, timeout: checkTimeout },
      environment: {
        [guardEnvironment.staleAfterTargetDurations]: String(staleAfterTargetDurations),
        [guardEnvironment.pipelines]: pipelinesJson(this, pipelines),
      },
    });
    const role = checkHandler.role;
    const checkFunction = checkHandler.function;
    const reason = 'the check may read and conditionally delete any playlist (.m3u8) of the pipeline, and nothing else';
    for (const pipeline of pipelines) {
      // HEAD and GET need s3:GetObject; a conditional (If-Match) delete needs s3:GetObject and s3:DeleteObject,
      // and the role may delete only with If-Match, so a re-uploaded playlist can never be deleted
      this.grantPlaylists(role, pipeline, { actions: ['s3:GetObject'] }, reason);
      this.grantPlaylists(role, pipeline, { actions: ['s3:DeleteObject'], conditions: { Null: { 's3:if-match': 'false' } } }, reason);
      if (pipeline.bucket !== this.ownBucket) {
        for (const suffix of playlistKeySuffixes) {
          const filter = { prefix: pipeline.prefix || undefined, suffix };
          pipeline.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(queue), filter);
        }
      }
      // S3 itself refuses an unconditional delete from the guard (the bucket owner adds it to a bucket you bring)
      requireBucketPolicy(pipeline.bucket, new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        principals: [new iam.ArnPrincipal(role.roleArn)],
        actions: ['s3:DeleteObject'],
        resources: [pipeline.bucket.arnForObjects('*')],
        conditions: { Null: { 's3:if-match': 'true' } },
      }));
    }
    this.acknowledgeNotificationHandler();
    checkFunction.addEventSource(new eventSources.SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
    const ownPipelines = pipelines.filter((pipeline) => pipeline.bucket === this.ownBucket);
    if (this.ownBucket && ownPipelines.length > 0) {
      const { policyDependable } = queue.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }));
      const cfnBucket = this.ownBucket.node.defaultChild as s3.CfnBucket;
      cfnBucket.notificationConfiguration = {
        queueConfigurations: playlistFilters(ownPipelines).map((filter) => ({ event: 's3:ObjectCreated:*', queue: queue.queueArn, filter })),
      };
      // S3 checks that it may send to the queue when the configuration is applied
      if (policyDependable) cfnBucket.node.addDependency(policyDependable);
    }
    return { checkHandler, queue, deadLetterQueue };
  }

  /**
   * Edge mode: S3 ObjectCreated events for playlists invoke the marker asynchronously (no queue, no delay); it reads
   * each new playlist's first and last bytes and marks multivariant and ended ones with a conditional copy in place.
   */
  private createMarker(pipelines: GuardPipeline[], targetDurationSeconds: number) {
    const deadLetterQueue = this.createDeadLetterQueue('MarkerDeadLetterQueue', 'this queue is the marker function\'s dead-letter queue');
    const markerHandler = new BundledHandler(this, 'Marker', {
      functionClass: MarkFunction,
      constructName: 'stale-playlist-guard',
      metricsNamespace: guardMetrics.namespace,
      roleDescription: 'StalePlaylistGuard marker: read playlists in the pipelines and copy them onto themselves with metadata, its own logs',
      defaults: { memorySize: 256, timeout: Duration.seconds(10) },
      functionOptions: { deadLetterQueue, retryAttempts: 2 },
      environment: {
        [guardEnvironment.pipelines]: pipelinesJson(this, pipelines),
        ...(this.heartbeatStore ? {
          [guardEnvironment.heartbeatStoreArn]: this.heartbeatStore.keyValueStoreArn,
          [guardEnvironment.heartbeatIntervalMs]: String(heartbeatIntervalMs(targetDurationSeconds, this.staleAfterMs)),
        } : {}),
      },
    });
    const role = markerHandler.role;
    const markerFunction = markerHandler.function;
    if (this.heartbeatStore) {
      // the marker writes heartbeats to this one store; DescribeKeyValueStore gives the ETag every write must name
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['cloudfront-keyvaluestore:DescribeKeyValueStore', 'cloudfront-keyvaluestore:PutKey'],
        resources: [this.heartbeatStore.keyValueStoreArn],
      }));
    }
    const reason = 'the marker may read any playlist (.m3u8) of the pipeline and copy it onto itself with new metadata, and nothing else';
    for (const pipeline of pipelines) {
      // CopyObject needs s3:GetObject on the source and s3:PutObject on the target: a copy within the pipeline, metadata replaced
      this.grantPlaylists(role, pipeline, { actions: ['s3:GetObject'] }, reason);
      this.grantPlaylists(role, pipeline, {
        actions: ['s3:PutObject'],
        conditions: {
          StringEquals: { 's3:x-amz-metadata-directive': 'REPLACE' },
          StringLike: { 's3:x-amz-copy-source': [`${pipeline.bucket.bucketName}/${pipeline.prefix}*`, `/${pipeline.bucket.bucketName}/${pipeline.prefix}*`] },
        },
      }, reason);
      // through aws-cdk-lib's notification resource, also on the guard's own bucket: declared natively, the bucket would
      // need the function's invoke permission, which names the function, whose environment names the bucket (a cycle)
      for (const suffix of playlistKeySuffixes) {
        const filter = { prefix: pipeline.prefix || undefined, suffix };
        pipeline.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(markerFunction), filter);
      }
    }
    this.acknowledgeNotificationHandler();
    return { markerHandler, deadLetterQueue };
  }

  /**
   * On buckets you bring, aws-cdk-lib applies notifications through its singleton custom resource, whose role
   * has the managed AWSLambdaBasicExecutionRole policy (logs only).
   */
  private acknowledgeNotificationHandler(): void {
    const handler = Stack.of(this).node.tryFindChild(notificationHandlerId);
    const role = handler?.node.tryFindChild('Role');
    if (!role) return;
    acknowledgeNagFinding(role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'aws-cdk-lib\'s bucket-notification handler (applies S3 notifications to buckets you bring) may write its own logs, nothing else');
  }
}

/** A pipeline with its bucket resolved and its prefix normalised. */
interface GuardPipeline {
  readonly bucket: s3.IBucket;
  readonly prefix: string;
}

/** Key of aws-cdk-lib's singleton bucket-notification handler in a stack. */
const notificationHandlerId = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/** CloudFront's default quota of cache behaviors per distribution (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html). */
const defaultCacheBehaviorQuota = 25;

/** What `GET /` asks the bucket for (with ListBucket, S3 would otherwise list the bucket). */
const rootObjectKey = 'master.m3u8';

function pipelinesJson(scope: Construct, pipelines: GuardPipeline[]): string {
  return Stack.of(scope).toJsonString(pipelines.map((p) => ({ bucket: p.bucket.bucketName, prefix: p.prefix })));
}

/** S3 notification key filters for the playlists of each pipeline, one per suffix spelling (S3 filters are case-sensitive). */
function playlistFilters(pipelines: GuardPipeline[]): s3.CfnBucket.NotificationFilterProperty[] {
  return pipelines.flatMap((pipeline) => playlistKeySuffixes.map((suffix) => ({
    s3Key: { rules: [...(pipeline.prefix ? [{ name: 'prefix', value: pipeline.prefix }] : []), { name: 'suffix', value: suffix }] },
  })));
}

/** What CloudFront's Origin Access Control needs in a bucket's policy: read the pipelines' keys, list the bucket (404 for a missing key). */
function originAccessStatements(bucket: s3.IBucket, prefixes: string[], distribution: cloudfront.IDistribution): iam.PolicyStatement[] {
  const principals = [new iam.ServicePrincipal('cloudfront.amazonaws.com')];
  const conditions = {
    StringEquals: { 'AWS:SourceArn': Stack.of(distribution).formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: distribution.distributionId }) },
  };
  return [
    new iam.PolicyStatement({ principals, actions: ['s3:GetObject'], resources: prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`)), conditions }),
    new iam.PolicyStatement({ principals, actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions }),
  ];
}

function validateTargetDuration(props: StalePlaylistGuardProps, targetDurationSeconds: number): void {
  if (Token.isUnresolved(props.targetDuration.toMilliseconds())) throw new Error('targetDuration must be a literal duration, got a token');
  if (!Number.isInteger(targetDurationSeconds) || targetDurationSeconds < 1) {
    throw new Error(`targetDuration must be a whole number of seconds >= 1 (EXT-X-TARGETDURATION is an integer), got ${props.targetDuration.toHumanString()}`);
  }
}

function validate(
  props: StalePlaylistGuardProps, targetDurationSeconds: number, playlistCacheTtl: Duration, multiple: number, detection: StaleDetection,
): void {
  const ttlMs = playlistCacheTtl.toMilliseconds();
  if (ttlMs % 1000 !== 0) {
    throw new Error(`playlistCacheTtl must be whole seconds (CloudFront TTLs are), got ${playlistCacheTtl.toHumanString()}`);
  }
  if (ttlMs > targetDurationSeconds * 500) {
    throw new Error(`playlistCacheTtl must be at most half the target duration (${targetDurationSeconds / 2} s), got ${playlistCacheTtl.toHumanString()}`);
  }
  if (!Number.isFinite(multiple) || multiple <= 0) {
    throw new Error(`staleAfterTargetDurations must be a finite number > 0, got ${multiple}`);
  }
  if (!isSafeThreshold(targetDurationSeconds, multiple, ttlMs)) {
    throw new Error(`staleAfterTargetDurations must be at least ${minimumStaleAfterTargetDurations(targetDurationSeconds, ttlMs)} for a target duration `
      + `of ${targetDurationSeconds} s and a playlist cache TTL of ${playlistCacheTtl.toHumanString()} (or healthy encoders would be flagged), got ${multiple}`);
  }
  if (detection === StaleDetection.ORIGIN && staleAfterMs(targetDurationSeconds, multiple) > 900_000) {
    throw new Error(`origin detection delays each S3 event by the threshold, at most 900 s in SQS: staleAfterTargetDurations x targetDuration is ${multiple * targetDurationSeconds} s`);
  }
  const pipelines = props.pipelines ?? [];
  const locations = pipelines.map((pipeline) => `${pipeline._bucket?.node.addr ?? 'own'}/${pipeline._keyPrefix()}`);
  if (new Set(locations).size !== locations.length) throw new Error('pipelines must be distinct bucket/prefix locations, got a repeated one');
  if (props.pipelines && props.pipelines.length === 0) throw new Error('pipelines must name at least one location, got []');
}

/**
 * CloudFront routes by path, and an S3 origin serves the viewer's path as the key: two pipelines under one prefix in
 * two buckets would claim the same path, and one would be unreachable. In one bucket, no pipeline's key prefix may
 * start with another's: both would claim the keys of the longer one, and S3 refuses overlapping notification filters
 * on a bucket. Refused, naming the layout that works. Across buckets, nested prefixes go by the longest match, as
 * CloudFront's behaviors (longest pattern first), the edge function and the handlers (per bucket) all resolve them.
 */
function validateRouting(pipelines: GuardPipeline[]): void {
  const byPrefix = new Map<string, number>();
  for (const pipeline of pipelines) {
    const previous = byPrefix.get(pipeline.prefix);
    if (previous !== undefined) {
      throw new Error(`pipelines ${previous + 1} and ${pipelines.indexOf(pipeline) + 1} share the prefix '${pipeline.prefix}' in different buckets: `
        + 'CloudFront serves one bucket per path, so give each pipeline its own prefix (e.g. LivePipeline.inBucket(bucketA, \'pipeline-a/\') and '
        + 'LivePipeline.inBucket(bucketB, \'pipeline-b/\'), with the encoder writing there)');
    }
    byPrefix.set(pipeline.prefix, pipelines.indexOf(pipeline));
  }
  for (const bucket of new Set(pipelines.map((pipeline) => pipeline.bucket))) {
    const inBucket = pipelines.filter((pipeline) => pipeline.bucket === bucket);
    const overlap = overlappingPipelines(inBucket.map((pipeline) => pipeline.prefix));
    if (!overlap) continue;
    const [first, second] = overlap.map((index) => pipelines.indexOf(inBucket[index]));
    const [shorter, longer] = [first, second].map((index) => pipelines[index].prefix).sort((a, b) => a.length - b.length);
    throw new Error(`pipelines ${first + 1} and ${second + 1} overlap in one bucket: '${longer}' starts with '${shorter}', so both would own its keys `
      + 'and S3 refuses overlapping notification filters; give each pipeline in a bucket a prefix no other starts with (e.g. folders '
      + '\'pipeline-a/\' and \'pipeline-b/\', or key prefixes \'live/channel-a\' and \'live/channel-b\')');
  }
}

/**
 * The cache behaviors the guard adds besides the default one: a playlist behavior per pipeline, a segment behavior per
 * pipeline with a prefix, and the catch-all playlist behavior.
 */
function cacheBehaviorCount(pipelines: GuardPipeline[]): number {
  const segmentBehaviors = pipelines.filter((pipeline) => pipeline.prefix !== '').length;
  return pipelines.length + segmentBehaviors + 1;
}

function validateBehaviorCount(pipelines: GuardPipeline[], quota: number): void {
  if (!Number.isInteger(quota) || quota < 1) throw new Error(`cacheBehaviorQuota must be a whole number >= 1, got ${quota}`);
  const count = cacheBehaviorCount(pipelines);
  if (count > quota) {
    const names = pipelines.map((pipeline) => `'${pipeline.prefix}'`).join(', ');
    throw new Error(`pipelines: ${pipelines.length} pipelines (${names}) need ${count} cache behaviors on one distribution, more than the quota of ${quota} `
      + '(cacheBehaviorQuota; CloudFront\'s default is 25, raise it with a Service Quotas request and set cacheBehaviorQuota, or use fewer pipelines per guard)');
  }
}
