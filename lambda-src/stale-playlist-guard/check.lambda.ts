import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { checkQueueMessages, GuardConfig, PlaylistStore, readGuardConfig, RecordOutcome } from './check';
import { S3PlaylistStore } from './s3-store';
import { guardEnvironment, guardMetrics } from '../../src/stale-playlist-guard/contract/protocol';

/** What the handler is built from; everything defaults to the deployed function's. */
export interface StalePlaylistCheckOptions {
  /** @default - read from the environment */
  readonly config?: GuardConfig;
  /** @default - S3 through an SDK client configured from the environment */
  readonly store?: PlaylistStore;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** The origin-mode SQS handler: S3 events, delayed by the queue, in; stale playlists deleted; retries out. */
export type StalePlaylistCheckHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/** Builds the handler; reads the environment once, when called. */
export function createStalePlaylistCheckHandler(options: StalePlaylistCheckOptions = {}): StalePlaylistCheckHandler {
  const config = options.config ?? readGuardConfig(process.env);
  const store = options.store ?? new S3PlaylistStore(new S3Client({ forcePathStyle: process.env[guardEnvironment.s3ForcePathStyle] === 'true' }));
  const now = options.now ?? (() => Date.now());
  const logger = options.logger ?? new Logger();
  const metrics = options.metrics ?? new Metrics({ namespace: guardMetrics.namespace });
  return async (event) => {
    const { batchItemFailures, outcomes } = await checkQueueMessages(event.Records, { store, config, now });
    outcomes.forEach((outcome) => log(logger, outcome));
    publish(metrics, outcomes);
    return { batchItemFailures };
  };
}

/** Lambda handler (SQS event source with ReportBatchItemFailures). */
export const handler: StalePlaylistCheckHandler = createStalePlaylistCheckHandler();

function log(logger: Logger, outcome: RecordOutcome): void {
  const { messageId, bucket, key, decision, reason, details } = outcome;
  const line = { messageId, bucket, key, decision, reason, ...details };
  if (decision === 'failed') {
    logger.error('check failed, the message will be retried', { ...line, error: outcome.error as Error });
  } else if (reason === 'no-target-duration') {
    logger.warn(`playlist s3://${bucket}/${key} has no EXT-X-TARGETDURATION, left alone`, line);
  } else if (reason === 'all-pipelines-stale' || reason === 'only-pipeline') {
    logger.warn(`playlist s3://${bucket}/${key} is stale but no other pipeline is healthy: kept`, line);
  } else if (reason === 'malformed-record' || reason === 'unrecognised-message') {
    logger.warn('not an S3 event record, ignored', { ...line, problem: outcome.error });
  } else {
    logger.info(decision === 'deleted' ? 'stale playlist deleted' : 'playlist checked', line);
  }
}

function publish(metrics: Metrics, outcomes: readonly RecordOutcome[]): void {
  const staleDetections = outcomes.filter((outcome) => outcome.staleDetected).length;
  const deletions = outcomes.filter((outcome) => outcome.decision === 'deleted').length;
  const skips = new Map<string, number>();
  for (const outcome of outcomes) {
    if (outcome.decision === 'skipped') skips.set(outcome.reason, (skips.get(outcome.reason) ?? 0) + 1);
  }
  const skipTotal = [...skips.values()].reduce((sum, count) => sum + count, 0);
  if (staleDetections > 0 || deletions > 0 || skipTotal > 0) {
    if (staleDetections > 0) metrics.addMetric(guardMetrics.staleDetections, MetricUnit.Count, staleDetections);
    if (deletions > 0) metrics.addMetric(guardMetrics.deletions, MetricUnit.Count, deletions);
    // the total under {service} (what metricSkips() reads), and each reason under {service, reason}
    if (skipTotal > 0) metrics.addMetric(guardMetrics.skips, MetricUnit.Count, skipTotal);
    metrics.publishStoredMetrics();
  }
  for (const [reason, count] of skips) {
    metrics.singleMetric().addDimension('reason', reason).addMetric(guardMetrics.skips, MetricUnit.Count, count);
  }
}
