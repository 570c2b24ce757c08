import * as fs from 'fs';
import * as path from 'path';

/** The aws-cdk-lib these tests run against: the repo's (the minimum peer), or the one `test:cdk-newest` maps in. */
function loadedCdkVersion(): string {
  const manifest = path.join(path.dirname(require.resolve('aws-cdk-lib')), 'package.json');
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
}

test('the construct tests run against the aws-cdk-lib they were asked to', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>; peerDependencies: Record<string, string>;
  };
  const expected = process.env.CDK_EXPECTED_VERSION ?? pkg.devDependencies['aws-cdk-lib'];
  expect(loadedCdkVersion()).toBe(expected);
  expect(pkg.peerDependencies['aws-cdk-lib']).toBe(`^${pkg.devDependencies['aws-cdk-lib']}`); // the repo itself builds on the minimum
});
