# A tests package named "failing": found with --tests-pattern '^failing$'.
