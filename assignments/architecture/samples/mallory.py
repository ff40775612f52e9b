# Sample, hostile: calls sys.exit while being imported, so none of its functions is ever
# defined. The batch must carry on and give it 0. Expected score: 0 / 100.

# CS 480/680 HW: CNN architecture
# Mallory Example

import sys

print("not today, autograder")
sys.exit(3)
