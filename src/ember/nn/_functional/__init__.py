"""The implementations behind ``ember.nn.functional``, one concept per module."""
