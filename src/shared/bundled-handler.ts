import { Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The projen-generated construct of one handler bundle (`src/<construct>/<name>-function.ts`). */
export type BundledFunctionClass = new (scope: Construct, id: string, props: lambda.FunctionProps | lambda.FunctionOptions) => lambda.Function;

/** What a construct asks of one of its bundled handlers. */
export interface BundledHandlerProps {
  /** The generated function class of the handler. */
  readonly functionClass: BundledFunctionClass;
  /** Kebab-case name of the owning construct, e.g. `pre-roll-stitcher`: the start of the Powertools service name. */
  readonly constructName: string;
  /** CloudWatch namespace the handler publishes its EMF metrics in (from the construct's contract). */
  readonly metricsNamespace: string;
  /** What the role may do, for the role's description. */
  readonly roleDescription: string;
  /** Memory and timeout unless the user overrides them. */
  readonly defaults: { readonly memorySize: number; readonly timeout: Duration };
  /** The user's overrides (memory, timeout, reserved concurrency...). Runtime, architecture, handler, code, role and logs are fixed. */
  readonly functionOptions?: lambda.FunctionOptions;
  /** The handler's configuration (names from the construct's contract). */
  readonly environment: Record<string, string>;
}

/**
 * One bundled handler of a construct: the generated function on arm64 with JSON logs into its own log group (kept
 * one month, retained on delete), a role that may write that log group and nothing else until the construct grants
 * more, and the Powertools service name that addresses its metrics. Resources get the ids `<prefix>Function`,
 * `<prefix>Role` and `<prefix>Logs` in `scope`.
 */
export class BundledHandler {
  /** The function. */
  public readonly function: lambda.Function;
  /** The function's role. */
  public readonly role: iam.Role;
  /** Where the function logs. */
  public readonly logGroup: logs.LogGroup;
  /** POWERTOOLS_SERVICE_NAME: the `service` dimension of every metric the handler publishes. */
  public readonly serviceName: string;
  private readonly metricsNamespace: string;

  constructor(scope: Construct, idPrefix: string, props: BundledHandlerProps) {
    this.metricsNamespace = props.metricsNamespace;
    this.serviceName = `${props.constructName}-${Names.uniqueResourceName(scope, { maxLength: 40 })}`;
    this.logGroup = new logs.LogGroup(scope, `${idPrefix}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.RETAIN });
    this.role = new iam.Role(scope, `${idPrefix}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.roleDescription,
    });
    this.function = new props.functionClass(scope, `${idPrefix}Function`, {
      memorySize: props.defaults.memorySize,
      timeout: props.defaults.timeout,
      ...props.functionOptions,
      architecture: lambda.Architecture.ARM_64,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        ...props.functionOptions?.environment,
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: this.serviceName,
      },
    });
    this.logGroup.grantWrite(this.role);
  }

  /** A count the handler publishes with Powertools Metrics (EMF) under its service name, summed per minute. */
  public metric(metricName: string, options?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName,
      dimensionsMap: { service: this.serviceName },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
      ...options,
    });
  }
}
