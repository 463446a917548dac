// Tags an element with the rule of the NGC standard that its constraints express. The validation
// engine names that rule on every issue raised at this element or below it.
RuleSet: Rule(path, id)
* {path} ^extension[$ngc-rule-ext].valueCoding = $ngc-rule#{id}

// The two categories every NGC genomics Observation carries (laboratory; GE): GR STU3 genomic-base
// requires category 2..* with exactly these slices.
RuleSet: GenomicsCategories(rule)
* category 2..*
* category ^slicing.discriminator.type = #pattern
* category ^slicing.discriminator.path = "$this"
* category ^slicing.rules = #open
* category ^slicing.description = "Laboratory and genetics categories (Genomics Reporting)"
* category contains labCategory 1..1 and geneticsCategory 1..1
* category[labCategory] = $obs-category#laboratory
* category[geneticsCategory] = $v2-0074#GE
* insert Rule(category, {rule})
* insert Rule(category[labCategory], {rule})
* insert Rule(category[geneticsCategory], {rule})

// Components are told apart by their code, as in every Genomics Reporting profile.
RuleSet: ComponentSlicing(rules)
* component ^slicing.discriminator.type = #pattern
* component ^slicing.discriminator.path = "code"
* component ^slicing.rules = #{rules}
* component ^slicing.description = "Components are identified by their code"
