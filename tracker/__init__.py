"""tracker: keeps compliance teams ahead of China's export controls.

Stages (each imports only earlier ones): fetch -> parse -> store -> (structure, diff, regime, index, answer,
impact, publish). The CLI and the pipeline reach across everything.
"""

__version__ = "0.1.0"
