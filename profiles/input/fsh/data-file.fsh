Profile: NgcDataFile
Parent: DocumentReference
Id: ngc-data-file
Title: "NGC Data File"
Description: "A genomic data file (VCF, gVCF, CRAM, BAM, FASTQ) kept in the national storage: its location, format, SHA-256 and size. The file itself never travels through the gateway (rules FIL-01 to FIL-04 of the NGC Genomic Reporting Standard 1.0). Aligns with HL7 Genomics Reporting STU3 `genomic-data-file` (http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomic-data-file), a profile of DocumentReference for genomics files."
* status = #current (exactly)
* status MS
* insert Rule(status, FIL-01)
* subject 1..1 MS
* subject only Reference(NgcPatient)
* insert Rule(subject, FIL-01)
* content 1..1 MS
* insert Rule(content, FIL-01)
* content.format 1..1 MS
* content.format from NgcFileFormatVS (required)
* insert Rule(content.format, FIL-02)
* content.attachment MS
* content.attachment obeys FIL-04
* insert Rule(content.attachment, FIL-04)
* content.attachment.url 1..1 MS
* insert Rule(content.attachment.url, FIL-03)
* content.attachment.extension contains NgcSha256 named sha256 1..1 MS and NgcFileSize named fileSize 1..1 MS
* content.attachment.size ^short = "When present, equals the ngc-file-size extension (FIL-04)"
