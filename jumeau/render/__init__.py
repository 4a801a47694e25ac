"""Drawing the twin: 2-D maps (matplotlib) and, later, 3-D scenes."""
