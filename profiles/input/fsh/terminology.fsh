// NGC code systems (all content = complete, so the gateway checks their codes with no terminology
// server) and the value sets of the NGC Genomic Reporting Standard 1.0, section 4.
// The code system ngc-validation-rule is generated from profiles/data/validation-rules.json
// (generated/validation-rules.fsh).

RuleSet: CompleteCodeSystem
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* ^content = #complete

RuleSet: ActiveValueSet
* ^status = #active
* ^experimental = false
* ^immutable = false

CodeSystem: NgcAnalysisType
Id: ngc-analysis-type
Title: "NGC analysis type"
Description: "The kinds of genomic analysis that are reported to the National Genome Database."
* insert CompleteCodeSystem
* #WGS "Whole genome sequencing"
* #WES "Whole exome sequencing"
* #PANEL "Gene panel sequencing"
* #ACGH "Array-CGH"
* #SNP-ARRAY "SNP array"
* #RNASEQ "Total RNA sequencing"
* #LRS "Long-read genome sequencing"

CodeSystem: NgcIndication
Id: ngc-indication
Title: "NGC indication"
Description: "The NGC indications (indikationer) under which a genomic analysis is requested."
* insert CompleteCodeSystem
* #R01 "Rare disease, child"
* #R02 "Rare disease, adult"
* #R03 "Hereditary cancer"
* #R04 "Haematological cancer"
* #R05 "Solid tumour"
* #R06 "Childhood cancer"
* #R07 "Hereditary cardiovascular disease"
* #R08 "Neurological and neuromuscular disease"
* #R09 "Prenatal and foetal diagnostics"
* #R10 "Pharmacogenomics"

CodeSystem: NgcObservationCode
Id: ngc-observation-code
Title: "NGC observation code"
Description: "Codes of the NGC sequencing analysis and sequencing QC observations, their components and answers, and the ACMG criteria component."
* insert CompleteCodeSystem
* #sequencing-analysis "Sequencing analysis"
* #analysis-type "Analysis type"
* #sequencing-platform "Sequencing platform"
* #pipeline "Bioinformatics pipeline"
* #pipeline-version "Bioinformatics pipeline version"
* #target-regions "Target regions (panel or capture kit and version)"
* #library-prep "Library preparation"
* #sequencing-qc "Sequencing quality control"
* #mean-coverage "Mean coverage"
* #pct-bases-20x "Percentage of target bases with coverage of at least 20x"
* #pct-q30 "Percentage of bases with quality of at least Q30"
* #contamination "Contamination (percentage)"
* #sex-check "Sex check (genetic sex against registered sex)"
* #concordant "Concordant"
* #discordant "Discordant"
* #acmg-criteria "ACMG/AMP criteria applied"

CodeSystem: NgcPurpose
Id: ngc-purpose
Title: "NGC purpose"
Description: "The purpose of a genomic analysis. Only diagnostic analyses are reported through the gateway in version 1.0 (SRQ-05)."
* insert CompleteCodeSystem
* #diagnostic "Diagnostics and treatment"
* #research "Research"

CodeSystem: NgcFileFormat
Id: ngc-file-format
Title: "NGC file format"
Description: "Formats of the genomic data files kept in the national storage."
* insert CompleteCodeSystem
* #vcf-4.2 "VCF 4.2"
* #vcf-4.3 "VCF 4.3"
* #gvcf "Genomic VCF (gVCF)"
* #cram-3.0 "CRAM 3.0"
* #cram-3.1 "CRAM 3.1"
* #bam "BAM"
* #fastq "FASTQ"

CodeSystem: NgcAcmgCriteria
Id: ngc-acmg-criteria
Title: "NGC ACMG/AMP criteria"
Description: "The evidence criteria of the ACMG/AMP 2015 guideline for the interpretation of sequence variants."
* insert CompleteCodeSystem
* #PVS1 "Pathogenic very strong 1"
* #PS1 "Pathogenic strong 1"
* #PS2 "Pathogenic strong 2"
* #PS3 "Pathogenic strong 3"
* #PS4 "Pathogenic strong 4"
* #PM1 "Pathogenic moderate 1"
* #PM2 "Pathogenic moderate 2"
* #PM3 "Pathogenic moderate 3"
* #PM4 "Pathogenic moderate 4"
* #PM5 "Pathogenic moderate 5"
* #PM6 "Pathogenic moderate 6"
* #PP1 "Pathogenic supporting 1"
* #PP2 "Pathogenic supporting 2"
* #PP3 "Pathogenic supporting 3"
* #PP4 "Pathogenic supporting 4"
* #PP5 "Pathogenic supporting 5"
* #BA1 "Benign stand-alone 1"
* #BS1 "Benign strong 1"
* #BS2 "Benign strong 2"
* #BS3 "Benign strong 3"
* #BS4 "Benign strong 4"
* #BP1 "Benign supporting 1"
* #BP2 "Benign supporting 2"
* #BP3 "Benign supporting 3"
* #BP4 "Benign supporting 4"
* #BP5 "Benign supporting 5"
* #BP6 "Benign supporting 6"
* #BP7 "Benign supporting 7"

// Value sets over the NGC code systems: each holds its whole code system.

ValueSet: NgcAnalysisTypeVS
Id: ngc-analysis-type
Title: "NGC analysis type"
Description: "All codes of the NGC analysis type code system (SRQ-02, ANA-01)."
* insert ActiveValueSet
* include codes from system NgcAnalysisType

ValueSet: NgcIndicationVS
Id: ngc-indication
Title: "NGC indication"
Description: "All codes of the NGC indication code system (SRQ-03)."
* insert ActiveValueSet
* include codes from system NgcIndication

ValueSet: NgcObservationCodeVS
Id: ngc-observation-code
Title: "NGC observation code"
Description: "All codes of the NGC observation code system."
* insert ActiveValueSet
* include codes from system NgcObservationCode

ValueSet: NgcPurposeVS
Id: ngc-purpose
Title: "NGC purpose"
Description: "All codes of the NGC purpose code system (SRQ-05)."
* insert ActiveValueSet
* include codes from system NgcPurpose

ValueSet: NgcFileFormatVS
Id: ngc-file-format
Title: "NGC file format"
Description: "All codes of the NGC file format code system (FIL-02)."
* insert ActiveValueSet
* include codes from system NgcFileFormat

ValueSet: NgcAcmgCriteriaVS
Id: ngc-acmg-criteria
Title: "NGC ACMG/AMP criteria"
Description: "All codes of the NGC ACMG/AMP criteria code system (DIM-04)."
* insert ActiveValueSet
* include codes from system NgcAcmgCriteria

ValueSet: NgcValidationRuleVS
Id: ngc-validation-rule
Title: "NGC validation rule"
Description: "All rules of the NGC Genomic Reporting Standard 1.0."
* insert ActiveValueSet
* include codes from system NgcValidationRule

ValueSet: NgcSexCheck
Id: ngc-sex-check
Title: "NGC sex check result"
Description: "Result of the sex check of the sequencing QC (QC-05)."
* insert ActiveValueSet
* $ngc-obs#concordant "Concordant"
* $ngc-obs#discordant "Discordant"

// Value sets over external code systems, enumerating exactly the codes the standard names.

ValueSet: NgcSpecimenType
Id: ngc-specimen-type
Title: "NGC specimen type"
Description: "SNOMED CT specimen types accepted for genomic analyses (SPC-02)."
* insert ActiveValueSet
* $SCT#119297000 "Blood specimen"
* $SCT#258580003 "Whole blood sample"
* $SCT#119342007 "Saliva specimen"
* $SCT#119376003 "Tissue specimen"
* $SCT#441652008 "Formalin-fixed paraffin-embedded tissue specimen"
* $SCT#119361006 "Plasma specimen"
* $SCT#258450006 "Cerebrospinal fluid sample"
* $SCT#119373006 "Amniotic fluid specimen"

ValueSet: NgcOverallInterpretation
Id: ngc-overall-interpretation
Title: "NGC overall interpretation"
Description: "LOINC answers for the overall interpretation of a genomic report (REP-08)."
* insert ActiveValueSet
* $LNC#LA6576-8 "Positive"
* $LNC#LA6577-6 "Negative"
* $LNC#LA9663-1 "Inconclusive"

ValueSet: NgcAcmgClassification
Id: ngc-acmg-classification
Title: "NGC ACMG classification"
Description: "LOINC answers for the clinical significance of a variant, the five ACMG/AMP classes (DIM-02)."
* insert ActiveValueSet
* $LNC#LA6668-3 "Pathogenic"
* $LNC#LA26332-9 "Likely pathogenic"
* $LNC#LA26333-7 "Uncertain significance"
* $LNC#LA26334-5 "Likely benign"
* $LNC#LA6675-8 "Benign"

ValueSet: NgcGenomicSourceClass
Id: ngc-genomic-source-class
Title: "NGC genomic source class"
Description: "LOINC answers for the genomic source class of a variant (VAR-12)."
* insert ActiveValueSet
* $LNC#LA6683-2 "Germline"
* $LNC#LA6684-0 "Somatic"

ValueSet: NgcAllelicState
Id: ngc-allelic-state
Title: "NGC allelic state"
Description: "LOINC answers for the allelic state of a germline variant (VAR-13)."
* insert ActiveValueSet
* $LNC#LA6706-1 "Heterozygous"
* $LNC#LA6705-3 "Homozygous"
* $LNC#LA6707-9 "Hemizygous"
* $LNC#LA6703-8 "Heteroplasmic"
* $LNC#LA6704-6 "Homoplasmic"

ValueSet: NgcVariantPresence
Id: ngc-variant-presence
Title: "NGC variant presence"
Description: "LOINC answers for the presence of a variant (VAR-00)."
* insert ActiveValueSet
* $LNC#LA9633-4 "Present"
* $LNC#LA9634-2 "Absent"

ValueSet: NgcReferenceAssembly
Id: ngc-reference-assembly
Title: "NGC reference assembly"
Description: "The reference sequence assembly the national database holds: GRCh38 only (ANA-02, VAR-06)."
* insert ActiveValueSet
* $LNC#LA26806-2 "GRCh38"

ValueSet: NgcDnaChangeType
Id: ngc-dna-change-type
Title: "NGC DNA change type"
Description: "Sequence Ontology DNA change types accepted for a variant (VAR-16)."
* insert ActiveValueSet
* $SO#SO:0001483 "SNV"
* $SO#SO:0000159 "deletion"
* $SO#SO:0000667 "insertion"
* $SO#SO:1000032 "delins"
* $SO#SO:1000035 "duplication"
* $SO#SO:1000036 "inversion"
* $SO#SO:0001019 "copy number variation"
* $SO#SO:0001742 "copy number gain"
* $SO#SO:0001743 "copy number loss"

ValueSet: NgcServiceRequestStatus
Id: ngc-service-request-status
Title: "NGC service request status"
Description: "Statuses of the service request behind a reported analysis (SRQ-01)."
* insert ActiveValueSet
* $request-status#active "Active"
* $request-status#completed "Completed"

ValueSet: NgcReportStatus
Id: ngc-report-status
Title: "NGC report status"
Description: "Statuses of a genomic report that is reported; preliminary reports are not (REP-03)."
* insert ActiveValueSet
* $report-status#final "Final"
* $report-status#amended "Amended"
* $report-status#corrected "Corrected"
* $report-status#appended "Appended"

ValueSet: NgcResultStatus
Id: ngc-result-status
Title: "NGC result status"
Description: "Statuses of variant and diagnostic implication observations (VAR-00, DIM-00)."
* insert ActiveValueSet
* $observation-status#final "Final"
* $observation-status#amended "Amended"
* $observation-status#corrected "Corrected"
