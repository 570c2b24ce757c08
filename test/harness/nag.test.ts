import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { expectNagClean, nagAcknowledgements, nagFindings } from './nag';

function stackWithBucket(): { stack: Stack; bucket: s3.Bucket } {
  const stack = new Stack(new App(), 'NagProbe', { env: { account: '111111111111', region: 'eu-west-1' } });
  return { stack, bucket: new s3.Bucket(stack, 'Bucket') };
}

describe('cdk-nag helper', () => {
  test('reports the findings of a plain bucket with rule and construct path', () => {
    const { stack } = stackWithBucket();
    expect(nagFindings(stack)).toEqual(expect.arrayContaining([
      expect.objectContaining({ rule: 'AwsSolutions-S1', constructPath: 'NagProbe/Bucket/Resource' }),
      expect.objectContaining({ rule: 'AwsSolutions-S10', constructPath: 'NagProbe/Bucket/Resource' }),
    ]));
    expect(() => expectNagClean(stack)).toThrow(/AwsSolutions-S1 on NagProbe\/Bucket\/Resource/);
  });

  test('passes when every finding is fixed or acknowledged with a reason', () => {
    const { stack, bucket } = stackWithBucket();
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'probe bucket holds no data worth access logs' });
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S10', reason: 'probe bucket is never reached over the network' });
    expect(() => expectNagClean(stack)).not.toThrow();
    expect(nagAcknowledgements(stack).map((a) => a.reason)).toContain('probe bucket holds no data worth access logs');
  });

  test('fails on an acknowledgement without a reason even though cdk-nag accepts it', () => {
    const { stack, bucket } = stackWithBucket();
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: '' });
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S10', reason: 'ok' });
    expect(nagFindings(stack)).toEqual([]);
    expect(() => expectNagClean(stack)).toThrow(/acknowledged without a reason \(got 'ok'\)/);
  });
});
