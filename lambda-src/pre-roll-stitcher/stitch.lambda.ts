import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { readConfig } from './config';
import { handleStitchRequest, internalErrorResponse, StitchHttpResponse, stitcherPath } from './http';
import { Stitcher } from './stitcher';
import { HttpPlaylistLoader, playlistCache } from './upstream';
import { stitcherMetrics } from '../../src/pre-roll-stitcher/contract/protocol';

// Everything here lives across warm invocations: configuration, the playlist cache, the secret.
const config = readConfig(process.env);
const logger = new Logger();
const metrics = new Metrics({ namespace: stitcherMetrics.namespace });
const loader = new HttpPlaylistLoader(
  { allowedOrigins: config.allowedOrigins, allowHttp: config.allowHttp },
  config.upstreamLimits,
  playlistCache(config.upstreamCacheBytes, config.upstreamCacheTtlMs),
);
const stitcher = new Stitcher(loader, { mode: config.mode, dateRangeMarkers: config.dateRangeMarkers });
const secretRefreshMs = 5 * 60 * 1000; // picks up a rotated secret within five minutes
let secretsManager: SecretsManagerClient | undefined;
let secret: { value: string; fetchedAt: number } | undefined;

async function signingSecret(): Promise<string | undefined> {
  if (!config.signingSecretArn) return undefined;
  if (!secret || Date.now() - secret.fetchedAt > secretRefreshMs) {
    // loaded on first use: the SDK would add ~70 ms to every cold start, and unsigned deployments never need it
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { GetSecretValueCommand, SecretsManagerClient: Client } = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
    secretsManager ??= new Client({});
    const response = await secretsManager.send(new GetSecretValueCommand({ SecretId: config.signingSecretArn }));
    if (!response.SecretString) throw new Error('the signing secret has no string value');
    secret = { value: response.SecretString, fetchedAt: Date.now() };
  }
  return secret.value;
}

/** Lambda Function URL handler: one playlist request in, one playlist (or one-line error) out. */
export const handler = async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
  const started = Date.now();
  const method = event.requestContext.http.method;
  let response: StitchHttpResponse;
  try {
    response = await handleStitchRequest(
      { method, path: stitcherPath(event.rawPath, config.pathPrefix), query: event.queryStringParameters ?? {} },
      { stitcher, payloadLimits: config.payloadLimits, signingSecret, responseMaxAgeSeconds: config.responseMaxAgeSeconds },
    );
  } catch (error) {
    logger.error('stitching failed unexpectedly', error as Error);
    response = internalErrorResponse();
  }
  record(response, event.rawPath, Date.now() - started);
  return { statusCode: response.status, headers: response.headers, body: method === 'HEAD' ? '' : response.body };
};

function record(response: StitchHttpResponse, path: string, elapsedMs: number): void {
  if (response.status >= 500) {
    metrics.addMetric(stitcherMetrics.stitchErrors, MetricUnit.Count, 1);
    logger.error('upstream or stitching failure', { path, status: response.status, reason: response.body.trim(), elapsedMs });
  } else if (response.status >= 400) {
    metrics.addMetric(stitcherMetrics.clientErrors, MetricUnit.Count, 1);
    logger.warn('request refused', { path, status: response.status, reason: response.body.trim(), elapsedMs });
  } else {
    metrics.addMetric(stitcherMetrics.stitchedPlaylists, MetricUnit.Count, 1);
    logger.info('served', { path, status: response.status, skippedBreaks: response.skippedBreaks, elapsedMs });
  }
  if (response.skippedBreaks.length > 0) metrics.addMetric(stitcherMetrics.skippedBreaks, MetricUnit.Count, response.skippedBreaks.length);
  metrics.publishStoredMetrics();
}
