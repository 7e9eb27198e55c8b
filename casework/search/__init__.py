"""Finding people and cases on encrypted data: keyed blind indexes of name tokens and their
sounds, maintained by flush and insert hooks, read through the sharing engine's list filter."""
