import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** One stack composing every construct of the library, as a user's app would. */
export class OttExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
  }
}

const app = new App();
new OttExampleStack(app, 'OttExample', { env: { account: '111111111111', region: 'eu-west-1' } });
app.synth();
