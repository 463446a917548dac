/**
 * Which extension URLs may be used without a definition the engine can load. Follows the HL7 Java
 * validator: an unresolvable extension is an error ("unknown, and not allowed here") unless its URL
 * is in a domain where undefined extensions are tolerated: the example domains (when example URLs are
 * allowed, as in HL7's test suite and IG publisher), a few HL7 tooling URLs that no package defines,
 * the domains configured as allowed, or every URL when any extension is allowed.
 */

export interface ExtensionPolicyOptions {
  /** URL prefixes whose unknown extensions are tolerated (HL7's "extension domains"). */
  extensionDomains?: readonly string[];
  /** Tolerate every unknown extension (HL7's "any extensions allowed"). Default false. */
  anyExtensionsAllowed?: boolean;
  /** Tolerate unknown extensions on example domains (example.org, acme.com). Default true, as HL7's test suite. */
  allowExampleUrls?: boolean;
}

/** Substrings marking example domains: their extensions cannot exist in practice. */
const EXAMPLE_DOMAINS = ['example.org', 'acme.com'];
/** DICOM's namespace: HL7 tolerates it regardless of the example setting. */
const ALWAYS_TOLERATED_SUBSTRINGS = ['nema.org'];
/** HL7 tooling extensions that no published package defines. */
const ALWAYS_TOLERATED_PREFIXES = ['http://hl7.org/fhir/tools/StructureDefinition/'];
const ALWAYS_TOLERATED_URLS = ['http://hl7.org/fhir/StructureDefinition/structuredefinition-expression'];

export type UnknownExtensionVerdict = 'not-allowed' | 'tolerated';

export class ExtensionPolicy {
  private readonly domains: readonly string[];
  private readonly any: boolean;
  private readonly examples: boolean;

  constructor(options: ExtensionPolicyOptions = {}) {
    this.domains = options.extensionDomains ?? [];
    this.any = options.anyExtensionsAllowed ?? false;
    this.examples = options.allowExampleUrls ?? true;
  }

  /** The verdict on an extension whose definition is not loaded. */
  unknown(url: string): UnknownExtensionVerdict {
    if (this.any) return 'tolerated';
    if (this.examples && EXAMPLE_DOMAINS.some((d) => url.includes(d))) return 'tolerated';
    if (ALWAYS_TOLERATED_SUBSTRINGS.some((d) => url.includes(d))) return 'tolerated';
    if (ALWAYS_TOLERATED_PREFIXES.some((p) => url.startsWith(p)) || ALWAYS_TOLERATED_URLS.includes(url)) return 'tolerated';
    if (this.domains.some((d) => url.startsWith(d))) return 'tolerated';
    return 'not-allowed';
  }
}
