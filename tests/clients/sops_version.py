"""Prints, as JSON, the SOPS version that community.sops (bundled with the PyPI `ansible`
package) detects for a `sops` binary: the client's own `sops --version` probe and regex.

    python sops_version.py [BINARY]      BINARY defaults to `sops`, looked up on PATH

A version line the regex cannot parse leaves community.sops on its pre-3.8.0 fallback
(3.7.3, the legacy `--decrypt`/`--encrypt` flags and no `filestatus`).
"""

import json
import sys

from ansible_collections.community.sops.plugins.module_utils.sops import SopsRunner

runner = SopsRunner(sys.argv[1] if len(sys.argv) > 1 else "sops")
json.dump(
    {
        "version": list(runner.version),
        "version_string": runner.version_string,
        "has_filestatus": runner.has_filestatus(),
    },
    sys.stdout,
    sort_keys=True,
)
sys.stdout.write("\n")
