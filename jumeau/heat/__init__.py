"""Heat model: InVEST-compatible cooling and air temperature, cast shade, sky view factor, night heat, heat stress."""
