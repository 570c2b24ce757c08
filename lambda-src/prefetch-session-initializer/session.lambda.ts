import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { FetchMediaTailorSessionEndpoint } from './mediatailor-endpoint';
import { handleSessionRequest, MediaTailorSessionEndpoint, readSessionConfig, SessionConfig, SessionOutcome } from './session';
import { sessionEnvironment, sessionMetrics } from '../../src/prefetch-session-initializer/contract/protocol';

/** What the handler is built from; everything defaults to the deployed function's. */
export interface SessionHandlerOptions {
  /** @default - read from the environment */
  readonly config?: SessionConfig;
  /** @default - MediaTailor over HTTPS */
  readonly endpoint?: MediaTailorSessionEndpoint;
  /** @default - the SecretString of the secret named in the environment, re-read every five minutes */
  readonly originSecret?: () => Promise<string>;
  /** @default Math.random */
  readonly random?: () => number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** The Function URL handler of explicit session initialization. */
export type SessionHandler = (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>;

const secretRefreshMs = 5 * 60 * 1000; // picks up a changed secret within five minutes

/** The origin secret from Secrets Manager, cached across warm invocations. */
export function secretsManagerOriginSecret(secretArn: string): () => Promise<string> {
  let client: SecretsManagerClient | undefined;
  let cached: { value: string; fetchedAt: number } | undefined;
  return async () => {
    if (!cached || Date.now() - cached.fetchedAt > secretRefreshMs) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sdk = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
      client ??= new sdk.SecretsManagerClient({});
      const response = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretArn }));
      if (!response.SecretString) throw new Error('the origin secret has no string value');
      cached = { value: response.SecretString, fetchedAt: Date.now() };
    }
    return cached.value;
  };
}

/** Builds the handler; reads the environment once, when called. */
export function createSessionHandler(options: SessionHandlerOptions = {}): SessionHandler {
  const config = options.config ?? readSessionConfig(process.env);
  const endpoint = options.endpoint ?? new FetchMediaTailorSessionEndpoint();
  const originSecret = options.originSecret ?? secretsManagerOriginSecret(process.env[sessionEnvironment.originSecretArn] ?? '');
  const random = options.random ?? Math.random;
  const logger = options.logger ?? new Logger();
  const metrics = options.metrics ?? new Metrics({ namespace: sessionMetrics.namespace });
  return async (event) => {
    const started = Date.now();
    const outcome = await handleSessionRequest({
      method: event.requestContext.http.method,
      rawPath: event.rawPath,
      rawQueryString: event.rawQueryString ?? '',
      headers: event.headers ?? {},
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
    }, { config, endpoint, originSecret, random });
    record(logger, metrics, outcome, event.rawPath, Date.now() - started);
    return { statusCode: outcome.answer.status, headers: outcome.answer.headers, body: outcome.answer.body };
  };
}

/** Lambda handler (Function URL, AuthType NONE behind CloudFront's origin secret header). */
export const handler: SessionHandler = (event) => (deployed ??= createSessionHandler())(event);
let deployed: SessionHandler | undefined;

function record(logger: Logger, metrics: Metrics, outcome: SessionOutcome, path: string, elapsedMs: number): void {
  const line = { path, status: outcome.answer.status, streamId: outcome.streamId, elapsedMs };
  if (outcome.kind === 'initialized') {
    metrics.addMetric(sessionMetrics.sessionsInitialized, MetricUnit.Count, 1);
    logger.info('session initialized', line);
  } else if (outcome.kind === 'mediatailor-error') {
    metrics.addMetric(sessionMetrics.mediaTailorErrors, MetricUnit.Count, 1);
    logger.warn('MediaTailor refused or failed', { ...line, reason: outcome.answer.body.trim().slice(0, 500) });
  } else if (outcome.kind === 'refused') {
    metrics.addMetric(sessionMetrics.clientErrors, MetricUnit.Count, 1);
    logger.warn('request refused', { ...line, reason: outcome.answer.body.trim() });
  }
  metrics.publishStoredMetrics();
}
