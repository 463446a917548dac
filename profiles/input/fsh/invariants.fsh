// Invariants named by the rule of the NGC Genomic Reporting Standard they express: the validator
// reports an invariant whose key is a rule id with that rule. Only what can be decided within one
// resource is here; rules across the Bundle, the clock, CPR dates, HGVS parsing, GRCh38 lengths and
// QC thresholds are rule modules of the gateway (src/rules).

// ---- ngc-patient
Invariant: PAT-01
Description: "An eCPR (X-eCPR or D-eCPR) is 6 digits (DDMMYY) and 4 upper-case letters or digits, at least one of them a letter."
Expression: "(system.exists() and (system = 'urn:oid:1.2.208.176.1.6.1.1' or system = 'urn:oid:1.2.208.176.1.6.1.3')) implies (value.exists() and value.matches('^[0-9]{6}([A-Z][A-Z0-9]{3}|[0-9][A-Z][A-Z0-9]{2}|[0-9]{2}[A-Z][A-Z0-9]|[0-9]{3}[A-Z])$'))"
Severity: #error

Invariant: PAT-02
Description: "A CPR number is 10 digits, with no hyphen."
Expression: "(system.exists() and system = 'urn:oid:1.2.208.176.1.2') implies (value.exists() and value.matches('^[0-9]{10}$'))"
Severity: #error

Invariant: PAT-05
Description: "name, telecom, address and photo should be absent (data minimisation: the national database is keyed by CPR)."
Expression: "name.empty() and telecom.empty() and address.empty() and photo.empty()"
Severity: #warning

// ---- ngc-organization
Invariant: ORG-01
Description: "A SOR code is 11 to 18 digits."
Expression: "(system.exists() and system = 'urn:oid:1.2.208.176.1.1') implies (value.exists() and value.matches('^[0-9]{11,18}$'))"
Severity: #error

// ---- ngc-service-request
Invariant: SRQ-03
Description: "reasonCode holds at least one coding from ngc-indication."
Expression: "reasonCode.coding.where(system = 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-indication' and (code in ('R01' | 'R02' | 'R03' | 'R04' | 'R05' | 'R06' | 'R07' | 'R08' | 'R09' | 'R10'))).exists()"
Severity: #error

Invariant: SRQ-05
Description: "Research (ngc-purpose#research) is not accepted through this channel in version 1.0."
Expression: "category.coding.where(system = 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-purpose' and code = 'research').empty()"
Severity: #error

// ---- ngc-sequencing-analysis
Invariant: ANA-03
Description: "The sequencing-platform component is required for WGS, WES, PANEL, RNASEQ and LRS."
Expression: "component.where(code.coding.where(system = 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-observation-code' and code = 'analysis-type').exists()).value.ofType(CodeableConcept).coding.where(system = 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-analysis-type' and (code in ('WGS' | 'WES' | 'PANEL' | 'RNASEQ' | 'LRS'))).exists() implies component.where(code.coding.where(system = 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-observation-code' and code = 'sequencing-platform').exists()).exists()"
Severity: #error

Invariant: ANA-06
Description: "The target-regions component is required for WES and PANEL."
Expression: "component.where(code.coding.where(system = 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-observation-code' and code = 'analysis-type').exists()).value.ofType(CodeableConcept).coding.where(system = 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-analysis-type' and (code in ('WES' | 'PANEL'))).exists() implies component.where(code.coding.where(system = 'http://ngc.dk/fhir/genomics/CodeSystem/ngc-observation-code' and code = 'target-regions').exists()).exists()"
Severity: #error

// ---- ngc-variant (components are found by their LOINC code)
Invariant: VAR-01
Description: "Gene studied (48018-6) is required unless the variant is a copy-number variant (DNA change type SO:0001019, SO:0001742 or SO:0001743); each is an HGNC coding with the gene symbol as display."
Expression: "(component.where(code.coding.where(system = 'http://loinc.org' and code = '48019-4').exists()).value.ofType(CodeableConcept).coding.where(code in ('SO:0001019' | 'SO:0001742' | 'SO:0001743')).exists() or component.where(code.coding.where(system = 'http://loinc.org' and code = '48018-6').exists()).exists()) and component.where(code.coding.where(system = 'http://loinc.org' and code = '48018-6').exists()).all(value.ofType(CodeableConcept).coding.where(system = 'http://www.genenames.org' and code.exists() and display.exists()).exists())"
Severity: #error

Invariant: VAR-02
Description: "Genomic DNA change (81290-9) is an HGVS coding whose code is a full expression <accession>:g.<change>."
Expression: "component.where(code.coding.where(system = 'http://loinc.org' and code = '81290-9').exists()).all(value.ofType(CodeableConcept).coding.exists() and value.ofType(CodeableConcept).coding.all(system = 'http://varnomen.hgvs.org' and code.matches('^[^:]+:g[.].+$')))"
Severity: #error

Invariant: VAR-03
Description: "DNA change (48004-6) is an HGVS coding whose code is a full expression <accession>:c.<change>."
Expression: "component.where(code.coding.where(system = 'http://loinc.org' and code = '48004-6').exists()).all(value.ofType(CodeableConcept).coding.exists() and value.ofType(CodeableConcept).coding.all(system = 'http://varnomen.hgvs.org' and code.matches('^[^:]+:c[.].+$')))"
Severity: #error

Invariant: VAR-04
Description: "Amino acid change (48005-3) is an HGVS coding whose code is a full expression <accession>:p.<change>."
Expression: "component.where(code.coding.where(system = 'http://loinc.org' and code = '48005-3').exists()).all(value.ofType(CodeableConcept).coding.exists() and value.ofType(CodeableConcept).coding.all(system = 'http://varnomen.hgvs.org' and code.matches('^[^:]+:p[.].+$')))"
Severity: #error

Invariant: VAR-05
Description: "Transcript reference sequence (51958-7) is required when c.HGVS is present; it is a versioned RefSeq NM_/NR_ or Ensembl ENST accession."
Expression: "(component.where(code.coding.where(system = 'http://loinc.org' and code = '48004-6').exists()).exists() implies component.where(code.coding.where(system = 'http://loinc.org' and code = '51958-7').exists()).exists()) and component.where(code.coding.where(system = 'http://loinc.org' and code = '51958-7').exists()).all(value.ofType(CodeableConcept).coding.where((system = 'http://www.ncbi.nlm.nih.gov/refseq' and code.matches('^N[MR]_[0-9]+[.][0-9]+$')) or (system = 'http://www.ensembl.org' and code.matches('^ENST[0-9]+[.][0-9]+$'))).exists())"
Severity: #error

Invariant: VAR-09
Description: "Genomic allele start-end (81254-5) is required for sequence variants (all but copy-number variants); it is a range of whole numbers with 1 <= low <= high."
Expression: "(component.where(code.coding.where(system = 'http://loinc.org' and code = '48019-4').exists()).value.ofType(CodeableConcept).coding.where(code in ('SO:0001019' | 'SO:0001742' | 'SO:0001743')).exists() or component.where(code.coding.where(system = 'http://loinc.org' and code = '81254-5').exists()).exists()) and component.where(code.coding.where(system = 'http://loinc.org' and code = '81254-5').exists()).all(value.ofType(Range).exists() and value.ofType(Range).low.value.exists() and value.ofType(Range).high.value.exists() and value.ofType(Range).low.value.toString().matches('^[0-9]+$') and value.ofType(Range).high.value.toString().matches('^[0-9]+$') and value.ofType(Range).low.value >= 1 and value.ofType(Range).low.value <= value.ofType(Range).high.value)"
Severity: #error

Invariant: VAR-10
Description: "Genomic reference and alternate alleles (69547-8, 69551-0) are strings of A, C, G, T and N."
Expression: "component.where(code.coding.where(system = 'http://loinc.org' and (code = '69547-8' or code = '69551-0')).exists()).all(value.ofType(string).matches('^[ACGTN]+$'))"
Severity: #error

Invariant: VAR-13
Description: "Allelic state (53034-5) is required for a germline variant (genomic source class LA6683-2)."
Expression: "component.where(code.coding.where(system = 'http://loinc.org' and code = '48002-0').exists()).value.ofType(CodeableConcept).coding.where(system = 'http://loinc.org' and code = 'LA6683-2').exists() implies component.where(code.coding.where(system = 'http://loinc.org' and code = '53034-5').exists()).exists()"
Severity: #error

Invariant: VAR-14
Description: "Sample variant allelic frequency (81258-6) is required for a somatic variant (genomic source class LA6684-0); its value v satisfies 0 < v <= 1."
Expression: "(component.where(code.coding.where(system = 'http://loinc.org' and code = '48002-0').exists()).value.ofType(CodeableConcept).coding.where(system = 'http://loinc.org' and code = 'LA6684-0').exists() implies component.where(code.coding.where(system = 'http://loinc.org' and code = '81258-6').exists()).exists()) and component.where(code.coding.where(system = 'http://loinc.org' and code = '81258-6').exists()).all(value.ofType(Quantity).value > 0 and value.ofType(Quantity).value <= 1)"
Severity: #error

Invariant: VAR-15
Description: "Allelic read depth (82121-5) is a whole number >= 0."
Expression: "component.where(code.coding.where(system = 'http://loinc.org' and code = '82121-5').exists()).all(value.ofType(Quantity).value >= 0 and value.ofType(Quantity).value.toString().matches('^[0-9]+$'))"
Severity: #error

Invariant: VAR-17
Description: "Discrete genetic variant (81252-9) codings are ClinVar or dbSNP."
Expression: "component.where(code.coding.where(system = 'http://loinc.org' and code = '81252-9').exists()).all(value.ofType(CodeableConcept).coding.exists() and value.ofType(CodeableConcept).coding.all(system = 'http://www.ncbi.nlm.nih.gov/clinvar' or system = 'http://www.ncbi.nlm.nih.gov/projects/SNP'))"
Severity: #error

// ---- ngc-diagnostic-implication
Invariant: DIM-03
Description: "An associated phenotype (81259-4) should be given for a Pathogenic or Likely pathogenic classification."
Expression: "component.where(code.coding.where(system = 'http://loinc.org' and code = '53037-8').exists()).value.ofType(CodeableConcept).coding.where(system = 'http://loinc.org' and (code = 'LA6668-3' or code = 'LA26332-9')).exists() implies component.where(code.coding.where(system = 'http://loinc.org' and code = '81259-4').exists()).exists()"
Severity: #warning

// Error-level part of DIM-03 (the component's element carries the DIM-03 tag): phenotypes are
// coded in HPO, OMIM or Orphanet. The form of each code is TERM-02, checked by the rule modules.
Invariant: ngc-dim-phenotype-system
Description: "An associated phenotype is an HPO, OMIM or Orphanet coding."
Expression: "value.ofType(CodeableConcept).coding.exists() and value.ofType(CodeableConcept).coding.all(system = 'http://human-phenotype-ontology.org' or system = 'https://omim.org' or system = 'http://www.orpha.net')"
Severity: #error

// ---- ngc-data-file
Invariant: FIL-04
Description: "ngc-sha256 is 64 lower-case hexadecimal digits; ngc-file-size is a whole number >= 1; attachment.size, when present, equals ngc-file-size."
Expression: "extension('http://ngc.dk/fhir/genomics/StructureDefinition/ngc-sha256').value.ofType(string).all(matches('^[0-9a-f]{64}$')) and extension('http://ngc.dk/fhir/genomics/StructureDefinition/ngc-file-size').value.ofType(decimal).all($this >= 1 and toString().matches('^[0-9]+$')) and ((size.exists() and extension('http://ngc.dk/fhir/genomics/StructureDefinition/ngc-file-size').value.ofType(decimal).count() = 1) implies size = extension('http://ngc.dk/fhir/genomics/StructureDefinition/ngc-file-size').value.ofType(decimal))"
Severity: #error
