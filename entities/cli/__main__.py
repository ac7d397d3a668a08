import sys

from entities.cli import main

sys.exit(main())
