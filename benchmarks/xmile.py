"""Reading XMILE is linear in the file's size.

Run with ``.venv/bin/python benchmarks/xmile.py``. Reads files of documented
variables at two sizes (one four times the other) and prints the time per
megabyte and the ratio of the two: near 1 means linear (the target is at most
1.5; the old reader's identifier lookup and repair pass were quadratic, a ratio
of about 4). The same for a file with one element left unclosed, which goes
through the repair pass. The limits themselves are in
`csframework.sd.xmile` (``MAX_FILE_BYTES``, ``MAX_VARIABLES``, ...).
"""

from __future__ import annotations

import time
import warnings

from csframework.sd.loading import read_xmile
from csframework.sd.xmile import XmileWarning

NS = 'xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"'


def document(variables: int, unclosed: bool = False) -> bytes:
    body = '<aux name="Level 0"><eqn>1</eqn></aux>' + "".join(
        f'<aux name="Level {i}"><eqn>Level_{i - 1} + 1</eqn><doc>{"d" * 200}</doc></aux>'
        for i in range(1, variables))
    if unclosed:
        body += '<flow name="open"><eqn>1</eqn>'
    return (f'<xmile version="1.0" {NS}><sim_specs><start>0</start><stop>1</stop><dt>1</dt>'
            f"</sim_specs><model><variables>{body}</variables></model></xmile>").encode()


def seconds_per_megabyte(data: bytes) -> float:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XmileWarning)
        read_xmile(data)
    return (time.perf_counter() - start) / (len(data) / 2**20)


def main() -> None:
    for label, unclosed in (("variables", False), ("with one unclosed element", True)):
        small, large = document(5_000, unclosed), document(20_000, unclosed)
        a, b = seconds_per_megabyte(small), seconds_per_megabyte(large)
        ratio = b / a
        verdict = "linear" if ratio <= 1.5 else "NOT linear"
        print(f"XMILE {label}: {len(small) / 2**20:.1f} MB {a * 1000:.0f} ms/MB, "
              f"{len(large) / 2**20:.1f} MB {b * 1000:.0f} ms/MB; ratio {ratio:.2f} "
              f"(target <= 1.5: {verdict})")


if __name__ == "__main__":
    main()
