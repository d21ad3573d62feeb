# A tests package named "broken": found with --tests-pattern '^broken$'.
