import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { parseS3Record, PipelineLocation, readPipelines } from './check';
import { HeartbeatOutcome, HeartbeatPublisher, HeartbeatStore } from './heartbeat';
import { KeyValueStoreHeartbeats } from './kvs-store';
import { MarkDecision, MarkerStore, markPlaylistUpload } from './mark';
import { S3PlaylistStore } from './s3-store';
import { guardEnvironment, guardMetrics } from '../../src/stale-playlist-guard/contract/protocol';

/** What the handler is built from; everything defaults to the deployed function's. */
export interface PlaylistMarkerOptions {
  /** @default - read from the environment */
  readonly pipelines?: readonly PipelineLocation[];
  /** @default - S3 through an SDK client configured from the environment */
  readonly store?: MarkerStore;
  /**
   * Where pipeline heartbeats go (with the interval between two of one pipeline), or none.
   * @default - the KeyValueStore and interval named in the environment; none when it names no store (one pipeline)
   */
  readonly heartbeats?: { readonly store: HeartbeatStore; readonly intervalMs: number };
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** What happened to each record of the event, in order. */
export interface PlaylistMarkerResult {
  readonly decisions: ReadonlyArray<MarkDecision & { readonly key?: string }>;
  /** What each record did to its pipeline's heartbeat, in order (empty without heartbeats). */
  readonly heartbeats: readonly HeartbeatOutcome[];
}

/** The edge-mode marker: S3 ObjectCreated events for playlists in; multivariant and ended playlists marked. */
export type PlaylistMarkerHandler = (event: S3Event) => Promise<PlaylistMarkerResult>;

/** Builds the handler; reads the environment once, when called. */
export function createPlaylistMarkerHandler(options: PlaylistMarkerOptions = {}): PlaylistMarkerHandler {
  const pipelines = options.pipelines ?? readPipelines(process.env);
  const store = options.store ?? new S3PlaylistStore(new S3Client({ forcePathStyle: process.env[guardEnvironment.s3ForcePathStyle] === 'true' }));
  const logger = options.logger ?? new Logger();
  const metrics = options.metrics ?? new Metrics({ namespace: guardMetrics.namespace });
  const heartbeatConfig = options.heartbeats ?? heartbeatsFromEnvironment(process.env);
  const publisher = heartbeatConfig && new HeartbeatPublisher(heartbeatConfig.store, pipelines, heartbeatConfig.intervalMs);
  return async (event) => {
    const decisions: Array<MarkDecision & { key?: string }> = [];
    const heartbeats: HeartbeatOutcome[] = [];
    let marked = 0;
    let heartbeatFailures = 0;
    let failure: unknown;
    for (const record of event.Records ?? []) {
      const parsed = parseS3Record(record);
      if ('malformed' in parsed) {
        logger.warn('not an S3 event record, ignored', { problem: parsed.malformed });
        continue;
      }
      const { bucket, key, eventName } = parsed.upload;
      if (publisher) {
        // a failed heartbeat does not fail the event: the pipeline's next upload (within 1.5 target durations) writes again
        try {
          const outcome = await publisher.beat(parsed.upload);
          heartbeats.push(outcome);
        } catch (error) {
          logger.error('heartbeat not written, the next upload tries again', { bucket, key, eventName, error: error as Error });
          heartbeatFailures++;
        }
      }
      try {
        const decision = await markPlaylistUpload(parsed.upload, { store, pipelines });
        decisions.push({ ...decision, key });
        const line = { bucket, key, eventName, ...decision };
        // a live media playlist is the common case (one per update): kept out of the logs unless debugging
        if (decision.decision === 'marked' || decision.reason !== 'live') logger.info(decision.decision === 'marked' ? 'playlist marked' : 'playlist left unmarked', line);
        else logger.debug('live media playlist left unmarked', line);
        if (decision.decision === 'marked') {
          marked++;
          metrics.singleMetric().addDimension('mark', decision.mark).addMetric(guardMetrics.marked, MetricUnit.Count, 1);
        }
      } catch (error) {
        // the other records still run; Lambda retries the event (S3 invokes asynchronously), and marking is idempotent
        logger.error('marking failed, the event will be retried', { bucket, key, eventName, error: error as Error });
        failure ??= error;
      }
    }
    // the total under {service} (what metricPlaylistsMarked() reads); each mark also under {service, mark} above
    const written = heartbeats.filter((outcome) => outcome.heartbeat === 'written').length;
    const totals: Array<[string, number]> = [
      [guardMetrics.marked, marked], [guardMetrics.heartbeats, written], [guardMetrics.heartbeatFailures, heartbeatFailures],
    ];
    for (const [name, count] of totals) if (count > 0) metrics.addMetric(name, MetricUnit.Count, count);
    if (totals.some(([, count]) => count > 0)) metrics.publishStoredMetrics();
    if (failure) throw failure;
    return { decisions, heartbeats };
  };
}

/** The KeyValueStore and interval the construct wrote into the environment; undefined when it named no store. */
function heartbeatsFromEnvironment(env: Record<string, string | undefined>): PlaylistMarkerOptions['heartbeats'] {
  const kvsArn = env[guardEnvironment.heartbeatStoreArn];
  if (!kvsArn) return undefined;
  const intervalMs = Number(env[guardEnvironment.heartbeatIntervalMs]);
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
    throw new Error(`${guardEnvironment.heartbeatIntervalMs} must be a positive number of milliseconds, got '${env[guardEnvironment.heartbeatIntervalMs]}'`);
  }
  return { store: new KeyValueStoreHeartbeats(new CloudFrontKeyValueStoreClient({}), kvsArn), intervalMs };
}

/** Lambda handler (S3 ObjectCreated notifications, invoked asynchronously). */
export const handler: PlaylistMarkerHandler = createPlaylistMarkerHandler();
