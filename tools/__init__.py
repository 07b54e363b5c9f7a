"""`ember.tools`: the `ember` command line and the benchmark scripts."""
