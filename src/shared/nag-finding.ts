import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * How cdk-nag names a resource in a granular finding (`AwsSolutions-IAM5[Resource::<Bucket.Arn>/live/*.m3u8]`):
 * the resolved CloudFormation value with Ref as `<Id>` and Fn::GetAtt as `<Id.Attr>`. Lets a construct
 * acknowledge exactly the wildcard it creates on purpose, nothing broader.
 */
export function nagResourceName(scope: IConstruct, value: string): string {
  const visit = (node: unknown): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    const intrinsic = node as Record<string, unknown>;
    if (intrinsic['Fn::Join']) {
      const [delimiter, items] = intrinsic['Fn::Join'] as [string, unknown[]];
      return items.map(visit).join(delimiter);
    }
    if (intrinsic['Fn::Sub']) return visit(intrinsic['Fn::Sub']);
    if (intrinsic['Fn::GetAtt']) {
      const [resource, attribute] = intrinsic['Fn::GetAtt'] as [unknown, unknown];
      return `<${visit(resource)}.${visit(attribute)}>`;
    }
    if (intrinsic['Fn::ImportValue']) return visit(intrinsic['Fn::ImportValue']);
    if (intrinsic.Ref) return `<${visit(intrinsic.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}

/**
 * Acknowledges one cdk-nag finding on `scope` with a reason. `Validations.acknowledge` refuses IDs holding more
 * than one `::` (aws-cdk-lib 2.268 reserves it as a prefix delimiter), yet cdk-nag names granular findings on
 * ARNs exactly that way (`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::...]`). Such an ID is recorded
 * under the same metadata key that `Validations.acknowledge` writes and cdk-nag reads, so the acknowledgement
 * stays as narrow as the finding instead of widening to a whole rule.
 */
export function acknowledgeNagFinding(scope: IConstruct, id: string, reason: string): void {
  if (id.split('::').length <= 2) {
    Validations.of(scope).acknowledge({ id, reason });
    return;
  }
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
}
