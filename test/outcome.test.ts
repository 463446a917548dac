import { NGC_RULE_SYSTEM, operationOutcome, singleIssueOutcome } from '../src/validation';

describe('operationOutcome', () => {
  it('puts the rule id in details.coding, Danish text in details.text and the path in expression', () => {
    const outcome = operationOutcome([
      { severity: 'warning', code: 'business-rule', diagnostics: 'name should be absent', expression: 'Bundle.entry[0].resource.name', rule: { id: 'PAT-05', textDa: 'Navn bør udelades' } },
      { severity: 'error', code: 'value', diagnostics: 'bad date', expression: 'Bundle.timestamp' },
    ]);
    expect(outcome.issue.map((i) => i.severity)).toEqual(['error', 'warning']);
    expect(outcome.issue[1]).toEqual({
      severity: 'warning',
      code: 'business-rule',
      details: { coding: [{ system: NGC_RULE_SYSTEM, code: 'PAT-05' }], text: 'Navn bør udelades' },
      diagnostics: 'name should be absent',
      expression: ['Bundle.entry[0].resource.name'],
    });
  });

  it('always carries at least one issue, as FHIR requires', () => {
    expect(operationOutcome([]).issue).toHaveLength(1);
    expect(singleIssueOutcome('error', 'security', 'no token').issue[0].code).toBe('security');
  });
});
