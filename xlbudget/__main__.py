import sys

from xlbudget.cli import main

sys.exit(main())
