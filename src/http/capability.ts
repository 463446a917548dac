/** The CapabilityStatement: what this server really does, nothing more. */
import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4';
import { conformanceCapabilityResources } from '../ig/conformance';
import { narrative } from './narrative';

export interface CapabilityOptions {
  baseUrl: string;
  version: string;
  /** The NGC profiles entries of a submission must declare, with the resource type each constrains. */
  profiles: Array<{ url: string; type: string }>;
  tokenUrl?: string;
  now: Date;
}

export function capabilityStatement(o: CapabilityOptions): CapabilityStatement {
  const byType = new Map<string, string[]>();
  for (const p of o.profiles) byType.set(p.type, [...(byType.get(p.type) ?? []), p.url]);
  const inBundle = [...byType.entries()]
    .filter(([type]) => type !== 'Bundle' && type !== 'Task')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([type, urls]) =>
        ({
          type,
          supportedProfile: urls,
          documentation: 'Accepted only inside a submission Bundle (transaction); no direct interactions',
        }) as CapabilityStatementRestResource,
    );
  const tokenUrl = o.tokenUrl ?? `${o.baseUrl}/auth/token`;
  return {
    resourceType: 'CapabilityStatement',
    text: narrative(`NGC reporting gateway ${o.version}: FHIR R4 server accepting genomic report submissions as transaction Bundles at ${o.baseUrl}/fhir.`),
    status: 'active',
    date: o.now.toISOString(),
    publisher: 'Nationalt Genom Center',
    kind: 'instance',
    software: { name: 'ngc-gateway', version: o.version },
    implementation: { description: 'NGC reporting gateway: genomic report submissions to the National Genome Database', url: `${o.baseUrl}/fhir` },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    implementationGuide: ['http://ngc.dk/fhir/genomics/ImplementationGuide/dk.ngc.fhir.genomics'],
    rest: [
      {
        mode: 'server',
        documentation:
          'POST a transaction Bundle to the base to submit a genomic report (202 with a receipt, 422 with every issue). ' +
          'Poll the Task named in Content-Location for its delivery status.',
        security: {
          cors: false,
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
          // No oauth-uris extension: its definition requires an `authorize` endpoint, which SMART
          // Backend Services (client_credentials) do not have; discovery is the SMART configuration.
          description:
            `SMART Backend Services: client_credentials with a private_key_jwt client assertion at ${tokenUrl}; ` +
            `scopes system/Bundle.write and system/Bundle.read. Discovery: ${o.baseUrl}/.well-known/smart-configuration.`,
        },
        interaction: [{ code: 'transaction', documentation: 'The submission of one genomic report (NGC standard section 1)' }],
        operation: [{ name: 'validate', definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate' }],
        resource: [
          {
            type: 'Bundle',
            profile: 'http://hl7.org/fhir/StructureDefinition/Bundle',
            operation: [{ name: 'validate', definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate' }],
          },
          {
            type: 'Task',
            documentation: 'The status of a submission (received, accepted, delivered, failed, rejected); readable by the submitting client only',
            interaction: [{ code: 'read' }],
          },
          ...inBundle,
          ...conformanceCapabilityResources(),
        ],
      },
    ],
  };
}
