Profile: NgcServiceRequest
Parent: ServiceRequest
Id: ngc-service-request
Title: "NGC Service Request"
Description: "The clinical order behind a genomic analysis: what was requested (analysis type), under which NGC indication, by whom and when (rules SRQ-01 to SRQ-05 of the NGC Genomic Reporting Standard 1.0). The genomic report's basedOn references it, as in Genomics Reporting STU3 `genomic-report` (http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomic-report)."
* obeys SRQ-03 and SRQ-05
* status from NgcServiceRequestStatus (required)
* status MS
* insert Rule(status, SRQ-01)
* intent = #order (exactly)
* insert Rule(intent, SRQ-01)
* category MS
* category ^short = "May carry ngc-purpose#diagnostic; ngc-purpose#research is rejected (SRQ-05)"
* insert Rule(category, SRQ-05)
* code 1..1 MS
* code from NgcAnalysisTypeVS (required)
* insert Rule(code, SRQ-02)
* subject only Reference(NgcPatient)
* subject MS
* insert Rule(subject, SUB-09)
* authoredOn 1..1 MS
* insert Rule(authoredOn, SRQ-04)
* requester 1..1 MS
* requester only Reference(NgcOrganization)
* insert Rule(requester, SRQ-04)
* reasonCode 1..* MS
* reasonCode ^short = "At least one coding from ngc-indication (SRQ-03)"
* insert Rule(reasonCode, SRQ-03)

Profile: NgcSpecimen
Parent: Specimen
Id: ngc-specimen
Title: "NGC Specimen"
Description: "A sample that was analysed, with the laboratory's specimen id, its SNOMED CT type and its collection time (rules SPC-01 to SPC-04 of the NGC Genomic Reporting Standard 1.0). Referenced from the genomic report and from every NGC observation, as specimens are in Genomics Reporting STU3 (http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomic-report)."
* identifier 1..1 MS
* identifier.system 1..1
* identifier.value 1..1
* insert Rule(identifier, SPC-01)
* type 1..1 MS
* type from NgcSpecimenType (required)
* insert Rule(type, SPC-02)
* subject 1..1 MS
* subject only Reference(NgcPatient)
* insert Rule(subject, SPC-04)
* collection 1..1 MS
* collection.collected[x] 1..1
* collection.collected[x] only dateTime
* insert Rule(collection, SPC-03)
