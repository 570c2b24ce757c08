import { Metrics } from '@aws-lambda-powertools/metrics';
import type { PipelineLocation } from '../../lambda-src/stale-playlist-guard/check';
import { guardEnvironment } from '../../src/stale-playlist-guard/contract/protocol';
import { setEnvironment } from '../harness/environment';

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
