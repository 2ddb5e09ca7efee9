"""Language handling shared by the capabilities: script folding, tokens and stems (en, az)."""
