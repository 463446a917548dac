/**
 * The rules the intake guard and the HTTP layer enforce themselves (SUB-01, SUB-10 ... SUB-13) take
 * their texts from the rule catalogue, like every other rule.
 */
export { ruleRef } from '../../rules/catalogue';
