Profile: NgcPatient
Parent: Patient
Id: ngc-patient
Title: "NGC Patient"
Description: "The person a genomic report is about, identified by CPR or eCPR only (rules PAT-01 to PAT-05 of the NGC Genomic Reporting Standard 1.0). Aligns with HL7 Denmark DK Core `dk-core-patient` (http://hl7.dk/fhir/core/StructureDefinition/dk-core-patient): the identifier is sliced by system like DK Core's cpr, x-ecpr and d-ecpr slices, with DK Core's systems, a CPR identifier has use official and an eCPR identifier, when it states its use, has use temp, as DK Core's identifier profiles fix them."
* obeys PAT-05
* identifier 1..1 MS
* identifier ^slicing.discriminator.type = #value
* identifier ^slicing.discriminator.path = "system"
* identifier ^slicing.rules = #closed
* identifier ^slicing.description = "The one person identifier: CPR, X-eCPR or D-eCPR"
* identifier obeys PAT-01 and PAT-02
* identifier contains cpr 0..1 MS and x-ecpr 0..1 MS and d-ecpr 0..1 MS
* identifier[cpr] ^short = "CPR number (personnummer), 10 digits without hyphen"
* identifier[cpr].use 1..1
* identifier[cpr].use = #official (exactly)
* identifier[cpr].system 1..1
* identifier[cpr].system = "urn:oid:1.2.208.176.1.2" (exactly)
* identifier[cpr].value 1..1
* identifier[x-ecpr] ^short = "X-eCPR (erstatnings-CPR issued by the national eCPR service)"
* identifier[x-ecpr].use = #temp (exactly)
* identifier[x-ecpr].system 1..1
* identifier[x-ecpr].system = "urn:oid:1.2.208.176.1.6.1.1" (exactly)
* identifier[x-ecpr].value 1..1
* identifier[d-ecpr] ^short = "D-eCPR (erstatnings-CPR issued locally)"
* identifier[d-ecpr].use = #temp (exactly)
* identifier[d-ecpr].system 1..1
* identifier[d-ecpr].system = "urn:oid:1.2.208.176.1.6.1.3" (exactly)
* identifier[d-ecpr].value 1..1
* insert Rule(identifier, PAT-01)
* insert Rule(identifier[cpr], PAT-01)
* insert Rule(identifier[cpr].value, PAT-02)
* insert Rule(identifier[x-ecpr], PAT-01)
* insert Rule(identifier[d-ecpr], PAT-01)
* gender 1..1 MS
* insert Rule(gender, PAT-03)
* birthDate ^short = "Optional; when given with a CPR number it equals the CPR's date (PAT-04)"
* name ^short = "Should be absent: data minimisation (PAT-05)"
* telecom ^short = "Should be absent: data minimisation (PAT-05)"
* address ^short = "Should be absent: data minimisation (PAT-05)"
* photo ^short = "Should be absent: data minimisation (PAT-05)"

Profile: NgcOrganization
Parent: Organization
Id: ngc-organization
Title: "NGC Organization"
Description: "A Danish healthcare organization (the performing laboratory, the requesting department) identified by its SOR code (rules ORG-01 and ORG-02 of the NGC Genomic Reporting Standard 1.0). Aligns with HL7 Denmark DK Core `dk-core-organization` (http://hl7.dk/fhir/core/StructureDefinition/dk-core-organization): the identifier is sliced by system with DK Core's SOR-ID slice (system urn:oid:1.2.208.176.1.1, use official when given), which also meets DK Core's rule that at least one identifier is SOR, KOMBIT or CVR."
* identifier 1..* MS
* identifier ^slicing.discriminator.type = #value
* identifier ^slicing.discriminator.path = "system"
* identifier ^slicing.rules = #open
* identifier ^slicing.description = "Exactly one SOR identifier; others may follow"
* identifier obeys ORG-01
* identifier contains SOR-ID 1..1 MS
* identifier[SOR-ID] ^short = "SOR code (Sundhedsvæsenets Organisationsregister), 11 to 18 digits"
* identifier[SOR-ID].use = #official (exactly)
* identifier[SOR-ID].system 1..1
* identifier[SOR-ID].system = "urn:oid:1.2.208.176.1.1" (exactly)
* identifier[SOR-ID].value 1..1
* insert Rule(identifier, ORG-01)
* insert Rule(identifier[SOR-ID], ORG-01)
* name 1..1 MS
* insert Rule(name, ORG-02)
