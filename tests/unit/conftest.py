"""Make ``ansible_collections.fabrik.deploy`` importable from a plain checkout."""

import sys
from pathlib import Path

COLLECTIONS_ROOT = Path(__file__).resolve().parents[2] / "collections"

if str(COLLECTIONS_ROOT) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS_ROOT))
