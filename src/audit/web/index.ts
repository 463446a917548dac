/** The auditors' web surface: SAML login routes plus the /audit workspace, as one router for the app. */
import express, { type RequestHandler, type Router } from 'express';
import type { GatewayStore } from '../../store';
import { loadRuleData } from '../../rules/data';
import type { AuditService } from '../service';
import { createAuditRouter, type RuleText } from './router';

export { createAuditRouter, type AuditRouterOptions, type RuleText } from './router';
export { lineChart, barChart } from './charts';
export { csv } from './html';

export interface AuditWebOptions {
  audit: AuditService;
  store: GatewayStore;
  saml: { router: Router; requireAuditor: RequestHandler; csrfProtection: RequestHandler };
  rules?: ReadonlyMap<string, RuleText>;
  ruleUrlBase?: string;
}

/** Rule id → Danish and English texts from the rule catalogue. */
export function ruleTexts(): Map<string, RuleText> {
  return new Map(loadRuleData().rules.map((r) => [r.id, { en: r.en, da: r.da }]));
}

export function createAuditWeb(o: AuditWebOptions): Router {
  const root = express.Router();
  root.use(o.saml.router);
  root.use('/audit', createAuditRouter({ audit: o.audit, store: o.store, requireAuditor: o.saml.requireAuditor, csrfProtection: o.saml.csrfProtection, rules: o.rules ?? ruleTexts(), ruleUrlBase: o.ruleUrlBase }));
  return root;
}
