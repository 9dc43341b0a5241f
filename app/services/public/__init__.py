"""The applicant's side (issue 13): what the public API and the static portal read and take. Nothing here
answers personal data; each function names what it gives out."""
