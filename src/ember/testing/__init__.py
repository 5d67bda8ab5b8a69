"""Testing utilities shipped with Ember (gradient checks over every registered op)."""
