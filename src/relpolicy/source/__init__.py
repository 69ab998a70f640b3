"""Reading policy files: discovery, decoding, safe YAML parsing with source positions."""
