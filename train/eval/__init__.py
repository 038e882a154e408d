# SPDX-License-Identifier: MIT
"""Quality evaluation for Vocana: objective metrics, baseline runners and the evaluation driver."""
