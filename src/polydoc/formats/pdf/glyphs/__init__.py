"""Fonts per script (`fonts`) and right-to-left / complex-script shaping (`shaping`)."""
