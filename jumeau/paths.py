"""Where jumeau's shipped data lives (class tables, remappings, demo district, demo scenarios)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_CLASS_TABLE = DATA_DIR / "landcover_classes.csv"
REMAP_DIR = DATA_DIR / "remap"
DEMO_DIR = DATA_DIR / "demo"
SCENARIO_DIR = DATA_DIR.parent / "scenarios"
