import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { S3Event } from 'aws-lambda';
import type { PipelineLocation } from '../../lambda-src/stale-playlist-guard/check';
import { KeyValueStoreHeartbeats } from '../../lambda-src/stale-playlist-guard/kvs-store';
import { S3PlaylistStore } from '../../lambda-src/stale-playlist-guard/s3-store';
import { isPlaylistKey } from '../../src/stale-playlist-guard/contract/playlist-marks';
import { guardEnvironment } from '../../src/stale-playlist-guard/contract/protocol';
import { setEnvironment } from '../harness/environment';
import type { KeyValueStoreStandIn } from '../harness/key-value-store';
import { asS3Delivers, LoopbackS3 } from '../harness/s3';

/** The marker's handler module. It builds its default handler from the environment when loaded, as in Lambda: this loads it with `pipelines` there. */
export function loadMarkerModule(pipelines: readonly PipelineLocation[]): typeof import('../../lambda-src/stale-playlist-guard/mark.lambda') {
  const restore = setEnvironment({ [guardEnvironment.pipelines]: JSON.stringify(pipelines), [guardEnvironment.heartbeatStoreArn]: undefined });
  try {
    let loaded: typeof import('../../lambda-src/stale-playlist-guard/mark.lambda') | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require('../../lambda-src/stale-playlist-guard/mark.lambda');
    });
    return loaded!;
  } finally {
    restore();
  }
}

/** Metrics that publish nothing (their EMF lines would flood the test output). */
export function silentMetrics(): Metrics {
  const restore = setEnvironment({ POWERTOOLS_METRICS_DISABLED: 'true' });
  try {
    return new Metrics({ namespace: 'test', serviceName: 'test' });
  } finally {
    restore();
  }
}

/** The marker running on a loopback S3's notifications, as S3 invokes it in the deployed guard. */
export interface LoopbackMarker {
  /** Invocations that failed all their attempts. */
  readonly errors: Error[];
  /** Resolves once every invocation queued so far has finished. */
  settled(): Promise<void>;
}

/** What {@link runMarkerOnLoopbackS3} configures the marker with. */
export interface LoopbackMarkerOptions {
  readonly s3: LoopbackS3;
  /** The guard's pipelines, as the construct configures the marker (bucket names of the loopback S3). */
  readonly pipelines: readonly PipelineLocation[];
  /** Heartbeats for two or more pipelines: a KeyValueStore stand-in and the interval the construct sets. */
  readonly heartbeats?: { readonly store: KeyValueStoreStandIn; readonly intervalMs: number };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs the shipped marker handler on every playlist ObjectCreated of the loopback S3 (its own copies included), one
 * event at a time, publishing heartbeats through the real KeyValueStore SDK client when asked. A failed invocation is
 * tried twice more, as Lambda retries an asynchronous invocation (s3rver under load resets connections at times).
 */
export function runMarkerOnLoopbackS3(options: LoopbackMarkerOptions): LoopbackMarker {
  const marker = loadMarkerModule(options.pipelines).createPlaylistMarkerHandler({
    pipelines: options.pipelines,
    store: new S3PlaylistStore(options.s3.client),
    heartbeats: options.heartbeats && {
      store: new KeyValueStoreHeartbeats(options.heartbeats.store.client(), options.heartbeats.store.arn),
      intervalMs: options.heartbeats.intervalMs,
    },
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: silentMetrics(),
  });
  const invoke = async (event: S3Event) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await marker(event);
      } catch (error) {
        if (attempt === 3) throw error;
        await sleep(100);
      }
    }
  };
  let queue: Promise<void> = Promise.resolve();
  const errors: Error[] = [];
  options.s3.onEvent((record) => {
    if (!isPlaylistKey(record.s3.object.key)) return;
    queue = queue.then(() => invoke({ Records: [asS3Delivers(record)] } as S3Event)).then(() => undefined, (error: Error) => {
      errors.push(error);
    });
  });
  return { errors, settled: () => queue };
}
