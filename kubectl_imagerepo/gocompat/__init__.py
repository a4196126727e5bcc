"""Go's standard library and apimachinery, byte for byte.

The one implementation of each Go behaviour the output depends on; every other layer calls it.
"""
