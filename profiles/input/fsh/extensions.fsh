Extension: ValidationRule
Id: validation-rule
Title: "NGC validation rule"
Description: "Names the rule of the NGC Genomic Reporting Standard (code system ngc-validation-rule) that the constraints of this element express. The NGC validator reports that rule id, with its Danish text, on every issue raised at the element or below it."
* ^context[+].type = #element
* ^context[=].expression = "ElementDefinition"
* value[x] only Coding
* valueCoding 1..1
* valueCoding from NgcValidationRuleVS (required)
* valueCoding.system 1..1
* valueCoding.system = "http://ngc.dk/fhir/genomics/CodeSystem/ngc-validation-rule"
* valueCoding.code 1..1

Extension: NgcSha256
Id: ngc-sha256
Title: "NGC SHA-256 checksum"
Description: "SHA-256 digest of the file's content as 64 lower-case hexadecimal digits (FIL-04). R4's Attachment.hash is SHA-1 only."
* ^context[+].type = #element
* ^context[=].expression = "Attachment"
* ^context[+].type = #element
* ^context[=].expression = "DocumentReference.content.attachment"
* value[x] only string
* valueString 1..1
* insert Rule(value[x], FIL-04)

Extension: NgcFileSize
Id: ngc-file-size
Title: "NGC file size"
Description: "The file's size in bytes as a whole number >= 1 (FIL-04). R4's Attachment.size is an unsignedInt and cannot hold files over 2 GiB."
* ^context[+].type = #element
* ^context[=].expression = "Attachment"
* ^context[+].type = #element
* ^context[=].expression = "DocumentReference.content.attachment"
* value[x] only decimal
* valueDecimal 1..1
* insert Rule(value[x], FIL-04)
