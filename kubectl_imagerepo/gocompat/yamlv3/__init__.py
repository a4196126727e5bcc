"""YAML as go.yaml.in/yaml/v3 reads and writes it: a node tree with comments, and its encoder.

kyaml (and so image-automation-controller) re-serialises a whole file through this library once one
scalar in it changes; the bytes here are meant to be those bytes (see docs/behaviour.md, automation).
"""
