// Runs the construct, shared-piece and deploy-check tests against the newest aws-cdk-lib the project supports,
// installed beside the repo's own (the minimum peer) by the `test:cdk-newest` task.
const path = require('path');
const rootDir = path.join(__dirname, '..', '..');
const base = require(path.join(rootDir, 'package.json')).jest;
const newest = '<rootDir>/.cache/cdk-newest/node_modules/aws-cdk-lib';

module.exports = {
  ...base,
  rootDir,
  testMatch: [
    '<rootDir>/test/**/construct.test.ts',
    '<rootDir>/test/**/deploy-check.test.ts',
    '<rootDir>/test/shared/**/*.test.ts',
    '<rootDir>/test/compat/**/*.test.ts',
  ],
  moduleNameMapper: { '^aws-cdk-lib$': newest, '^aws-cdk-lib/(.*)$': `${newest}/$1` },
  collectCoverage: false,
  reporters: ['default'],
};
