"""Subject access requests (UK GDPR art. 15, DPA 2018 s.45): the data protection officer's
workbench for gathering what is held about a person and preparing a disclosure."""
