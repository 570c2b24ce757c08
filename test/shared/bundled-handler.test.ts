import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BundledHandler } from '../../src/shared/bundled-handler';

class InlineFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: lambda.FunctionOptions) {
    super(scope, id, { ...props, runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1') });
  }
}

function build(functionOptions?: lambda.FunctionOptions) {
  const stack = new Stack(new App(), 'S');
  const scope = new Construct(stack, 'Owner');
  const handler = new BundledHandler(scope, 'Check', {
    functionClass: InlineFunction,
    constructName: 'test-construct',
    metricsNamespace: 'Test/Namespace',
    roleDescription: 'test role: its own logs only',
    defaults: { memorySize: 256, timeout: Duration.seconds(30) },
    functionOptions,
    environment: { SETTING: 'value' },
  });
  return { stack, handler, template: Template.fromStack(stack) };
}

describe('BundledHandler', () => {
  test('arm64, JSON logs into its own retained log group, the defaults, the configuration and the Powertools service name', () => {
    const { stack, handler, template } = build();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 30,
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^OwnerCheckLogs') } }),
      Environment: { Variables: { SETTING: 'value', POWERTOOLS_SERVICE_NAME: handler.serviceName } },
    });
    expect(handler.serviceName).toMatch(/^test-construct-SOwner[0-9A-F]{8}$/);
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 30 } });
    expect(stack.resolve(handler.role.roleName)).toEqual({ Ref: expect.stringMatching(/^OwnerCheckRole/) });
  });

  test('its role may write its own log group and nothing else', () => {
    const { template } = build();
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^OwnerCheckLogs/), 'Arn'] } },
    ]);
  });

  test('the user overrides memory, timeout and concurrency; never the architecture, role, logs or the configuration', () => {
    const { template } = build({
      memorySize: 1024,
      timeout: Duration.seconds(5),
      reservedConcurrentExecutions: 7,
      architecture: lambda.Architecture.X86_64,
      environment: { SETTING: 'overridden', EXTRA: 'kept' },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 5,
      ReservedConcurrentExecutions: 7,
      Environment: { Variables: Match.objectLike({ SETTING: 'value', EXTRA: 'kept' }) },
    });
  });

  test('addresses the handler\'s EMF metrics by namespace and service', () => {
    const { stack, handler } = build();
    const metric = handler.metric('Things', { period: Duration.minutes(5) });
    expect(metric.namespace).toBe('Test/Namespace');
    expect(metric.metricName).toBe('Things');
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toMinutes()).toBe(5);
    expect(stack.resolve(metric.dimensions)).toEqual({ service: handler.serviceName });
  });
});
