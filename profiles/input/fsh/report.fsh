Profile: NgcGenomicReport
Parent: DiagnosticReport
Id: ngc-genomic-report
Title: "NGC Genomic Report"
Description: "The genomic report a laboratory sends to the National Genome Database: the root of every submission (rules REP-01 to REP-09 of the NGC Genomic Reporting Standard 1.0). Aligns with HL7 Genomics Reporting STU3 `genomic-report` (http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomic-report): code LOINC 51969-4, a category slice for v2-0074 GE, effective[x] as dateTime, results that are variants, diagnostic implications and the analysis observations."
* identifier 1..* MS
* identifier.system 1..1
* identifier.value 1..1
* insert Rule(identifier, REP-04)
* basedOn 1..1 MS
* basedOn only Reference(NgcServiceRequest)
* insert Rule(basedOn, REP-05)
* status from NgcReportStatus (required)
* status MS
* insert Rule(status, REP-03)
* category 1..* MS
* category ^slicing.discriminator.type = #pattern
* category ^slicing.discriminator.path = "$this"
* category ^slicing.rules = #open
* category ^slicing.description = "The Genetics category (v2-0074 GE) of Genomics Reporting"
* category contains Genetics 1..1 MS
* category[Genetics] = $v2-0074#GE
* insert Rule(category, REP-02)
* insert Rule(category[Genetics], REP-02)
* code = $LNC#51969-4
* code MS
* insert Rule(code, REP-01)
* subject 1..1 MS
* subject only Reference(NgcPatient)
* insert Rule(subject, REP-05)
* effective[x] 1..1 MS
* effective[x] only dateTime
* insert Rule(effective[x], REP-06)
* issued 1..1 MS
* insert Rule(issued, REP-06)
* performer 1..* MS
* performer only Reference(NgcOrganization)
* insert Rule(performer, REP-05)
* specimen 1..* MS
* specimen only Reference(NgcSpecimen)
* insert Rule(specimen, REP-05)
* result 2..* MS
* result only Reference(NgcSequencingAnalysis or NgcSequencingQc or NgcVariant or NgcDiagnosticImplication)
* insert Rule(result, REP-07)
* conclusionCode 1..1 MS
* conclusionCode from NgcOverallInterpretation (required)
* insert Rule(conclusionCode, REP-08)
* presentedForm ^short = "May carry the signed PDF report (REP-09)"
* presentedForm.contentType 1..1
* presentedForm.contentType = #application/pdf (exactly)
* presentedForm.data 1..1
* insert Rule(presentedForm, REP-09)
