"""``python -m csframework``: the same as the ``csframework`` command."""

import sys

from csframework.cli import main

if __name__ == "__main__":
    sys.exit(main())
