import { acceptedWarnings } from './accepted-warnings';
import { LintFinding, lintProblems } from './cfn-lint';
import { minimumReasonLength } from '../nag';

const warning = (location: string, rule = 'W3005'): LintFinding => ({ template: 'stack', rule, level: 'Warning', location, message: 'redundant' });

describe('cfn-lint findings', () => {
  test('an error always fails, naming the template, rule and location', () => {
    expect(lintProblems([{ template: 'stack', rule: 'E3002', level: 'Error', location: 'Resources/Fn/Properties/Bogus', message: "'Bogus' was unexpected" }]))
      .toEqual(["stack: E3002 error at Resources/Fn/Properties/Bogus: 'Bogus' was unexpected"]);
  });

  test('a warning fails unless an accepted entry matches its rule and location', () => {
    const accepted = [{ rule: 'W3005', match: /^Resources\/Fn\//, reason: 'a reason long enough to review' }];
    expect(lintProblems([warning('Resources/Fn/DependsOn/0')], accepted)).toEqual([]);
    expect(lintProblems([warning('Resources/Other/DependsOn/0')], accepted)).toHaveLength(1);
    expect(lintProblems([warning('Resources/Fn/DependsOn/0', 'W1020')], accepted)).toHaveLength(1);
  });

  test('informational findings do not fail', () => {
    expect(lintProblems([{ ...warning('Resources/Fn'), level: 'Informational', rule: 'I3042' }])).toEqual([]);
  });

  test('every accepted warning gives a reason a reviewer can check', () => {
    expect(acceptedWarnings.filter((entry) => entry.reason.trim().length < minimumReasonLength)).toEqual([]);
  });
});
