"""Small behavioural fakes for tests: never used in place of the real thing a test claims to exercise."""
