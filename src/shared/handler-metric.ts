import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * A metric a bundled handler publishes with Powertools Metrics (EMF): Powertools adds the `service`
 * dimension from POWERTOOLS_SERVICE_NAME, which the construct sets per instance. Counts, summed per minute.
 */
export function handlerMetric(namespace: string, metricName: string, serviceName: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace,
    metricName,
    dimensionsMap: { service: serviceName },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(1),
    ...options,
  });
}
