// aws-cdk-lib >= 2.268 runs a CloudFormation Validate plugin (WebAssembly) on every synth; its findings are warnings
// and cfn-lint in the deploy check covers the same schemas and more, so tests skip it: ~10-20 s per test file.
process.env.CDK_VALIDATION = 'false';
