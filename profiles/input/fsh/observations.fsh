// The four NGC Observation profiles. Components are sliced by code (pattern), as in Genomics
// Reporting; the slices carry the rule id of the standard's table row they express.

RuleSet: NgcObservationCore(rule)
* insert GenomicsCategories({rule})
* subject 1..1 MS
* subject only Reference(NgcPatient)
* insert Rule(subject, {rule})

RuleSet: StringComponent(slice, code, rule)
* component[{slice}].code = $ngc-obs#{code}
* component[{slice}].value[x] 1..1
* component[{slice}].value[x] only string
* insert Rule(component[{slice}], {rule})

RuleSet: QuantityComponent(slice, code, unit, rule)
* component[{slice}].code = $ngc-obs#{code}
* component[{slice}].value[x] 1..1
* component[{slice}].value[x] only Quantity
* component[{slice}].valueQuantity = $UCUM#{unit}
* component[{slice}].valueQuantity.value 1..1
* component[{slice}].valueQuantity.system 1..1
* component[{slice}].valueQuantity.code 1..1
* insert Rule(component[{slice}], {rule})
* insert Rule(component[{slice}].valueQuantity, QC-00)

RuleSet: LoincCodedComponent(slice, loinc, rule)
* component[{slice}].code = $LNC#{loinc}
* component[{slice}].value[x] 1..1
* component[{slice}].value[x] only CodeableConcept
* insert Rule(component[{slice}], {rule})

Profile: NgcSequencingAnalysis
Parent: Observation
Id: ngc-sequencing-analysis
Title: "NGC Sequencing Analysis"
Description: "How the genomic data were produced: analysis type, reference assembly (GRCh38), sequencing platform, bioinformatics pipeline and version, target regions and library preparation (rules ANA-00 to ANA-08 of the NGC Genomic Reporting Standard 1.0). Conforms to the common base of HL7 Genomics Reporting STU3 observations, `genomic-base` (http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomic-base: the laboratory and GE categories, components sliced by code) and is a result of the `genomic-report` (http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomic-report)."
* obeys ANA-03 and ANA-06
* status = #final (exactly)
* status MS
* insert Rule(status, ANA-00)
* insert NgcObservationCore(ANA-00)
* code = $ngc-obs#sequencing-analysis
* code MS
* insert Rule(code, ANA-00)
* specimen 1..1 MS
* specimen only Reference(NgcSpecimen)
* insert Rule(specimen, ANA-00)
* derivedFrom only Reference(NgcDataFile)
* insert Rule(derivedFrom, ANA-08)
* insert ComponentSlicing(closed)
* component 4..* MS
* insert Rule(component, ANA-00)
* component contains analysis-type 1..1 MS and reference-sequence-assembly 1..1 MS and sequencing-platform 0..1 MS and pipeline 1..1 MS and pipeline-version 1..1 MS and target-regions 0..1 MS and library-prep 0..1 MS
* component[analysis-type].code = $ngc-obs#analysis-type
* component[analysis-type].value[x] 1..1
* component[analysis-type].value[x] only CodeableConcept
* component[analysis-type].valueCodeableConcept from NgcAnalysisTypeVS (required)
* insert Rule(component[analysis-type], ANA-01)
* insert LoincCodedComponent(reference-sequence-assembly, 62374-4, ANA-02)
* component[reference-sequence-assembly].valueCodeableConcept from NgcReferenceAssembly (required)
* insert StringComponent(sequencing-platform, sequencing-platform, ANA-03)
* component[sequencing-platform] ^short = "Sequencing platform; required for WGS, WES, PANEL, RNASEQ and LRS (ANA-03)"
* insert StringComponent(pipeline, pipeline, ANA-04)
* insert StringComponent(pipeline-version, pipeline-version, ANA-05)
* insert StringComponent(target-regions, target-regions, ANA-06)
* component[target-regions] ^short = "Panel or capture kit name and version; required for WES and PANEL (ANA-06)"
* insert StringComponent(library-prep, library-prep, ANA-07)

Profile: NgcSequencingQc
Parent: Observation
Id: ngc-sequencing-qc
Title: "NGC Sequencing QC"
Description: "Quality assurance of the sequencing: mean coverage, percentage of target bases at 20x, percentage of bases at Q30, contamination and sex check (rules QC-00 to QC-05 of the NGC Genomic Reporting Standard 1.0). Which components are required and their thresholds depend on the analysis type and on germline or tumour samples; the gateway checks them from the threshold table shipped with this package. Conforms to the common base of HL7 Genomics Reporting STU3 observations, `genomic-base` (http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomic-base: the laboratory and GE categories, components sliced by code) and is a result of the `genomic-report` (http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomic-report)."
* status = #final (exactly)
* status MS
* insert Rule(status, QC-00)
* insert NgcObservationCore(QC-00)
* code = $ngc-obs#sequencing-qc
* code MS
* insert Rule(code, QC-00)
* specimen 1..1 MS
* specimen only Reference(NgcSpecimen)
* insert Rule(specimen, QC-00)
* insert ComponentSlicing(closed)
* component MS
* insert Rule(component, QC-00)
* component contains mean-coverage 0..1 MS and pct-bases-20x 0..1 MS and pct-q30 0..1 MS and contamination 0..1 MS and sex-check 0..1 MS
* insert QuantityComponent(mean-coverage, mean-coverage, 1, QC-01)
* insert QuantityComponent(pct-bases-20x, pct-bases-20x, %, QC-02)
* insert QuantityComponent(pct-q30, pct-q30, %, QC-03)
* insert QuantityComponent(contamination, contamination, %, QC-04)
* component[sex-check].code = $ngc-obs#sex-check
* component[sex-check].value[x] 1..1
* component[sex-check].value[x] only CodeableConcept
* component[sex-check].valueCodeableConcept from NgcSexCheck (required)
* insert Rule(component[sex-check], QC-05)

Profile: NgcVariant
Parent: Observation
Id: ngc-variant
Title: "NGC Variant"
Description: "A genomic variant found (or looked for and not found) in a sample, on GRCh38 (rules VAR-00 to VAR-17 of the NGC Genomic Reporting Standard 1.0). Aligns with HL7 Genomics Reporting STU3 `variant` (http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/variant): code LOINC 69548-6, laboratory category, value from LOINC LL1971-2 (Present/Absent), and components sliced by LOINC code with Genomics Reporting's slice names and value types."
* obeys VAR-01 and VAR-02 and VAR-03 and VAR-04 and VAR-05 and VAR-09 and VAR-10 and VAR-13 and VAR-14 and VAR-15 and VAR-17
* status from NgcResultStatus (required)
* status MS
* insert Rule(status, VAR-00)
* insert NgcObservationCore(VAR-00)
* code = $LNC#69548-6
* code MS
* insert Rule(code, VAR-00)
* specimen 1..1 MS
* specimen only Reference(NgcSpecimen)
* insert Rule(specimen, VAR-00)
* value[x] 1..1 MS
* value[x] only CodeableConcept
* valueCodeableConcept from NgcVariantPresence (required)
* insert Rule(value[x], VAR-00)
* insert ComponentSlicing(open)
* component MS
* component contains gene-studied 0..* MS and genomic-hgvs 1..1 MS and coding-hgvs 0..1 MS and protein-hgvs 0..1 MS and transcript-ref-seq 0..1 MS and reference-sequence-assembly 1..1 MS and exact-start-end 0..1 MS and ref-allele 0..1 MS and alt-allele 0..1 MS and coordinate-system 0..1 and genomic-source-class 1..1 MS and allelic-state 0..1 MS and sample-allelic-frequency 0..1 MS and allelic-read-depth 0..1 MS and coding-change-type 1..1 MS and variation-code 0..* MS
* insert LoincCodedComponent(gene-studied, 48018-6, VAR-01)
* component[gene-studied] ^short = "Gene studied (HGNC); required except for copy-number variants (VAR-01)"
* insert LoincCodedComponent(genomic-hgvs, 81290-9, VAR-02)
* insert LoincCodedComponent(coding-hgvs, 48004-6, VAR-03)
* insert LoincCodedComponent(protein-hgvs, 48005-3, VAR-04)
* insert LoincCodedComponent(transcript-ref-seq, 51958-7, VAR-05)
* component[transcript-ref-seq] ^short = "Transcript reference sequence; required when c.HGVS is present (VAR-05)"
* insert LoincCodedComponent(reference-sequence-assembly, 62374-4, VAR-06)
* component[reference-sequence-assembly].valueCodeableConcept from NgcReferenceAssembly (required)
* component[exact-start-end].code = $LNC#81254-5
* component[exact-start-end].value[x] 1..1
* component[exact-start-end].value[x] only Range
* component[exact-start-end] ^short = "Genomic allele start-end; required for sequence variants (VAR-09)"
* insert Rule(component[exact-start-end], VAR-09)
* component[ref-allele].code = $LNC#69547-8
* component[ref-allele].value[x] 1..1
* component[ref-allele].value[x] only string
* insert Rule(component[ref-allele], VAR-10)
* component[alt-allele].code = $LNC#69551-0
* component[alt-allele].value[x] 1..1
* component[alt-allele].value[x] only string
* insert Rule(component[alt-allele], VAR-10)
* insert LoincCodedComponent(coordinate-system, 92822-6, VAR-11)
* component[coordinate-system].valueCodeableConcept = $LNC#LA30102-0
* insert LoincCodedComponent(genomic-source-class, 48002-0, VAR-12)
* component[genomic-source-class].valueCodeableConcept from NgcGenomicSourceClass (required)
* insert LoincCodedComponent(allelic-state, 53034-5, VAR-13)
* component[allelic-state] ^short = "Allelic state; required for germline variants (VAR-13)"
* component[allelic-state].valueCodeableConcept from NgcAllelicState (required)
* component[sample-allelic-frequency].code = $LNC#81258-6
* component[sample-allelic-frequency].value[x] 1..1
* component[sample-allelic-frequency].value[x] only Quantity
* component[sample-allelic-frequency].valueQuantity = $UCUM#1
* component[sample-allelic-frequency].valueQuantity.value 1..1
* component[sample-allelic-frequency].valueQuantity.system 1..1
* component[sample-allelic-frequency].valueQuantity.code 1..1
* component[sample-allelic-frequency] ^short = "Sample variant allelic frequency, 0 < v <= 1; required for somatic variants (VAR-14)"
* insert Rule(component[sample-allelic-frequency], VAR-14)
* component[allelic-read-depth].code = $LNC#82121-5
* component[allelic-read-depth].value[x] 1..1
* component[allelic-read-depth].value[x] only Quantity
* component[allelic-read-depth].valueQuantity.value 1..1
* insert Rule(component[allelic-read-depth], VAR-15)
* insert LoincCodedComponent(coding-change-type, 48019-4, VAR-16)
* component[coding-change-type].valueCodeableConcept from NgcDnaChangeType (required)
* insert LoincCodedComponent(variation-code, 81252-9, VAR-17)

Profile: NgcDiagnosticImplication
Parent: Observation
Id: ngc-diagnostic-implication
Title: "NGC Diagnostic Implication"
Description: "The clinical significance of one or more variants, classified by ACMG/AMP, with associated phenotypes and the criteria applied (rules DIM-00 to DIM-04 of the NGC Genomic Reporting Standard 1.0). Aligns with HL7 Genomics Reporting STU3 `diagnostic-implication` (http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/diagnostic-implication): code tbd-codes-cs diagnostic-implication, laboratory category, no value, derivedFrom the variants, components clinical-significance (LOINC 53037-8) and predicted-phenotype (LOINC 81259-4)."
* obeys DIM-03
* status from NgcResultStatus (required)
* status MS
* insert Rule(status, DIM-00)
* insert NgcObservationCore(DIM-00)
* code = $tbd-codes#diagnostic-implication
* code MS
* insert Rule(code, DIM-00)
* value[x] 0..0
* insert Rule(value[x], DIM-00)
* derivedFrom 1..* MS
* derivedFrom only Reference(NgcVariant)
* insert Rule(derivedFrom, DIM-01)
* insert ComponentSlicing(open)
* component 1..* MS
* component contains clinical-significance 1..1 MS and predicted-phenotype 0..* MS and acmg-criteria 0..* MS
* insert LoincCodedComponent(clinical-significance, 53037-8, DIM-02)
* component[clinical-significance].valueCodeableConcept from NgcAcmgClassification (required)
* insert LoincCodedComponent(predicted-phenotype, 81259-4, DIM-03)
* component[predicted-phenotype] obeys ngc-dim-phenotype-system
* component[predicted-phenotype] ^short = "Associated phenotype (HPO, OMIM, Orphanet); should be present for (likely) pathogenic (DIM-03)"
* component[acmg-criteria].code = $ngc-obs#acmg-criteria
* component[acmg-criteria].value[x] 1..1
* component[acmg-criteria].value[x] only CodeableConcept
* component[acmg-criteria].valueCodeableConcept from NgcAcmgCriteriaVS (required)
* insert Rule(component[acmg-criteria], DIM-04)
