"""Page functions: responses (or saved bytes) in, plain data or items out; no crawler needed."""
