import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { parseS3Record, PipelineLocation, readPipelines } from './check';
import { MarkDecision, MarkerStore, markPlaylistUpload } from './mark';
import { S3PlaylistStore } from './s3-store';
import { guardEnvironment, guardMetrics } from '../../src/stale-playlist-guard/contract/protocol';

/** What the handler is built from; everything defaults to the deployed function's. */
export interface PlaylistMarkerOptions {
  /** @default - read from the environment */
  readonly pipelines?: readonly PipelineLocation[];
  /** @default - S3 through an SDK client configured from the environment */
  readonly store?: MarkerStore;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** What happened to each record of the event, in order. */
export interface PlaylistMarkerResult {
  readonly decisions: ReadonlyArray<MarkDecision & { readonly key?: string }>;
}

/** The edge-mode marker: S3 ObjectCreated events for playlists in; multivariant and ended playlists marked. */
export type PlaylistMarkerHandler = (event: S3Event) => Promise<PlaylistMarkerResult>;

/** Builds the handler; reads the environment once, when called. */
export function createPlaylistMarkerHandler(options: PlaylistMarkerOptions = {}): PlaylistMarkerHandler {
  const pipelines = options.pipelines ?? readPipelines(process.env);
  const store = options.store ?? new S3PlaylistStore(new S3Client({ forcePathStyle: process.env[guardEnvironment.s3ForcePathStyle] === 'true' }));
  const logger = options.logger ?? new Logger();
  const metrics = options.metrics ?? new Metrics({ namespace: guardMetrics.namespace });
  return async (event) => {
    const decisions: Array<MarkDecision & { key?: string }> = [];
    let marked = 0;
    let failure: unknown;
    for (const record of event.Records ?? []) {
      const parsed = parseS3Record(record);
      if ('malformed' in parsed) {
        logger.warn('not an S3 event record, ignored', { problem: parsed.malformed });
        continue;
      }
      const { bucket, key, eventName } = parsed.upload;
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
    if (marked > 0) {
      metrics.addMetric(guardMetrics.marked, MetricUnit.Count, marked);
      metrics.publishStoredMetrics();
    }
    if (failure) throw failure;
    return { decisions };
  };
}

/** Lambda handler (S3 ObjectCreated notifications, invoked asynchronously). */
export const handler: PlaylistMarkerHandler = createPlaylistMarkerHandler();
